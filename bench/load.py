"""Mixed traffic against gunicorn on PostgreSQL, then the read of one loan with 1,000 payments.

    python bench/load.py [--seconds 60] [--users 20] [--workers 4] [--threads 1]
                         [--loans 5000] [--transactions 1000] [--reads 200] [--reuse]
                         [--database-url postgres://postgres@127.0.0.1:5432/mfo_bench_load]
                         [--wait 0.1-0.5] [--keep DIR] [--no-demo] [--heavy-days 690]
                         [--settings mfo.settings]

1. A PostgreSQL database of its own (created and migrated; dropped and made again unless
   --reuse finds it prepared): the demo data (``seed_demo``), N active loans with their
   schedules, ledgers and snapshots copied in by ``bench/close_day.py``'s seed, and one loan
   of 5,000,000 KZT whose borrower paid about every day for two years: 1,000 payments posted
   through ``payment_post`` (so its ledger holds the accruals and allocations they caused).
2. gunicorn (``mfo.wsgi:application``, N sync workers, or gthread with --threads) on a free
   port of 127.0.0.1 with production settings: DEBUG off, a SECRET_KEY, ALLOWED_HOSTS
   127.0.0.1, the real Redis broker; only SECURE_SSL_REDIRECT is off (plain HTTP on
   loopback; a TLS proxy redirects in production). Static files are collected once.
3. locust, headless, for --seconds with --users users (``bench/load_locustfile.py``): loans
   listed, opened and their schedules read over the API with a token and as pages with a
   session, payments posted (unique Idempotency-Key, today's value date: each must be 201),
   the calculator over the API and as a page. Every answer outside 2xx is a failure.
   Prints requests per second and p50/p95/p99 per kind of request and in total, and the CPU
   the server (gunicorn and its PostgreSQL backends) used per request.
4. The loan with 1,000 payments read --reads times in a row, one request at a time (API
   detail, ledger, payments, schedule; its page), with the SQL queries each request makes,
   counted in this process, beside those of an ordinary loan: the same count means no N+1.

Everything it started is stopped at the end, on Ctrl-C and on error.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import close_day as bench_close  # noqa: E402 - after the path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mfo_bench_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
VENV_BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
ONE_DAY = timedelta(days=1)

# The loan read at the end: a borrower who paid a little about every day for two years.
HEAVY_BORN = "750101"  # its borrower's IIN starts so; no demo or bench borrower does
HEAVY_AMOUNT = Decimal("5000000")
HEAVY_TERM = 24
HEAVY_DAYS = 690  # disbursed so long before the benchmark date: 22 instalments due, 2 to come
PAY_WITHIN_DAYS = 540  # loans the load pays: disbursed since, so 6 or more instalments to come
API_USERS, WEB_USERS, READERS = "load.api.", "load.web.", "load.read."


# --- the database ---------------------------------------------------------------------------


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _drop_and_create(url: str) -> None:
    import psycopg
    from django.core.management import call_command
    from django.db import connections
    from psycopg import sql

    name = _database_name(url)
    if "bench" not in name:
        raise SystemExit(f"{name} holds loans and is not a bench database: not dropping it.")
    connections.close_all()
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    call_command("migrate", verbosity=0)


def _heavy_loan():
    from loans.demo import _iin
    from loans.models import Loan

    return Loan.objects.filter(borrower__iin=_iin(HEAVY_BORN)).first()


def _prepared(loans: int, transactions: int) -> bool:
    from loans.models import Loan

    heavy = _heavy_loan()
    return (
        heavy is not None
        and heavy.payments.count() >= transactions
        and Loan.objects.filter(number__startswith="MK-B-").count() == loans
    )


def prepare(args, on: date) -> None:
    """The demo data, N bench loans and the loan with many payments, unless --reuse finds them."""
    from django.core.management import call_command

    from loans.models import Loan

    if args.reuse and _prepared(args.loans, args.transactions):
        print("  database: reused")
        return
    if Loan.objects.exists():
        _drop_and_create(args.database_url)
    started = time.perf_counter()
    if args.demo:
        call_command("seed_demo", stdout=io.StringIO())
    else:  # what the loan with many payments needs of it
        from applications.demo import seed_required_documents
        from core.demo import seed_products, seed_users

        seed_products()
        seed_users()
        seed_required_documents()
    demo_seconds = time.perf_counter() - started
    heavy, heavy_seconds = _seed_heavy_loan(on, args.transactions, args.heavy_days)
    with _keeping_loans():
        seeded = bench_close.seed(loans=args.loans, on=on)
    print(
        f"  database: demo data in {demo_seconds:.1f} s; {seeded.loans:,} loans in "
        f"{seeded.seconds:.1f} s ({seeded.installments:,} instalments, {seeded.entries:,} "
        f"ledger entries, {seeded.late_loans:,} late); loan {heavy.number} with "
        f"{heavy.payments.count():,} payments in {heavy_seconds:.1f} s"
    )


@contextmanager
def _keeping_loans():
    """``close_day.seed`` empties the loans tables first; here it adds to the demo's."""
    clear = bench_close._clear
    bench_close._clear = lambda: None
    try:
        yield
    finally:
        bench_close._clear = clear


@contextmanager
def _dates_not_closed():
    """A payment dated before the last closed date re-closes the loan's days up to it. The
    loan with many payments is posted as if each night's close had not yet been recorded (the
    loan's own days are closed by each payment), so its 1,000 payments take minutes, not
    hours; the closed dates are put back afterwards."""
    from django.db.models import F

    from loans.models import DayClose

    away = timedelta(days=36_500)
    DayClose.objects.update(business_date=F("business_date") - away)
    try:
        yield
    finally:
        DayClose.objects.update(business_date=F("business_date") + away)


def _seed_heavy_loan(on: date, transactions: int, days: int):
    """A 24-month loan of 5,000,000 KZT disbursed ``days`` (690) before ``on``; its borrower paid a
    share of the instalments due about every day since (1,000 payments by default), each
    posted by ``payment_post`` on its value date. The loan stays active: 2 instalments to come."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from applications.demo import committee_users
    from core.money import to_tiyn
    from loans import services
    from loans.demo import PAYEE_ACCOUNT, Story, _Demo
    from loans.models import PayoutSource
    from loans.selectors import current_installments
    from loans.services.closing import bring_loan_up_to

    started = time.perf_counter()
    users = get_user_model().objects
    credit_admin = users.get(username="credit.admin")
    accountant = users.get(username="accountant")
    demo = _Demo(credit_admin, accountant, committee_users())
    disbursed = on - timedelta(days=days)
    disbursed -= timedelta(days=max(0, disbursed.day - 28))  # a due day every month has
    story = Story("heavy", "ИП Нагрузкин Тест", HEAVY_BORN, str(HEAVY_AMOUNT), HEAVY_TERM)
    with transaction.atomic(), _dates_not_closed():
        application = demo.accepted_application(
            story, HEAVY_AMOUNT, decided_on=disbursed - 3 * ONE_DAY
        )
        loan = services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=disbursed,
            contract_date=disbursed - 2 * ONE_DAY,
            payout_account=PAYEE_ACCOUNT,
            payout_account_source=PayoutSource.BORROWER_FILE,
            by=credit_admin,
        )
        services.contract_sign(loan_id=loan.pk, signed_on=disbursed - ONE_DAY, by=credit_admin)
        demo.disburse(loan, disbursed)
        last = on - ONE_DAY
        lines = list(current_installments(loan))
        # what fell due by then (the first instalment when nothing did yet), a share a payment
        due = sum((line.total for line in lines if line.due_date <= last), Decimal(0))
        due = due or lines[0].total
        amount = to_tiyn(due / transactions)
        span = (last - disbursed).days
        for number in range(transactions):
            value_date = disbursed + timedelta(days=1 + number * span // transactions)
            services.payment_post(
                loan_id=loan.pk,
                amount=amount,
                value_date=value_date,
                channel="bank_transfer" if number % 3 else "cash",
                reference=f"HEAVY-{number + 1:04d}",
                payer=story.name,
                by=accountant,
                today=value_date,
            )
        bring_loan_up_to(loan_id=loan.pk, through=last)
    loan.refresh_from_db()
    return loan, time.perf_counter() - started


@dataclass
class Logins:
    api_tokens: list[str] = field(default_factory=list)
    web_users: list[tuple[str, str]] = field(default_factory=list)
    readers: dict[str, str] = field(default_factory=dict)  # what: token, for the reads
    reader_web: tuple[str, str] = ("", "")


def logins(users: int, password: str) -> Logins:
    """One API user (accountant, token) and one browser user (credit administrator) per
    simulated user, as the throttle (600 requests a minute a user) expects of real ones."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from core.roles import Role

    User = get_user_model()
    hashed = make_password(password)  # hashed once: the hasher is slow on purpose
    result = Logins()

    def user(username: str, role: Role):
        account, _created = User.objects.get_or_create(username=username)
        account.password = hashed
        account.save(update_fields=["password"])
        account.groups.set([Group.objects.get(name=role.value)])
        return account

    for number in range(1, users + 1):
        account = user(f"{API_USERS}{number:02d}", Role.ACCOUNTANT)
        result.api_tokens.append(Token.objects.get_or_create(user=account)[0].key)
        result.web_users.append((user(f"{WEB_USERS}{number:02d}", Role.CREDIT_ADMINISTRATOR)
                                 .username, password))  # fmt: skip
    for what in ("detail", "ledger", "payments", "schedule", "ledger500"):
        account = user(f"{READERS}{what}", Role.ACCOUNTANT)
        result.readers[what] = Token.objects.get_or_create(user=account)[0].key
    result.reader_web = (user(f"{READERS}web", Role.CREDIT_ADMINISTRATOR).username, password)
    return result


def load_config(on: date, heavy_id: int, accounts: Logins, results: Path, wait) -> dict:
    from loans.models import Loan, Product

    active = Loan.objects.filter(status=Loan.Status.ACTIVE).exclude(pk=heavy_id)
    read = list(active.values_list("pk", flat=True))
    pay = list(
        active.filter(
            number__startswith="MK-B-", disbursed_on__gte=on - timedelta(days=PAY_WITHIN_DAYS)
        ).values_list("pk", flat=True)
    )
    return {
        "api_tokens": accounts.api_tokens,
        "web_users": accounts.web_users,
        "read_loans": read,
        "pay_loans": pay or read,
        "list_pages": math.ceil(len(read) / 50),
        "product": Product.objects.get(code=bench_close.PRODUCT).pk,
        "results": str(results),
        "wait": list(wait),
    }


# --- the processes --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(args, secret_key: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DEBUG": "off",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "LOG_LEVEL": "WARNING",
    }


class Processes:
    """The processes started here, each in its own session: stopped with their children."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, command: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(command, start_new_session=True, **kwargs)  # noqa: S603
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen, grace: float = 15.0) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.running)):
            self.stop(process)


def start_gunicorn(processes: Processes, args, env: dict, run_dir: Path) -> str:
    import requests

    port = _free_port()
    worker = (
        ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
    )
    process = processes.start(
        [
            str(VENV_BIN / "gunicorn"),
            "mfo.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            *worker,
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--error-logfile",
            str(run_dir / "gunicorn.log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {run_dir}/gunicorn.log")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return url
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz in 90 s; see {run_dir}/gunicorn.log")


def run_locust(
    processes: Processes, args, url: str, config: Path, run_dir: Path, server: int
) -> tuple[int, list[tuple[float, dict]]]:
    """Run locust to its end; returns its exit code and the server's CPU sampled each second."""
    import psycopg

    log = (run_dir / "locust.log").open("w")
    process = processes.start(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{args.seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--csv",
            str(run_dir / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, "MFO_LOAD_CONFIG": str(config)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    samples = []
    deadline = time.monotonic() + args.seconds + 120
    try:
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            while process.poll() is None and time.monotonic() < deadline:
                samples.append((time.time(), server_cpu(server, conn)))
                time.sleep(1)
            samples.append((time.time(), server_cpu(server, conn)))
        return process.wait(timeout=max(1, deadline - time.monotonic())), samples
    finally:
        processes.stop(process)
        log.close()


def collect_static(env: dict) -> None:
    """Production serves pages that name hashed static files from the manifest: without it
    every page is a 500. Collected once (it takes a minute or two: brotli), again when a
    file under static/ is newer."""
    from django.conf import settings

    if "Manifest" not in settings.STORAGES["staticfiles"]["BACKEND"]:
        return
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(
        (p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file()), default=0
    )
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    print("  collecting static files for the manifest (once; a minute or two)", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def _cpu_of(pid: int) -> float | None:
    """CPU seconds (user + system) of a process on this host, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(master: int, conn) -> dict[str, dict[int, float]]:
    """CPU seconds so far of gunicorn (master and workers) and of the PostgreSQL backends
    connected to the load database (PostgreSQL runs on this host)."""
    workers = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                workers.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    backends = [
        row[0]
        for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    ]
    return {
        kind: {pid: cpu for pid in pids if (cpu := _cpu_of(pid)) is not None}
        for kind, pids in (("gunicorn", workers), ("postgres", backends))
    }


def cpu_used(before: dict, after: dict) -> tuple[float, float]:
    """Seconds each side used in between (a backend that closed in between is not counted)."""
    return tuple(
        sum(cpu - before[kind].get(pid, 0.0) for pid, cpu in after[kind].items())
        for kind in ("gunicorn", "postgres")
    )


def print_cpu(results: Path, samples: list[tuple[float, dict]]) -> None:
    """The server's CPU per request once every browser user has logged in (a login costs
    the password hasher's deliberate half second or so, not traffic)."""
    data = json.loads(results.read_text())
    steady = max(data.get("logins", []), default=data.get("started", 0))
    after = [(at, cpu) for at, cpu in samples if at >= steady]
    if len(after) < 2:
        return
    (first, before), (last, end) = after[0], after[-1]
    gunicorn, postgres = cpu_used(before, end)
    count = sum(1 for record in data["records"] if record[4] >= first)
    used = gunicorn + postgres
    print(
        f"  server CPU over the last {last - first:.0f} s: gunicorn {gunicorn:.1f} s, "
        f"PostgreSQL {postgres:.1f} s for {count:,} requests: {1000 * used / max(count, 1):.0f} ms "
        f"a request, {used / (last - first):.2f} CPUs busy"
    )


# --- the figures ----------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Row:
    name: str
    count: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float
    mean: float


def summarise(times: dict[str, list[float]], failures: dict[str, int], seconds: float):
    rows = []
    everything: list[float] = []
    for name in sorted(times):
        values = sorted(times[name])
        everything.extend(values)
        rows.append(_row(name, values, failures.get(name, 0), seconds))
    total = _row("Total", sorted(everything), sum(failures.values()), seconds)
    return rows, total


def _row(name: str, values: list[float], failures: int, seconds: float) -> Row:
    return Row(
        name=name,
        count=len(values),
        failures=failures,
        per_second=len(values) / seconds if seconds else 0.0,
        p50=percentile(values, 0.50),
        p95=percentile(values, 0.95),
        p99=percentile(values, 0.99),
        mean=sum(values) / len(values) if values else math.nan,
    )


def print_rows(rows: list[Row], total: Row) -> None:
    print_head()
    for row in [*rows, total]:
        print_row(row)


def print_head(*, rate: bool = True) -> None:
    head = f"  {'request':<28} {'count':>7} {'fail':>5} "
    head += f"{'req/s':>7} " if rate else ""
    print(head + f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")


def print_row(row: Row, *, rate: bool = True) -> None:
    line = f"  {row.name:<28} {row.count:>7,} {row.failures:>5} "
    line += f"{row.per_second:>7.1f} " if rate else ""
    print(line + f"{row.p50:>8.1f} {row.p95:>8.1f} {row.p99:>8.1f} {row.mean:>8.1f}", flush=True)


def load_figures(results: Path, seconds: int) -> tuple[list[Row], Row, dict[int, int], float]:
    data = json.loads(results.read_text())
    window = data.get("stopped", 0) - data.get("started", 0)
    window = window if window > 0 else float(seconds)
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    statuses: dict[int, int] = {}
    for name, milliseconds, ok, status, _started in data["records"]:
        times.setdefault(name, []).append(milliseconds)
        if not ok:
            failures[name] = failures.get(name, 0) + 1
            statuses[status] = statuses.get(status, 0) + 1
    rows, total = summarise(times, failures, window)
    return rows, total, statuses, window


def _login(url: str, username: str, password: str) -> str:
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

    session = _login(url, *accounts.reader_web)
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
            rows.append(_row(name, sorted(values), failures, 0.0))
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


# --- the run --------------------------------------------------------------------------------


def _ordinary_loan(heavy_id: int, on: date):
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


def _size(loan) -> str:
    return f"{loan.number} ({loan.payments.count():,} payments, {loan.entries.count():,} entries)"


def _machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    return f"{model}, {os.cpu_count()} CPUs, {memory} RAM"


def _load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _stop_on_sigterm(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long locust runs")
    parser.add_argument("--users", type=int, default=20, help="simulated users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread workers")
    parser.add_argument("--loans", type=int, default=5_000, help="bench loans besides the demo")
    parser.add_argument("--transactions", type=int, default=1_000, help="the heavy loan's payments")
    parser.add_argument("--heavy-days", type=int, default=HEAVY_DAYS, help="its age, days")
    parser.add_argument("--reads", type=int, default=200, help="sequential reads of that loan")
    parser.add_argument("--wait", default="0.1-0.5", help="think time of a user, seconds: min-max")
    parser.add_argument("--reuse", action="store_true", help="keep the database if prepared")
    parser.add_argument("--no-demo", dest="demo", action="store_false", help="skip seed_demo")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker-url", default=os.environ.get("LOAD_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--settings", default="mfo.settings", help="the server's settings module")
    parser.add_argument("--keep", metavar="DIR", help="keep locust's CSV and the logs there")
    args = parser.parse_args()
    wait = tuple(float(x) for x in args.wait.split("-"))
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    secret_key = secrets.token_urlsafe(48)
    env = server_environment(args, secret_key)
    # This process reads and seeds the same database with the same settings; its test client
    # (the query counts) calls itself "testserver" but asks for 127.0.0.1.
    os.environ.update(
        {k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "SECURE_SSL_REDIRECT")}
    )
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    bench_close.setup_django(args.database_url)
    from django.db import connection

    from loans.models import Loan

    on = date.today()
    print(f"Load on {_database_name(args.database_url)}, {date.today()}: {_machine()}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    kind = f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
    print(
        f"  PostgreSQL {postgres}, Python {sys.version.split()[0]}; gunicorn {args.workers} "
        f"{kind}; {args.users} users, think time {args.wait} s, {args.seconds} s; "
        f"load average {_load_average()}"
    )
    prepare(args, on)
    heavy = _heavy_loan()
    accounts = logins(args.users, secrets.token_urlsafe(12))
    run_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mfo-load-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    results = run_dir / "requests.json"
    config = load_config(on, heavy.pk, accounts, results, wait)
    (run_dir / "config.json").write_text(json.dumps(config))
    active = Loan.objects.filter(status=Loan.Status.ACTIVE).count()
    print(
        f"  portfolio: {active:,} active loans ({len(config['pay_loans']):,} taking payments), "
        f"{Loan.objects.count():,} loans in all"
    )
    collect_static(env)
    connection.close()  # not held open while the server works

    processes = Processes()
    try:
        url = start_gunicorn(processes, args, env, run_dir)
        print(f"  gunicorn up at {url}; locust for {args.seconds} s ...", flush=True)
        server = processes.running[-1].pid
        code, samples = run_locust(processes, args, url, run_dir / "config.json", run_dir, server)
        if not results.exists():
            raise SystemExit(f"locust wrote no results (exit {code}); see {run_dir}/locust.log")
        rows, total, statuses, window = load_figures(results, args.seconds)
        print(f"\nMixed traffic: {window:.1f} s, load average after {_load_average()}")
        print_rows(rows, total)
        by_status = ", ".join(f"HTTP {s or 'none'}: {n}" for s, n in sorted(statuses.items()))
        print(
            f"  failures: {total.failures} of {total.count:,} requests"
            + (f" ({by_status})" if by_status else "")
        )
        print_cpu(results, samples)

        payments = heavy.payments.count()
        print(
            f"\nOne loan read {args.reads} times in a row: {heavy.number} ({payments:,} payments)"
        )
        print_head(rate=False)
        single_loan_reads(url, heavy.pk, accounts, args.reads)
    finally:
        processes.stop_all()
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    ordinary = _ordinary_loan(heavy.pk, on)
    counts = query_counts(heavy.pk, ordinary.pk, accounts)
    print(f"\nSQL queries per request: {_size(heavy)} / {_size(ordinary)}")
    for name, heavy_count, ordinary_count in counts:
        print(f"  {name:<28} {heavy_count:>4} / {ordinary_count:<4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
