from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from core.money import to_tiyn
from loans import services
from loans.models import Installment, LedgerEntry, LoanSnapshot, Payment
from loans.selectors import current_installments, loan_position
from tests.loans.services.conftest import close_through

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)  # first due 2026-04-02 (Thu), second 2026-05-02 (Sat → Mon 05-04)


def _split(payment) -> dict[str, Decimal]:
    return {entry.component: -entry.amount for entry in payment.entries.all()}


def test_a_payment_on_the_due_date_repays_that_instalment(active_loan, pay):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    payment = pay(loan, first.total, date(2026, 4, 2))
    assert _split(payment) == {"principal": first.principal, "interest": first.interest}
    position = loan_position(loan)
    assert position.principal == loan.amount - first.principal
    assert position.interest == 0 and position.held == 0


def test_money_before_anything_is_due_is_held_and_applied_on_the_due_date(active_loan, pay):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    payment = pay(loan, Decimal("100000.00"), date(2026, 3, 20))
    assert _split(payment) == {"held": Decimal("100000.00")}
    close_through(ON, date(2026, 4, 2))
    snapshot = LoanSnapshot.objects.get(loan=loan, on=date(2026, 4, 2))
    assert snapshot.held == Decimal("100000.00") - first.total
    assert snapshot.principal == loan.amount - first.principal
    assert snapshot.interest == 0 and snapshot.days_past_due == 0
    assert Installment.objects.get(pk=first.pk).status == Installment.Status.PAID


def test_a_partial_payment_goes_to_overdue_principal_then_interest_then_penalty(active_loan, pay):
    loan = active_loan(on=ON)
    close_through(ON, date(2026, 4, 21))  # the first instalment is 19 days late
    before = loan_position(loan)
    first = current_installments(loan).first()
    assert before.penalty > 0 and before.interest > first.interest  # overdue interest accrued
    payment = pay(loan, first.principal + Decimal("10.00"), date(2026, 4, 21))
    assert _split(payment) == {"principal": first.principal, "interest": Decimal("10.00")}
    larger = pay(loan, Decimal("500000.00"), date(2026, 4, 21))  # less than the payoff
    split = _split(larger)
    assert split["interest"] == before.interest - Decimal("10.00")
    assert split["penalty"] == before.penalty
    assert "principal" not in split  # the next instalment is not due yet
    assert split["held"] == Decimal("500000.00") - split["interest"] - split["penalty"]


def test_a_weekend_due_date_paid_on_the_next_business_day_bears_no_penalty(active_loan, pay):
    loan = active_loan(on=ON)
    first, second = list(current_installments(loan))[:2]
    assert second.due_date == date(2026, 5, 2) and second.grace_date == date(2026, 5, 4)
    pay(loan, first.total, date(2026, 4, 2))
    pay(loan, second.total, date(2026, 5, 4))
    close_through(ON, date(2026, 5, 10))
    position = loan_position(loan)
    assert position.penalty == 0
    assert position.interest == 0
    assert not LedgerEntry.objects.filter(kind="penalty_accrual").exists()


def test_the_day_after_the_grace_date_is_charged(active_loan, pay):
    loan = active_loan(on=ON)
    first, second = list(current_installments(loan))[:2]
    pay(loan, first.total, date(2026, 4, 2))
    close_through(ON, date(2026, 5, 5))
    pay(loan, second.total, date(2026, 5, 5))
    close_through(date(2026, 5, 5), date(2026, 5, 10))
    # Day 05-05 was late (grace ended 05-04): one day of 1 % on the whole instalment,
    # and one day of interest on its principal.
    assert loan_position(loan).penalty == to_tiyn(second.total * Decimal("0.01"))


def test_a_holiday_due_date_moves_the_grace_date_to_the_next_business_day(active_loan):
    loan = active_loan(on=date(2026, 2, 23))  # first due 2026-03-23: Nauryz
    first = current_installments(loan).first()
    assert first.due_date == date(2026, 3, 23)
    assert first.grace_date > date(2026, 3, 23)


def test_bad_input_names_the_field_and_writes_nothing(active_loan, pay):
    loan = active_loan(on=ON)
    entries = LedgerEntry.objects.count()
    for amount, on, today, field in (
        (Decimal("0"), date(2026, 4, 2), date(2026, 4, 2), "amount"),
        (Decimal("10.001"), date(2026, 4, 2), date(2026, 4, 2), "amount"),
        (Decimal("10"), date(2026, 4, 3), date(2026, 4, 2), "value_date"),
        (Decimal("10"), date(2026, 3, 1), date(2026, 4, 2), "value_date"),
    ):
        with pytest.raises(DomainError) as refused:
            pay(loan, amount, on, today=today)
        assert refused.value.field == field
    assert LedgerEntry.objects.count() == entries
    assert not Payment.objects.exists()


def test_the_same_idempotency_key_posts_once(active_loan, pay):
    loan = active_loan(on=ON)
    first = pay(loan, Decimal("5000"), date(2026, 4, 2), idempotency_key="k-1", fingerprint="f")
    again = pay(loan, Decimal("5000"), date(2026, 4, 2), idempotency_key="k-1", fingerprint="f")
    assert first.pk == again.pk
    assert Payment.objects.count() == 1
    with pytest.raises(ConflictError):
        pay(loan, Decimal("6000"), date(2026, 4, 2), idempotency_key="k-1", fingerprint="g")


def test_a_payment_on_a_closed_contract_moves_to_the_active_one(active_loan, pay, officer):
    from loans.models import Loan

    old = active_loan(on=ON, amount="300000", term=3)
    for line in current_installments(old):
        pay(old, line.total, line.due_date)
    old.refresh_from_db()
    assert old.status == Loan.Status.CLOSED  # the last instalment paid closed it
    new = active_loan(on=date(2026, 6, 10), amount="500000", term=6)
    stray = pay(old, Decimal("7000"), date(2026, 6, 15))
    old_position, new_position = loan_position(old), loan_position(new)
    assert old_position.held == 0  # came in and went out
    assert new_position.held == Decimal("7000")  # nothing due yet on the new loan: held
    moved = Payment.objects.get(moved_from=stray)
    assert moved.loan == new and moved.amount == stray.amount


def test_a_loan_with_anything_open_is_not_closed(active_loan, officer):
    loan = active_loan(on=ON)
    with pytest.raises(ConflictError) as refused:
        services.loan_close(loan_id=loan.pk, on=date(2026, 4, 1), by=officer)
    assert refused.value.code == "obligations_open"
