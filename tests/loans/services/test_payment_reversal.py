from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import ConflictError, DomainError
from core.money import to_tiyn
from loans import services
from loans.models import Installment, LedgerEntry, LoanSnapshot
from loans.selectors import current_installments, loan_position
from tests.loans.services.conftest import close_through

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)


def test_a_reversed_payment_leaves_the_loan_as_if_it_never_came(active_loan, pay, accountant):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    payment = pay(loan, first.total + Decimal("5000"), date(2026, 4, 2))
    close_through(ON, date(2026, 4, 10))
    entries_before = LedgerEntry.objects.filter(loan=loan).count()
    services.payment_reverse(
        payment_id=payment.pk, reason="Posted to the wrong loan", by=accountant
    )
    position = loan_position(loan)
    # The first instalment is late again since 04-03: eight days of penalty and interest.
    assert position.principal == loan.amount and position.held == 0
    assert position.penalty == to_tiyn(first.total * Decimal("0.01") * 8)
    snapshot = LoanSnapshot.objects.get(loan=loan, on=date(2026, 4, 10))
    assert (snapshot.days_past_due, snapshot.overdue_principal) == (8, first.principal)
    first.refresh_from_db()
    assert first.status == Installment.Status.OVERDUE
    reversals = LedgerEntry.objects.filter(loan=loan, kind="reversal")
    assert reversals.count() == payment.entries.filter(kind="repayment").count()
    assert all(entry.reason == "Posted to the wrong loan" for entry in reversals)
    assert LedgerEntry.objects.filter(loan=loan).count() > entries_before  # nothing deleted
    with pytest.raises(ConflictError):
        services.payment_reverse(payment_id=payment.pk, reason="again", by=accountant)


def test_a_reversal_needs_a_reason(active_loan, pay, accountant):
    loan = active_loan(on=ON)
    payment = pay(loan, Decimal("1000"), date(2026, 3, 20))
    with pytest.raises(DomainError) as refused:
        services.payment_reverse(payment_id=payment.pk, reason=" ", by=accountant)
    assert refused.value.field == "reason"
    assert not LedgerEntry.objects.filter(kind="reversal").exists()
