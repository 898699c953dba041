"""Demands, write-off with recoveries, closure and the read-only closed loan (DOMAIN.md §8–§11)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from loans import services
from loans.domain.ledger import Kind
from loans.models import LedgerEntry, Loan, LoanSnapshot
from loans.selectors import current_installments, loan_position, write_offs
from prudential.selectors import overdue_share

ON = date(2026, 3, 2)
FIRST_DUE = date(2026, 4, 2)  # a Thursday: late from 3 April
D = Decimal


def _late(active_loan, days: int, **terms):
    """A loan whose first instalment is unpaid ``days`` days after its due date."""
    loan = active_loan(on=ON, **terms)
    services.close_day(on=FIRST_DUE + timedelta(days=days))
    return loan


def test_acceleration_is_demanded_from_the_41st_day_late(active_loan, collector):
    loan = _late(active_loan, 40)
    with pytest.raises(ConflictError) as early:
        services.demand_acceleration(
            loan_id=loan.pk, on=FIRST_DUE + timedelta(days=40), by=collector, today=date(2026, 6, 1)
        )
    assert early.value.code == "not_late_enough"
    on = FIRST_DUE + timedelta(days=41)
    demand = services.demand_acceleration(loan_id=loan.pk, on=on, by=collector, today=on)
    position = loan_position(loan)
    assert demand.days_past_due == 41 and demand.pay_by == on + timedelta(days=30)
    assert demand.principal == loan.amount  # the whole principal, not only what is late
    assert demand.penalty == position.penalty > 0
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
    assert demand.total == quote.total


def test_misuse_charges_the_ten_percent_fine_at_once(active_loan, officer):
    loan = active_loan(on=ON)
    on = date(2026, 3, 20)
    with pytest.raises(DomainError) as too_much:
        services.demand_misuse(
            loan_id=loan.pk,
            on=on,
            misused_amount=loan.amount + 1,
            details="x",
            by=officer,
            today=on,
        )
    assert too_much.value.field == "misused_amount"
    demand = services.demand_misuse(
        loan_id=loan.pk,
        on=on,
        misused_amount=D("250000.05"),
        details="The car bought is not the one in the contract",
        by=officer,
        today=on,
    )
    assert demand.fine == D("25000.01")  # 10 %, half a tiyn rounds up
    fine = LedgerEntry.objects.get(loan=loan, kind=Kind.FINE)
    assert fine.amount == demand.fine and fine.component == "penalty"
    assert loan_position(loan).penalty == demand.fine
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
    assert quote.penalties == demand.fine  # a fine is owed like a penalty, before closure


def test_a_loan_with_a_tiyn_open_is_not_closed(active_loan, pay, officer):
    loan = active_loan(on=ON)
    on = date(2026, 3, 20)
    services.demand_misuse(
        loan_id=loan.pk, on=on, misused_amount=D("1000"), details="x", by=officer, today=on
    )
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
    pay(loan, quote.to_pay - D("0.01"), on)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    with pytest.raises(ConflictError) as refused:
        services.loan_close(loan_id=loan.pk, on=on, by=officer, today=on)
    assert refused.value.code == "obligations_open"
    pay(loan, D("0.01"), on)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED


def test_a_closed_loan_is_read_only(active_loan, pay, officer, accountant, collector):
    loan = active_loan(on=ON, amount="300000", term=3)
    for line in current_installments(loan):
        pay(loan, line.total, line.due_date)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    today = date(2026, 6, 10)
    changes = [
        lambda: services.prepayment_post(
            loan_id=loan.pk,
            amount=D("1000"),
            on=today,
            mode="shorten_term",
            channel="cash",
            by=accountant,
            today=today,
        ),
        lambda: services.restructuring_request(
            loan_id=loan.pk,
            requested_on=today,
            reason="r",
            term_months=6,
            by=officer,
            today=today,
        ),
        lambda: services.demand_misuse(
            loan_id=loan.pk,
            on=today,
            misused_amount=D("1"),
            details="x",
            by=officer,
            today=today,
        ),
        lambda: services.loan_write_off(
            loan_id=loan.pk,
            on=today,
            decision_number="1",
            decided_on=today,
            decided_by_body="Board",
            reason="r",
            by=accountant,
            today=today,
        ),
        lambda: services.contact_record(
            loan_id=loan.pk, channel="call", outcome="no_answer", by=collector, today=today
        ),
        lambda: services.payment_reverse(
            payment_id=loan.payments.first().pk, reason="typo", by=accountant
        ),
    ]
    for change in changes:
        with pytest.raises(ConflictError) as refused:
            change()
        assert refused.value.code == "loan_closed"


def _write_off(loan, accountant, on):
    return services.loan_write_off(
        loan_id=loan.pk,
        on=on,
        decision_number="WO-7",
        decided_on=on - timedelta(days=2),
        decided_by_body="Management board",
        reason="No payment for over 90 days; the borrower left the country",
        by=accountant,
        today=on,
    )


def test_a_written_off_loan_over_90_days_stays_in_the_k1_numerator(active_loan, accountant, pay):
    current = active_loan(on=ON, amount="3000000")
    late = _late(active_loan, 95)
    for line in current_installments(current).filter(due_date__lte=date(2026, 7, 6)):
        pay(current, line.total, line.due_date, today=line.due_date)
    on = FIRST_DUE + timedelta(days=96)  # 7 July 2026
    write_off = _write_off(late, accountant, on)
    late.refresh_from_db()
    assert late.status == Loan.Status.WRITTEN_OFF and late.written_off_on == on
    assert write_off.principal == late.amount and write_off.days_past_due == 96  # on its date
    services.close_day(on=on)
    snapshot = LoanSnapshot.objects.get(loan=late, on=on)
    assert snapshot.days_past_due == 96  # the close still follows it
    figures = overdue_share(on=on)
    late_exposure = snapshot.principal + snapshot.interest + snapshot.accrued_interest
    current_snapshot = LoanSnapshot.objects.get(loan=current, on=on)
    assert figures.mm90 == late_exposure
    assert figures.portfolio == late_exposure + (
        current_snapshot.principal + current_snapshot.interest + current_snapshot.accrued_interest
    )
    assert figures.limit == 10 and figures.breached


def test_a_loan_exactly_90_days_late_is_not_in_mm90(active_loan):
    _late(active_loan, 90)
    assert overdue_share(on=FIRST_DUE + timedelta(days=90)).mm90 == 0


def test_recoveries_on_a_written_off_loan_are_posted_and_reported(active_loan, accountant, pay):
    loan = _late(active_loan, 95)
    on = FIRST_DUE + timedelta(days=96)
    _write_off(loan, accountant, on)
    before = loan_position(loan)
    pay(loan, D("50000"), on + timedelta(days=3))
    after = loan_position(loan)
    assert before.principal - after.principal == D("50000")  # overdue principal first
    loan.refresh_from_db()
    assert loan.status == Loan.Status.WRITTEN_OFF
    report = write_offs().get(loan=loan)
    assert report.recovered == D("50000")
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on + timedelta(days=4))
    pay(loan, quote.to_pay, on + timedelta(days=4))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan.written_off_on == on


def test_a_write_off_needs_its_decision(active_loan, accountant):
    loan = _late(active_loan, 10)
    with pytest.raises(DomainError) as refused:
        services.loan_write_off(
            loan_id=loan.pk,
            on=date(2026, 4, 13),
            decision_number=" ",
            decided_on=ON,
            decided_by_body="Board",
            reason="r",
            by=accountant,
            today=date(2026, 4, 13),
        )
    assert refused.value.field == "decision_number"
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE


def test_the_nightly_close_closes_a_loan_its_held_money_repaid(active_loan, pay):
    loan = active_loan(on=ON, amount="300000", term=2)
    first, last = current_installments(loan)
    pay(loan, first.total, first.due_date)
    services.close_day(on=first.due_date + timedelta(days=5))
    # dated before the first instalment was paid: someone posted since, so it is no payoff; it
    # is held, and applied when the last instalment falls due
    pay(
        loan,
        last.total,
        first.due_date - timedelta(days=2),
        today=first.due_date + timedelta(days=6),
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE and loan_position(loan).held == last.total
    services.close_day(on=last.due_date)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan.closed_on == last.due_date
    assert loan.archive.archived_by is None  # closed by the night, not by a person
