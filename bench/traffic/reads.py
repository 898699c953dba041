"""The loan with many payments read again and again, one request at a time, over HTTP; and the
SQL queries each of those requests makes, counted in this process, beside those of an ordinary
loan: the same count means no N+1."""

from __future__ import annotations

import re
import time
from datetime import date

from .accounts import Logins
from .figures import Row, print_row, summary_row


def login(url: str, username: str, password: str) -> str:
    """A session key for the pages. The cookies are Secure (as in production), so they are
    sent by hand over plain HTTP."""
    import requests

    page = requests.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = requests.post(
        f"{url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Cookie": f"csrftoken={page.cookies['csrftoken']}"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise SystemExit(f"login of {username} answered {answer.status_code}")
    return answer.cookies["sessionid"]


def single_loan_reads(url: str, loan_id: int, accounts: Logins, reads: int) -> list[Row]:
    """The loan read ``reads`` times in a row per kind of request (after one warm-up)."""
    import requests

    session = login(url, *accounts.reader_web)
    api = f"{url}/api/v1/loans/{loan_id}"
    kinds = [
        ("API loan detail", f"{api}/", accounts.readers["detail"]),
        ("API ledger, 50 a page", f"{api}/ledger/", accounts.readers["ledger"]),
        ("API ledger, 500 a page", f"{api}/ledger/?page_size=500", accounts.readers["ledger500"]),
        ("API payments, 50 a page", f"{api}/payments/", accounts.readers["payments"]),
        ("API loan schedule", f"{api}/schedule/", accounts.readers["schedule"]),
        ("Page loan (whole ledger)", f"{url}/loans/{loan_id}/", None),
    ]
    rows = []
    with requests.Session() as http:
        for name, address, token in kinds:
            headers = (
                {"Authorization": f"Token {token}"} if token else {"Cookie": f"sessionid={session}"}
            )
            failures, values = 0, []
            for number in range(reads + 1):
                started = time.perf_counter()
                answer = http.get(address, headers=headers, allow_redirects=False, timeout=120)
                answer.content  # noqa: B018 - the whole body, as a client reads it
                elapsed = (time.perf_counter() - started) * 1000
                if number == 0:
                    continue  # the warm-up: connections, caches
                values.append(elapsed)
                failures += answer.status_code != 200
            rows.append(summary_row(name, sorted(values), failures, 0.0))
            print_row(rows[-1], rate=False)
    return rows


def query_counts(heavy_id: int, ordinary_id: int, accounts: Logins) -> list[tuple[str, int, int]]:
    """SQL queries per request, for the heavy loan and an ordinary one, counted in-process."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    page_client = Client()
    page_client.force_login(get_user_model().objects.get(username=accounts.reader_web[0]))
    api_client = Client(headers={"Authorization": f"Token {accounts.readers['detail']}"})
    kinds = [
        ("API loan detail", api_client, "/api/v1/loans/{}/"),
        ("API ledger, 50 a page", api_client, "/api/v1/loans/{}/ledger/"),
        ("API ledger, 500 a page", api_client, "/api/v1/loans/{}/ledger/?page_size=500"),
        ("API payments, 50 a page", api_client, "/api/v1/loans/{}/payments/"),
        ("API loan schedule", api_client, "/api/v1/loans/{}/schedule/"),
        ("Page loan (whole ledger)", page_client, "/loans/{}/"),
    ]
    counts = []
    for name, client, path in kinds:
        queries = []
        client.get(path.format(ordinary_id), SERVER_NAME="127.0.0.1")  # caches, the session
        for loan_id in (heavy_id, ordinary_id):
            with CaptureQueriesContext(connection) as captured:
                answer = client.get(path.format(loan_id), SERVER_NAME="127.0.0.1")
            if answer.status_code != 200:
                raise SystemExit(f"{name} of loan {loan_id} answered {answer.status_code}")
            queries.append(len(captured.captured_queries))
        counts.append((name, *queries))
    return counts


def ordinary_loan(heavy_id: int, on: date):
    """A loan to compare with: paid before, not today (a loan paid today has today closed,
    so its page's payoff quote closes no day and makes fewer queries), as the heavy one."""
    from django.db.models import Exists, OuterRef

    from loans.models import Loan, LoanSnapshot

    active = Loan.objects.filter(status=Loan.Status.ACTIVE).exclude(pk=heavy_id).order_by("pk")
    closed_today = LoanSnapshot.objects.filter(loan=OuterRef("pk"), on__gte=on)
    return (
        active.filter(payments__isnull=False).exclude(Exists(closed_today)).first()
        or active.exclude(Exists(closed_today)).first()
        or active.first()
    )


def size(loan) -> str:
    return f"{loan.number} ({loan.payments.count():,} payments, {loan.entries.count():,} entries)"
