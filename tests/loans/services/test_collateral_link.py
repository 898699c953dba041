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


def test_a_closed_loans_collateral_is_released_from_its_pages_with_the_documents(
    active_loan, pay, client_as
):
    from django.urls import reverse
    from django.utils import timezone

    from core.roles import Role

    loan = active_loan(on=ON, amount="300000", term=2)
    item = _item(loan)
    item.title_documents.create(
        name="Vehicle registration certificate",
        number="KZ 123",
        original_received_at=timezone.now(),
    )
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    release = reverse("collateral:item-release", args=[item.pk])
    assert client.post(release).status_code == 400  # the loan is still being repaid
    for line in current_installments(loan):
        pay(loan, line.total, line.due_date)
    loan_page = reverse("portfolio:loan", args=[loan.pk])
    assert "data-release " in client.get(loan_page).content.decode()
    assert client.post(release).status_code == 302
    item.refresh_from_db()
    assert item.released_at is not None
    page = client.get(loan_page).content.decode()
    assert "data-release-documents" in page
    receipt = reverse("collateral-documents:release-receipt", args=[item.pk, "ru"])
    assert receipt in page
    assert client.get(receipt)["Content-Type"] == "application/pdf"
