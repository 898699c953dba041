from __future__ import annotations

from datetime import date

import pytest

from collateral import services as collateral
from collateral.models import CollateralItem, Pledgor
from collateral.selectors import secured_amount
from core.errors import ConflictError
from loans.selectors import current_installments

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)


def _item(loan) -> CollateralItem:
    pledgor = Pledgor.objects.create(
        applicant=loan.borrower, name=loan.borrower.name, identifier=loan.borrower.identifier
    )
    return CollateralItem.objects.create(
        application=loan.application,
        kind="vehicle",
        pledgor=pledgor,
        description="Toyota Hilux",
        registered_by=loan.officer,
    )


def test_collateral_secures_the_outstanding_debt_and_is_released_at_closure(
    active_loan, pay, officer
):
    loan = active_loan(on=ON, amount="300000", term=3)
    item = _item(loan)
    assert secured_amount(loan.application) == loan.amount
    lines = list(current_installments(loan))
    pay(loan, lines[0].total, lines[0].due_date)
    assert secured_amount(loan.application) == loan.amount - lines[0].principal
    with pytest.raises(ConflictError):
        collateral.collateral_release(item_id=item.pk, by=officer)
    for line in lines[1:]:
        pay(loan, line.total, line.due_date)
    loan.refresh_from_db()
    assert loan.status == loan.Status.CLOSED  # the last instalment closed the contract
    released = collateral.collateral_release(item_id=item.pk, by=officer)
    assert released.released_at is not None
