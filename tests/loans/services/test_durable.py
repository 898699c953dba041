"""The loan use-cases are the outermost transaction (STYLE.md): each is
``transaction.atomic(durable=True)``, so a caller that wraps one in its own transaction gets a
``RuntimeError`` instead of a change that would commit, or not, with the caller's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from loans import services
from loans.models import ContactRecord, Loan, Payment
from tests.fixtures.lending import BORROWER_IBAN
from tests.transactions import rolled_back

ON = date(2026, 3, 2)


def test_a_contract_is_not_made_inside_another_transaction(accepted, officer):
    application = accepted()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=ON,
            contract_date=ON,
            payout_account=BORROWER_IBAN,
            payout_account_source="borrower_file",
            by=officer,
        )
    assert not Loan.objects.filter(application=application).exists()


def test_a_payment_is_not_posted_inside_another_transaction(active_loan, accountant):
    loan = active_loan(on=ON)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.payment_post(
            loan_id=loan.pk,
            amount=Decimal("10000.00"),
            value_date=ON,
            channel="cash",
            by=accountant,
            today=ON,
        )
    assert not Payment.objects.filter(loan=loan).exists()


def test_a_contact_is_not_recorded_inside_another_transaction(active_loan, collector):
    loan = active_loan(on=ON)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.contact_record(
            loan_id=loan.pk, channel="call", outcome="no_answer", by=collector, today=ON
        )
    assert not ContactRecord.objects.filter(loan=loan).exists()


def test_inside_the_tests_rolled_back_block_it_runs_and_is_undone(active_loan, accountant):
    loan = active_loan(on=ON)
    with rolled_back():
        payment, created = services.payment_post(
            loan_id=loan.pk,
            amount=Decimal("10000.00"),
            value_date=ON,
            channel="cash",
            by=accountant,
            today=ON,
        )
        assert created and Payment.objects.filter(pk=payment.pk).exists()
    assert not Payment.objects.filter(loan=loan).exists()
