"""A read never blocks postings: a payoff quote (a year ahead, the slowest) does not take a
lock that a payment waits for, and while the nightly close runs it says so at once."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import ConflictError
from core.roles import Role
from loans import services
from loans.ledger import payoff as prepayment
from loans.ledger.close import CLOSE_LOCK
from loans.models import Payment

# Only a guard against a test that hangs: no assertion depends on how long anything took.
GUARD_SECONDS = 30


@pytest.mark.django_db(transaction=True)
def test_a_payment_on_another_loan_commits_while_a_quote_holds_its_transaction_open(
    reference_data, active_loan, accountant, monkeypatch
):
    today = timezone.localdate()
    quoted = active_loan(on=today, amount="300000", term=6)
    paid = active_loan(on=today, amount="300000", term=6)
    in_quote, committed = threading.Event(), threading.Event()
    seen: dict = {}
    compute = prepayment.payoff_quote

    def pausing(**figures):
        """The quote, halted half way: its lock (if any) is held while the payment runs."""
        if threading.current_thread().name == "quote":  # the posting computes one too
            in_quote.set()
            seen["committed_during_quote"] = committed.wait(GUARD_SECONDS)
        return compute(**figures)

    monkeypatch.setattr(prepayment, "payoff_quote", pausing)

    def quote():
        try:
            with transaction.atomic():
                seen["quote"] = services.payoff_quote_on(
                    loan_id=quoted.pk, on=today + timedelta(days=365)
                )
                # the quote's transaction stays open until the payment has committed
                seen["committed_before_release"] = committed.wait(GUARD_SECONDS)
        except Exception as error:  # the assertions below report it
            seen["quote"] = error
        finally:
            in_quote.set()
            connection.close()

    def payment():
        try:
            in_quote.wait(GUARD_SECONDS)
            seen["payment"] = services.payment_post(
                loan_id=paid.pk,
                amount=Decimal("10000.00"),
                value_date=today,
                channel="cash",
                by=accountant,
                today=today,
            )
            committed.set()  # payment_post's own transaction has committed on return
        except Exception as error:
            seen["payment"] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=quote, name="quote"),
        threading.Thread(target=payment, name="payment"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * GUARD_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    assert isinstance(seen["payment"], tuple), seen["payment"]
    assert isinstance(seen["quote"], prepayment.PayoffQuote), seen["quote"]
    assert seen["committed_during_quote"] is True
    assert seen["committed_before_release"] is True
    assert Payment.objects.filter(loan=paid).count() == 1

    # In its own transaction a quote reads one consistent state of the loan.
    with CaptureQueriesContext(connection) as queries:
        assert services.payoff_quote_on(loan_id=quoted.pk, on=today).principal == quoted.amount
    first = [query["sql"] for query in queries.captured_queries][:2]
    assert first == ["BEGIN", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"]


@pytest.fixture
def other_connection():
    """A second session on the test database, as the nightly close or a posting would be."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as session:
        yield session


def _payoff(api, loan, on):
    return api.get(f"/api/v1/loans/{loan.pk}/payoff/", {"on": on.isoformat()})


def test_a_quote_answers_while_postings_hold_the_close_lock_shared(
    active_loan, api_as, other_connection
):
    today = timezone.localdate()
    loan = active_loan(on=today - timedelta(days=10))
    api = api_as(Role.COLLECTOR)
    other_connection.execute("SELECT pg_advisory_lock_shared(%s)", [CLOSE_LOCK])  # a posting
    try:
        response = _payoff(api, loan, today + timedelta(days=365))
        assert response.status_code == 200, response.json()
        quote = services.payoff_quote_on(loan_id=loan.pk, on=today)
        assert quote.principal == loan.amount
    finally:
        other_connection.execute("SELECT pg_advisory_unlock_shared(%s)", [CLOSE_LOCK])


def test_a_quote_says_close_running_at_once_while_the_nightly_close_holds_its_lock(
    active_loan, api_as, other_connection
):
    today = timezone.localdate()
    loan = active_loan(on=today - timedelta(days=10))
    api = api_as(Role.COLLECTOR)
    other_connection.execute("SELECT pg_advisory_lock(%s)", [CLOSE_LOCK])  # the nightly close
    try:
        response = _payoff(api, loan, today + timedelta(days=365))
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "close_running"
        assert list(response.json()["errors"]) == ["on"]
        with pytest.raises(ConflictError) as busy:
            services.prepayment_preview(
                loan_id=loan.pk, amount=Decimal("50000"), on=today, mode="shorten_term"
            )
        assert busy.value.code == "close_running"
    finally:
        other_connection.execute("SELECT pg_advisory_unlock(%s)", [CLOSE_LOCK])
    assert _payoff(api, loan, today + timedelta(days=365)).status_code == 200
