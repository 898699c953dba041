"""Who may download the contract and the receipt, in which languages, and the audit row."""

from __future__ import annotations

import pytest

from applications.models import Applicant
from core.models import AuditEvent
from core.roles import Role

from .conftest import BORROWER_IIN, contract_url, pdf_text, receipt_url

pytestmark = pytest.mark.django_db

NOT_FOR_CONTRACTS = (Role.COMMITTEE_MEMBER, Role.RISK_MANAGER, Role.COLLECTOR, Role.BRANCH_SYSTEM)
NOT_FOR_RECEIPTS = (
    Role.MONITORING_MANAGER,
    Role.COMMITTEE_MEMBER,
    Role.RISK_MANAGER,
    Role.BRANCH_SYSTEM,
)


def _viewed():
    return AuditEvent.objects.filter(action="loan.document_viewed")


def test_accountant_reads_the_contract_inline_with_the_iin_but_no_contacts_and_the_view_audited(
    client_as, loan
):
    Applicant.objects.filter(pk=loan.borrower_id).update(
        phone="+77015551234", legal_address="Алматы, ул. Абая 10"
    )
    response = client_as(Role.ACCOUNTANT).get(contract_url(loan, "ru"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="contract-{loan.number}-ru.pdf"'
    text = pdf_text(response.content)
    # need to know (core.privacy): payment orders name the IIN; the accountant calls no one
    assert BORROWER_IIN in text
    assert "+77015551234" not in text and "Абая" not in text
    event = _viewed().get()
    assert event.target_id == str(loan.pk)
    assert event.actor.groups.get().name == Role.ACCOUNTANT
    assert event.data == {"document": "contract", "number": loan.number, "language": "ru"}


def test_collector_prints_a_receipt_and_the_view_is_audited(client_as, payment):
    response = client_as(Role.COLLECTOR).get(receipt_url(payment, "kk"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="receipt-{payment.pk}-kk.pdf"'
    event = _viewed().get()
    assert event.target_id == str(payment.loan_id)
    assert event.data["document"] == "receipt"
    assert event.data["payment"] == payment.pk


def test_other_roles_are_refused(client_as, payment):
    for role in NOT_FOR_CONTRACTS:
        assert client_as(role).get(contract_url(payment.loan, "ru")).status_code == 403, role
    for role in NOT_FOR_RECEIPTS:
        assert client_as(role).get(receipt_url(payment, "ru")).status_code == 403, role
    assert not _viewed().exists()


def test_anonymous_visitors_are_sent_to_log_in(client, payment):
    for url in (contract_url(payment.loan, "kk"), receipt_url(payment, "kk")):
        response = client.get(url)

        assert response.status_code == 302
        assert "login" in response["Location"]
    assert not _viewed().exists()


def test_documents_exist_only_in_kazakh_and_russian(client_as, payment):
    client = client_as(Role.ADMINISTRATOR)
    for language in ("en", "de", "KK"):
        assert client.get(contract_url(payment.loan, language)).status_code == 404, language
        assert client.get(receipt_url(payment, language)).status_code == 404, language
    assert not _viewed().exists()


def test_an_unknown_loan_or_payment_is_not_found(client_as, db):
    client = client_as(Role.ADMINISTRATOR)

    assert client.get("/loans/documents/999999/contract/ru.pdf").status_code == 404
    assert client.get("/loans/documents/payments/999999/receipt/ru.pdf").status_code == 404
