"""After 90 consecutive days overdue (DOMAIN.md §12): the close, the quote and k1 apply the
reading of the regulatory table in force on the contract date, fixed in the contract."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.models import RegulatoryValue
from core.money import ZERO, to_tiyn
from loans import services
from loans.domain.ledger import Kind
from loans.models import Installment, LedgerEntry, Loan, LoanSnapshot
from loans.selectors import loan_position

ON = date(2026, 1, 5)  # first due 5 Feb 2026 (a Thursday), never paid
STOP = date(2026, 5, 7)  # 5 Feb + 91 days: the first day past 90 days overdue
END = date(2026, 6, 10)
CHARGES = (Kind.INTEREST_ACCRUAL, Kind.OVERDUE_INTEREST_ACCRUAL, Kind.PENALTY_ACCRUAL)


def _line(loan, due: date) -> Installment:
    return loan.installments.get(version=loan.schedule_version, due_date=due)


def _snapshot(loan, on: date) -> LoanSnapshot:
    return LoanSnapshot.objects.get(loan=loan, on=on)


def _charges(loan, kind, since: date):
    return LedgerEntry.objects.filter(loan=loan, kind=kind, value_date__gte=since)


@pytest.fixture
def consumer_loan(active_loan):
    """A consumer loan (an individual, any lawful purpose): under the legal caps of §12."""
    return lambda: active_loan(on=ON, amount="600000", term=12, consumer=True)


@pytest.fixture
def late_loan(consumer_loan):
    def make():
        loan = consumer_loan()
        assert loan.penalty_stop_days == 90
        services.close_day(on=END)
        loan.refresh_from_db()
        return loan

    return make


def test_full_stop_charges_nothing_from_day_91_and_k1_counts_what_it_left(late_loan):
    from prudential.services import k1_run

    loan = late_loan()
    assert loan.overdue_stop_scope == "penalty_and_interest"
    for kind in (Kind.OVERDUE_INTEREST_ACCRUAL, Kind.PENALTY_ACCRUAL):
        assert not _charges(loan, kind, STOP).exists(), kind
        assert _charges(loan, kind, STOP - timedelta(days=3)).exists(), kind  # before it, yes
    # June's period is 6 May – 5 June: 6 May accrues (day 90), the other 30 days do not
    may, june = _line(loan, date(2026, 5, 5)), _line(loan, date(2026, 6, 5))
    assert may.cumulative_interest_waived == ZERO  # its whole period before the stop
    june_waived = to_tiyn(june.interest * 30 / june.days)
    assert june.cumulative_interest_waived == june_waived
    # the only scheduled interest posted after the stop is June's for 6 May
    scheduled = _charges(loan, Kind.INTEREST_ACCRUAL, STOP)
    assert [(entry.value_date, entry.amount) for entry in scheduled] == [
        (june.due_date, june.interest - june_waived)
    ]
    before, after = _snapshot(loan, STOP - timedelta(days=1)), _snapshot(loan, END)
    assert after.interest_due == june.cumulative_interest - june_waived
    assert after.penalty == before.penalty
    assert after.interest == before.interest + june.interest - june_waived
    assert after.accrued_interest == ZERO  # 5–10 June stopped
    assert after.days_past_due == (END - date(2026, 2, 5)).days  # still late, and counting
    # k1 counts the loan at its principal and the interest the stop left
    counted = k1_run(on=END).mm90_loans.get(loan=loan)
    assert (counted.principal, counted.interest) == (after.principal, after.interest)


def test_the_quote_during_the_stop_closes_the_loan_to_the_tiyn(late_loan, pay):
    loan = late_loan()
    quote = services.payoff_quote_on(loan_id=loan.pk, on=END)
    assert quote.interest == ZERO and quote.interest_waived > 0  # 5 June – 10 June stopped
    snapshot = _snapshot(loan, END)
    assert quote.total == snapshot.principal + snapshot.interest + snapshot.penalty
    pay(loan, quote.to_pay, END)
    loan.refresh_from_db()
    position = loan_position(loan)
    assert loan.status == Loan.Status.CLOSED
    assert (position.principal, position.interest, position.penalty, position.held) == (0,) * 4


def test_penalty_reading_stops_penalty_only(late_loan):
    RegulatoryValue.objects.create(
        key="overdue_stop_scope", loan_class="individual", value=1, effective_from=date(2025, 6, 1)
    )
    loan = late_loan()
    assert loan.overdue_stop_scope == "penalty"
    assert not _charges(loan, Kind.PENALTY_ACCRUAL, STOP).exists()
    assert _charges(loan, Kind.OVERDUE_INTEREST_ACCRUAL, END).exists()
    june = _line(loan, date(2026, 6, 5))
    assert june.cumulative_interest_waived == ZERO
    assert _charges(loan, Kind.INTEREST_ACCRUAL, date(2026, 6, 5)).first().amount == june.interest
    assert _snapshot(loan, END).accrued_interest > 0


@pytest.mark.parametrize(
    ("scope", "language", "text"),
    [
        ("penalty_and_interest", "ru", "вознаграждение любого вида"),
        ("penalty_and_interest", "kk", "кез келген сыйақы да"),
        ("penalty", "ru", "неустойка (пеня) не начисляется; вознаграждение начисляется"),
        ("penalty", "kk", "есептелмейді; сыйақы есептеледі"),
    ],
)
def test_the_contract_states_the_reading(consumer_loan, scope, language, text):
    from django.template.loader import render_to_string

    from loans.documents import contract_context

    loan = consumer_loan()
    Loan.objects.filter(pk=loan.pk).update(overdue_stop_scope=scope)
    loan.refresh_from_db()
    html = render_to_string(
        f"loans/documents/_contract_{language}.html", {"contract": contract_context(loan)}
    )
    assert text in html


def test_the_api_gives_the_contract_s_reading(consumer_loan, make_user):
    from rest_framework.test import APIClient

    from core.roles import Role

    loan = consumer_loan()
    client = APIClient()
    client.force_authenticate(make_user(Role.CREDIT_ADMINISTRATOR))
    body = client.get(f"/api/v1/loans/{loan.pk}/").json()
    assert (body["penalty_stop_days"], body["overdue_stop_scope"]) == (90, "penalty_and_interest")
