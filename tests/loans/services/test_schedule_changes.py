"""Schedule changes against the rest of the ledger: reversals, backdated money, re-runs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import committee
from core.errors import ConflictError
from core.roles import Role
from lending.domain.daycount import DayCount
from lending.domain.interest import accrued_interest
from loans import services
from loans.models import Loan, LoanSnapshot, Payment
from loans.selectors import current_installments, loan_position
from tests.loans.services.conftest import close_through

ON = date(2026, 3, 2)
D = Decimal


@pytest.fixture
def members(make_user):
    return [make_user(Role.COMMITTEE_MEMBER, username=f"sc-member-{n}") for n in range(3)]


def _prepay(loan, accountant, amount, on, mode):
    prepayment, _created = services.prepayment_post(
        loan_id=loan.pk, amount=D(amount), on=on, mode=mode, channel="cash", by=accountant, today=on
    )
    loan.refresh_from_db()
    return prepayment


def _restructure(loan, officer, members, on, **change):
    request = services.restructuring_request(
        loan_id=loan.pk, requested_on=on, reason="harvest", by=officer, today=on, **change
    )
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    item = services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=request.pk, by=members[0]
    )
    for member in members:
        committee.vote_cast(item_id=item.pk, choice="for", by=member)
    committee.item_decide(item_id=item.pk, by=members[0])
    services.restructuring_apply(restructuring_id=request.pk, on=on, by=officer, today=on)
    loan.refresh_from_db()


def test_the_money_of_a_prepayment_cannot_be_reversed(active_loan, pay, accountant):
    loan = active_loan(on=ON)
    for line in list(current_installments(loan))[:2]:
        pay(loan, line.total, line.due_date)
    prepayment = _prepay(loan, accountant, "400000", date(2026, 5, 15), "shorten_term")
    with pytest.raises(ConflictError) as refused:
        services.payment_reverse(payment_id=prepayment.payment_id, reason="bounced", by=accountant)
    assert refused.value.code == "before_schedule_change"


def test_a_payment_before_a_change_of_terms_cannot_be_reversed(
    active_loan, pay, officer, members, accountant
):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    payment = pay(loan, first.total, first.due_date)
    _restructure(loan, officer, members, first.due_date, term_months=18)
    with pytest.raises(ConflictError):
        services.payment_reverse(payment_id=payment.pk, reason="bounced", by=accountant)
    rows = list(current_installments(loan))
    assert rows[-1].cumulative_principal == loan.amount  # the paid instalment was kept


def test_a_backdated_transfer_that_covered_the_payoff_closes_the_loan_on_its_date(active_loan, pay):
    loan = active_loan(on=ON)
    on = date(2026, 3, 20)
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
    close_through(ON, date(2026, 3, 23))  # the weekend closed before the transfer was posted
    pay(loan, quote.to_pay, on, today=date(2026, 3, 23))
    loan.refresh_from_db()
    position = loan_position(loan)
    assert loan.status == Loan.Status.CLOSED and loan.closed_on == on
    assert (position.principal, position.interest, position.penalty, position.held) == (0, 0, 0, 0)
    assert position.interest_accrued == quote.interest  # nothing charged after the value date
    assert not LoanSnapshot.objects.filter(loan=loan, on__gt=on).exists()


def test_restructuring_charges_each_days_interest_once(active_loan, officer, members):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()  # due 2 April, never paid
    on = date(2026, 4, 30)
    close_through(ON, on - timedelta(days=1))
    _restructure(loan, officer, members, on, term_months=18)
    new = [row for row in current_installments(loan) if row.due_date > on]
    # the principal not yet due earned interest from 2 April to the change at the old rate;
    # the rescheduled schedule counts from the change on (late principal bore overdue interest)
    earned = accrued_interest(
        loan.amount - first.principal, D("12"), first.due_date, on, DayCount(loan.day_count)
    )
    from_change = accrued_interest(
        loan.amount, loan.annual_rate, on, new[0].due_date, DayCount(loan.day_count)
    )
    assert new[0].interest == earned + from_change


def test_re_running_an_old_date_after_two_changes_changes_nothing(
    active_loan, pay, officer, members, accountant
):
    loan = active_loan(on=ON)
    changed = date(2026, 4, 30)
    close_through(ON, changed - timedelta(days=1))
    _restructure(loan, officer, members, changed, term_months=18, annual_rate=D("10"))
    close_through(changed, date(2026, 6, 9))
    prepaid_on = date(2026, 6, 10)
    pay(loan, services.payoff_quote_on(loan_id=loan.pk, on=prepaid_on).overdue, prepaid_on)
    _prepay(loan, accountant, "300000", prepaid_on, "reduce_payment")
    close_through(prepaid_on, date(2026, 6, 20))
    before = loan_position(loan)
    snapshot = LoanSnapshot.objects.get(loan=loan, on=date(2026, 6, 20))
    services.close_day(on=date(2026, 4, 25))  # an operator re-runs an old date
    assert loan_position(loan) == before
    again = LoanSnapshot.objects.get(loan=loan, on=date(2026, 6, 20))
    assert (again.principal_late, again.days_past_due) == (
        snapshot.principal_late,
        snapshot.days_past_due,
    )


def test_two_prepayments_the_same_day_then_the_payoff(active_loan, pay, accountant):
    loan = active_loan(on=ON)
    for line in list(current_installments(loan))[:2]:
        pay(loan, line.total, line.due_date)
    on = date(2026, 5, 15)
    _prepay(loan, accountant, "300000", on, "reduce_payment")
    _prepay(loan, accountant, "350000", on, "shorten_term")
    assert list(current_installments(loan))[-1].cumulative_principal == loan.amount
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
    assert quote.principal == loan_position(loan).principal and quote.interest == 0
    pay(loan, quote.to_pay, on)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED


def test_money_moved_from_a_closed_contract_is_not_dated_before_a_change(
    active_loan, pay, accountant
):
    old = active_loan(on=ON, amount="300000", term=6)
    pay(
        old,
        services.payoff_quote_on(loan_id=old.pk, on=date(2026, 3, 10)).to_pay,
        date(2026, 3, 10),
    )
    new = active_loan(on=date(2026, 3, 12), amount="1000000", term=12)
    for line in current_installments(new).filter(due_date__lte=date(2026, 5, 20)):
        pay(new, line.total, line.due_date)
    _prepay(new, accountant, "400000", date(2026, 5, 21), "reduce_payment")
    pay(old, D("1000"), date(2026, 5, 15), today=date(2026, 5, 22))
    moved = Payment.objects.get(moved_from__isnull=False)
    assert moved.loan_id == new.pk and moved.value_date == date(2026, 5, 21)
