"""Repaying early: the payoff quote closes the loan, partial prepayment rebuilds the schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError
from lending.domain.gesv import gesv_after_change
from loans import services
from loans.ledger.schedules import current_schedule
from loans.models import Installment, LedgerEntry, Loan, LoanSnapshot, Payment, ScheduleVersion
from loans.selectors import current_installments, loan_position
from tests.loans.services.conftest import close_through

ON = date(2026, 3, 2)
D = Decimal


def _quote(loan, on):
    return services.payoff_quote_on(loan_id=loan.pk, on=on)


def test_the_quote_is_the_amount_that_closes_the_loan_that_day(active_loan, pay):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    pay(loan, first.total, first.due_date)
    on = date(2026, 4, 20)
    quote = _quote(loan, on)
    assert quote.principal == loan.amount - first.principal
    assert quote.overdue == 0 and quote.penalties == 0 and quote.held == 0
    assert quote.interest > 0
    assert not LoanSnapshot.objects.filter(loan=loan, on__gt=first.due_date).exists()  # rolled back
    pay(loan, quote.to_pay, on)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan.closed_on == on
    position = loan_position(loan)
    assert (position.principal, position.interest, position.penalty, position.held) == (0, 0, 0, 0)
    assert loan.archive.keep_until == date(2031, 4, 20)  # five years, a dated regulatory number
    version = ScheduleVersion.objects.get(loan=loan, version=loan.schedule_version)
    assert version.reason == ScheduleVersion.Reason.FULL_PREPAYMENT
    last = current_installments(loan).last()
    assert (last.due_date, last.principal, last.interest) == (on, quote.principal, quote.interest)


def test_a_tiyn_less_than_the_quote_leaves_the_loan_open(active_loan, pay):
    loan = active_loan(on=ON)
    on = date(2026, 3, 20)
    quote = _quote(loan, on)
    pay(loan, quote.to_pay - D("0.01"), on)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert loan_position(loan).held == quote.to_pay - D("0.01")  # nothing due yet: held


def test_a_late_loan_is_quoted_with_its_overdue_debt_and_penalty(active_loan, pay):
    loan = active_loan(on=ON)
    close_through(ON, date(2026, 4, 20))  # the first instalment is 18 days late
    quote = _quote(loan, date(2026, 4, 21))
    first = current_installments(loan).first()
    assert quote.overdue > first.total  # overdue interest on the late principal too
    assert quote.penalties > 0
    assert quote.principal == loan.amount - first.principal
    pay(loan, quote.to_pay, date(2026, 4, 21))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED


def test_a_future_date_is_quoted_without_closing_anything(active_loan):
    loan = active_loan(on=ON)
    entries = LedgerEntry.objects.count()
    near, far = _quote(loan, date(2026, 3, 20)), _quote(loan, date(2026, 3, 30))
    assert far.interest > near.interest and far.principal == near.principal == loan.amount
    assert LedgerEntry.objects.count() == entries
    assert not LoanSnapshot.objects.filter(loan=loan).exists()


def test_the_overpayment_of_a_payoff_stays_held_for_a_refund(active_loan, pay, accountant):
    loan = active_loan(on=ON)
    on = date(2026, 3, 25)
    quote = _quote(loan, on)
    pay(loan, quote.to_pay + D("5000"), on)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan_position(loan).held == D("5000")
    with pytest.raises(DomainError) as too_much:
        services.overpayment_refund(
            loan_id=loan.pk,
            amount=D("5000.01"),
            on=on,
            applied_on=on,
            account="KZ86125KZT5004100100",  # the contract's
            by=accountant,
            today=on,
        )
    assert too_much.value.field == "amount"
    services.overpayment_refund(
        loan_id=loan.pk,
        amount=D("5000"),
        on=on,
        applied_on=on,
        account="KZ86125KZT5004100100",
        by=accountant,
        today=on,
    )
    assert loan_position(loan).held == 0


def _current_loan_with_two_paid(active_loan, pay, **terms):
    loan = active_loan(on=ON, **terms)
    for line in list(current_installments(loan))[:2]:
        pay(loan, line.total, line.due_date)
    return loan


def _prepay(loan, accountant, amount, on, mode, **extra):
    prepayment, _created = services.prepayment_post(
        loan_id=loan.pk,
        amount=D(amount),
        on=on,
        mode=mode,
        channel="cash",
        by=accountant,
        today=extra.pop("today", on),
        **extra,
    )
    loan.refresh_from_db()
    return prepayment


def test_a_partial_prepayment_below_three_payments_is_refused_and_writes_nothing(
    active_loan, pay, accountant
):
    loan = _current_loan_with_two_paid(active_loan, pay)
    payment = current_installments(loan).first().total
    payments, versions = Payment.objects.count(), ScheduleVersion.objects.count()
    with pytest.raises(DomainError) as refused:
        _prepay(loan, accountant, 3 * payment - 100, date(2026, 5, 15), "shorten_term")
    assert refused.value.field == "amount" and refused.value.code == "below_minimum_prepayment"
    assert (Payment.objects.count(), ScheduleVersion.objects.count()) == (payments, versions)
    assert loan.schedule_version == 1


@pytest.mark.parametrize("mode", ["shorten_term", "reduce_payment"])
def test_a_rebuilt_schedule_repays_exactly_the_remaining_principal(
    active_loan, pay, accountant, mode
):
    loan = _current_loan_with_two_paid(active_loan, pay)
    old_lines = list(current_installments(loan))
    old_payment = old_lines[2].total
    on = date(2026, 5, 15)
    prepayment = _prepay(loan, accountant, "400000", on, mode)
    assert prepayment.due_paid == 0 and prepayment.interest_paid > 0
    assert prepayment.interest_paid + prepayment.principal_paid == D("400000")
    position = loan_position(loan)
    assert position.principal == old_lines[1].balance - prepayment.principal_paid
    assert position.interest == 0 and position.held == 0
    rebuilt = current_schedule(loan)
    assert rebuilt.total_principal == position.principal
    assert max(line.total for line in rebuilt.installments) <= old_payment
    if mode == "shorten_term":
        assert len(rebuilt.installments) < len(old_lines) - 2
        assert rebuilt.installments[0].total == old_payment
    else:
        assert len(rebuilt.installments) == len(old_lines) - 2
        assert rebuilt.installments[0].total < old_payment
    version = ScheduleVersion.objects.get(loan=loan, version=2)
    assert version.reason == ScheduleVersion.Reason.PARTIAL_PREPAYMENT
    assert version.gesv == gesv_after_change(
        on, rebuilt.amount, [(line.due_date, line.total) for line in rebuilt.installments]
    )
    assert Installment.objects.filter(loan=loan, version=1).count() == len(old_lines)  # kept


def test_after_a_prepayment_paying_the_new_schedule_closes_the_loan_to_the_tiyn(
    active_loan, pay, accountant
):
    loan = _current_loan_with_two_paid(active_loan, pay, amount="1200000", term=8)
    _prepay(loan, accountant, "500000", date(2026, 5, 15), "reduce_payment")
    new_lines = list(current_installments(loan).filter(due_date__gt=date(2026, 5, 15)))
    for line in new_lines:
        pay(loan, line.total, line.due_date)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan.closed_on == new_lines[-1].due_date
    position = loan_position(loan)
    assert (position.principal, position.interest, position.penalty, position.held) == (0, 0, 0, 0)
    # the nightly close over the same days agrees: nothing late, nothing more charged
    close_through(ON, new_lines[-1].due_date)
    assert LoanSnapshot.objects.filter(loan=loan, days_past_due__gt=0).count() == 0
    assert loan_position(loan).penalty == 0


def test_a_prepayment_pays_what_is_due_on_its_date_first(active_loan, pay, accountant):
    loan = active_loan(on=ON)
    lines = list(current_installments(loan))
    pay(loan, lines[0].total, lines[0].due_date)
    on = lines[1].due_date  # the second instalment is due that very day
    prepayment = _prepay(loan, accountant, "500000", on, "shorten_term")
    assert prepayment.due_paid == lines[1].total
    assert prepayment.interest_paid == 0  # nothing accrued since the due date
    assert prepayment.principal_paid == D("500000") - lines[1].total


def test_the_same_prepayment_sent_twice_posts_once(active_loan, pay, accountant):
    loan = _current_loan_with_two_paid(active_loan, pay)
    on = date(2026, 5, 15)
    first = _prepay(loan, accountant, "400000", on, "shorten_term", idempotency_key="pp-1")
    again = _prepay(loan, accountant, "400000", on, "shorten_term", idempotency_key="pp-1")
    assert first.pk == again.pk and loan.schedule_version == 2


def test_nothing_can_be_posted_before_the_schedule_changed(active_loan, pay, accountant):
    loan = _current_loan_with_two_paid(active_loan, pay)
    _prepay(loan, accountant, "400000", date(2026, 5, 15), "shorten_term")
    with pytest.raises(DomainError) as refused:
        pay(loan, D("1000"), date(2026, 5, 14), today=date(2026, 5, 16))
    assert refused.value.code == "before_schedule_change"


def test_an_invalid_mode_names_its_field(active_loan, pay, accountant):
    loan = _current_loan_with_two_paid(active_loan, pay)
    with pytest.raises(DomainError) as refused:
        _prepay(loan, accountant, "400000", date(2026, 5, 15), "sideways")
    assert refused.value.field == "mode"


def test_a_quote_does_not_wait_for_a_running_daily_close(active_loan):
    """A loan page asks for a quote on every view; while the close runs it says so at once."""
    import psycopg
    from django.db import connection

    from core.errors import ConflictError
    from loans.ledger.close import CLOSE_LOCK

    loan = active_loan(on=ON)
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as nightly:
        nightly.execute("SELECT pg_advisory_lock(%s)", [CLOSE_LOCK])
        with pytest.raises(ConflictError) as busy:
            _quote(loan, date(2026, 3, 20))
        assert busy.value.code == "close_running"
        nightly.execute("SELECT pg_advisory_unlock(%s)", [CLOSE_LOCK])
    assert _quote(loan, date(2026, 3, 20)).principal == loan.amount
