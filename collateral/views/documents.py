"""Downloads of the collateral documents as PDF, in Kazakh or Russian, each one audited.

Those who prepare and keep the credit file (credit administrators, administrators, monitoring
managers) print every document; committee members and risk managers read the agreements.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from collateral import documents
from collateral.models import CollateralItem, Guarantee
from core.audit import audit
from core.permissions import role_required
from core.privacy import Category, sees
from core.roles import Role
from core.throttling import heavy_page

PRINTERS = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.MONITORING_MANAGER)
AGREEMENT_READERS = (*PRINTERS, Role.COMMITTEE_MEMBER, Role.RISK_MANAGER)


def _item(pk: int) -> CollateralItem:
    return get_object_or_404(
        CollateralItem.objects.select_related(
            "pledgor", "application__applicant", "application__product", "application__decision"
        ),
        pk=pk,
    )


def _download(
    request, *, kind: str, language: str, application, target: dict, build: Callable
) -> HttpResponse:
    """Render, audit who printed what (loan secrecy, DOMAIN.md §14), answer with the PDF."""
    try:
        printed = build(language)
    except documents.DocumentNotAvailable as error:
        return render(
            request,
            "collateral/documents/not_available.html",
            {"message": error.message},
            status=error.http_status,
        )
    audit(
        application,
        "collateral.document_printed",
        by=request.user,
        data={"document": kind, **target, "number": printed.number, "language": language},
    )
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printed.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*AGREEMENT_READERS)
@heavy_page
def pledge_agreement_pdf(request, pk: int, language: str):
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    item = _item(pk)
    show = sees(request.user, Category.IDENTIFIER)
    show_property = sees(request.user, Category.PROPERTY)
    return _download(
        request,
        kind="pledge_agreement",
        language=language,
        application=item.application,
        target={"item": item.pk},
        build=lambda lang: documents.pledge_agreement_pdf(
            item, language=lang, show_identifiers=show, show_property=show_property
        ),
    )


@role_required(*AGREEMENT_READERS)
@heavy_page
def guarantee_agreement_pdf(request, pk: int, language: str):
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    guarantee = get_object_or_404(
        Guarantee.objects.select_related(
            "application__applicant", "application__product", "application__decision"
        ),
        pk=pk,
    )
    show = sees(request.user, Category.IDENTIFIER)
    return _download(
        request,
        kind="guarantee_agreement",
        language=language,
        application=guarantee.application,
        target={"guarantee": guarantee.pk},
        build=lambda lang: documents.guarantee_agreement_pdf(
            guarantee, language=lang, show_identifiers=show
        ),
    )


@role_required(*PRINTERS)
@heavy_page
def release_receipt_pdf(request, pk: int, language: str):
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    item = _item(pk)
    return _download(
        request,
        kind="release_receipt",
        language=language,
        application=item.application,
        target={"item": item.pk},
        build=lambda lang: documents.release_receipt_pdf(item, language=lang),
    )


@role_required(*PRINTERS)
@heavy_page
def encumbrance_letter_pdf(request, pk: int, language: str):
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    item = _item(pk)
    return _download(
        request,
        kind="encumbrance_letter",
        language=language,
        application=item.application,
        target={"item": item.pk},
        build=lambda lang: documents.encumbrance_letter_pdf(item, language=lang),
    )
