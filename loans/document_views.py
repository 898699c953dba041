"""Downloads of the loan contract and the payment receipt as PDF, in Kazakh or Russian.

Every download is a view of the credit file and is audited on the loan (DOMAIN.md §14).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from collateral.documents import Printed
from core.audit import audit
from core.permissions import role_required
from core.privacy import can_see_personal_data
from core.roles import Role
from loans import documents
from loans.models import Loan, Payment

CONTRACT_READERS = (
    Role.CREDIT_ADMINISTRATOR,
    Role.ACCOUNTANT,
    Role.MONITORING_MANAGER,
    Role.ADMINISTRATOR,
)
RECEIPT_READERS = (Role.ACCOUNTANT, Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.COLLECTOR)


def _check_language(language: str) -> None:
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404


def _answer(request, printed: Printed, *, loan: Loan, language: str, target: dict):
    audit(
        loan,
        "loan.document_viewed",
        by=request.user,
        data={**target, "number": printed.number, "language": language},
    )
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printed.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*CONTRACT_READERS)
def contract_pdf(request, loan_id: int, language: str):
    _check_language(language)
    loan = get_object_or_404(
        Loan.objects.select_related("borrower", "product", "branch"), pk=loan_id
    )
    printed = documents.contract_pdf(
        loan, language=language, show_identifiers=can_see_personal_data(request.user)
    )
    return _answer(request, printed, loan=loan, language=language, target={"document": "contract"})


@role_required(*RECEIPT_READERS)
def receipt_pdf(request, payment_id: int, language: str):
    _check_language(language)
    payment = get_object_or_404(
        Payment.objects.select_related("loan__borrower", "received_by"), pk=payment_id
    )
    printed = documents.receipt_pdf(
        payment, language=language, show_identifiers=can_see_personal_data(request.user)
    )
    return _answer(
        request,
        printed,
        loan=payment.loan,
        language=language,
        target={"document": "receipt", "payment": payment.pk},
    )
