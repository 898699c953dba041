"""Downloads of the loan's documents as PDF, in Kazakh or Russian: the contract, the payment
receipt, the additional agreement of a schedule change, the demand letter, the payoff statement.

Every download is a view of the credit file and is audited on the loan (DOMAIN.md §14).
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit
from core.errors import DomainError
from core.pdf import Printed
from core.permissions import role_required
from core.privacy import Category, sees
from core.roles import Role
from core.throttling import heavy_page
from loans import change_documents, documents
from loans.models import Demand, Loan, Payment, ScheduleVersion
from loans.services import payoff_quote_on

CONTRACT_READERS = (
    Role.CREDIT_ADMINISTRATOR,
    Role.ACCOUNTANT,
    Role.MONITORING_MANAGER,
    Role.ADMINISTRATOR,
)
RECEIPT_READERS = (Role.ACCOUNTANT, Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.COLLECTOR)
# Collectors issue acceleration demands and hand the letters over (loans.roles.DEMAND_ROLES).
DEMAND_READERS = (*CONTRACT_READERS, Role.COLLECTOR)


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
@heavy_page
def contract_pdf(request, loan_id: int, language: str):
    _check_language(language)
    loan = get_object_or_404(
        Loan.objects.select_related("borrower", "product", "branch"), pk=loan_id
    )
    printed = documents.contract_pdf(
        loan,
        language=language,
        show_identifiers=sees(request.user, Category.IDENTIFIER),
        show_contacts=sees(request.user, Category.CONTACTS),
    )
    return _answer(request, printed, loan=loan, language=language, target={"document": "contract"})


@role_required(*RECEIPT_READERS)
@heavy_page
def receipt_pdf(request, payment_id: int, language: str):
    _check_language(language)
    payment = get_object_or_404(
        Payment.objects.select_related("loan__borrower", "received_by"), pk=payment_id
    )
    printed = documents.receipt_pdf(
        payment, language=language, show_identifiers=sees(request.user, Category.IDENTIFIER)
    )
    return _answer(
        request,
        printed,
        loan=payment.loan,
        language=language,
        target={"document": "receipt", "payment": payment.pk},
    )


# The agreement, the demand and the payoff statement are the borrower's papers on the loan,
# read by whoever may read its contract.


def _loan(loan_id: int) -> Loan:
    return get_object_or_404(
        Loan.objects.select_related("borrower", "product", "branch"), pk=loan_id
    )


@role_required(*CONTRACT_READERS)
@heavy_page
def agreement_pdf(request, loan_id: int, version: int, language: str):
    _check_language(language)
    loan = _loan(loan_id)
    try:
        schedule_version = change_documents.agreement_version(loan, version)
    except ScheduleVersion.DoesNotExist:
        raise Http404 from None
    printed = change_documents.agreement_pdf(
        loan,
        schedule_version,
        language=language,
        show_identifiers=sees(request.user, Category.IDENTIFIER),
        show_contacts=sees(request.user, Category.CONTACTS),
    )
    return _answer(
        request,
        printed,
        loan=loan,
        language=language,
        target={"document": "agreement", "version": schedule_version.version},
    )


@role_required(*DEMAND_READERS)
@heavy_page
def demand_pdf(request, demand_id: int, language: str):
    _check_language(language)
    demand = get_object_or_404(
        Demand.objects.select_related("loan__borrower", "loan__branch", "issued_by"),
        pk=demand_id,
    )
    printed = change_documents.demand_pdf(
        demand,
        language=language,
        show_identifiers=sees(request.user, Category.IDENTIFIER),
        show_contacts=sees(request.user, Category.CONTACTS),
    )
    return _answer(
        request,
        printed,
        loan=demand.loan,
        language=language,
        target={"document": "demand", "demand": demand.pk},
    )


@role_required(*CONTRACT_READERS)
@heavy_page
def payoff_pdf(request, loan_id: int, language: str):
    _check_language(language)
    loan = _loan(loan_id)
    raw = request.GET.get("on")
    try:
        on = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return HttpResponseBadRequest("on: a date as YYYY-MM-DD", content_type="text/plain")
    try:
        quote = payoff_quote_on(loan_id=loan.pk, on=on)
    except DomainError as error:
        return HttpResponse(
            error.message, status=error.http_status, content_type="text/plain; charset=utf-8"
        )
    printed = change_documents.payoff_pdf(
        loan, quote, language=language, show_identifiers=sees(request.user, Category.IDENTIFIER)
    )
    return _answer(
        request,
        printed,
        loan=loan,
        language=language,
        target={"document": "payoff", "on": on.isoformat()},
    )
