"""Loans whose documents are printed, built through the services (tests/fixtures/lending.py)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from collateral.models import CollateralItem, Guarantee, PledgeAgreement, Pledgor
from loans import services as loan_services
from loans.models import Payment
from loans.selectors import current_installments

CONTRACT_DATE = date(2026, 3, 1)
DISBURSED_ON = date(2026, 3, 2)
BORROWER_NAME = "ИП Сейтқали"  # tests/fixtures/lending.py
BORROWER_IIN = "900101300017"
PLEDGOR_NAME = "Әлиева Гүлнұр Серікқызы"
PLEDGOR_IIN = "850512401232"
PLEDGE_NUMBER = "P-TEST-1"
VEHICLE = "Toyota Hilux 2024"
GUARANTOR_NAME = "Жұмабеков Нұрлан Қайратұлы"
GUARANTOR_IIN = "781103304561"
PAYER = "Сейтқали Айгүл"
OVERPAID = Decimal("10000.00")


def pdf_text(content: bytes) -> str:
    """The text of every page, with runs of whitespace (also no-break spaces) as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def money(value, language: str) -> str:
    """An amount as the document's language writes it, spaced as ``pdf_text`` leaves it."""
    with translation.override(language):
        written = formats.number_format(Decimal(value), 2, force_grouping=True)
    return " ".join(written.split())


def contract_url(loan, language: str) -> str:
    return reverse("loan-documents:contract", args=[loan.pk, language])


def receipt_url(payment, language: str) -> str:
    return reverse("loan-documents:receipt", args=[payment.pk, language])


@pytest.fixture
def loan(active_loan):
    """1,000,000 KZT for 12 months at 12 %, annuity, disbursed on 2 March 2026."""
    return active_loan(on=DISBURSED_ON)


@pytest.fixture
def draft_loan(accepted, officer):
    application = accepted()
    return loan_services.contract_create(
        application_id=application.pk,
        planned_disbursement_date=DISBURSED_ON,
        contract_date=CONTRACT_DATE,
        by=officer,
    )


@pytest.fixture
def secured_by(officer):
    """A pledged vehicle and a guarantee on the loan's application.

    Attached directly: the collateral rules (stages, coverage) are tested in tests/collateral.
    """

    def attach(loan):
        pledgor = Pledgor.objects.create(name=PLEDGOR_NAME, identifier=PLEDGOR_IIN)
        item = CollateralItem.objects.create(
            application=loan.application,
            kind="vehicle",
            pledgor=pledgor,
            description=VEHICLE,
            registered_by=officer,
        )
        PledgeAgreement.objects.create(item=item, number=PLEDGE_NUMBER)
        Guarantee.objects.create(
            application=loan.application,
            guarantor_name=GUARANTOR_NAME,
            identifier=GUARANTOR_IIN,
            amount=Decimal("500000"),
            registered_by=officer,
        )
        return loan

    return attach


@pytest.fixture
def payment(loan, accountant) -> Payment:
    """The first instalment paid on its due date, with 10,000 KZT more held for the next."""
    first = current_installments(loan).first()
    payment, _posted = loan_services.payment_post(
        loan_id=loan.pk,
        amount=first.total + OVERPAID,
        value_date=first.due_date,
        channel="cash",
        payer=PAYER,
        reference="PKO-17",
        by=accountant,
    )
    return payment
