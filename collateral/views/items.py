"""A collateral item's page: its title documents, appraisals, pledge agreement, insurance and
release, one form each."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collateral import services
from collateral.forms import (
    AppraisalForm,
    InsuranceForm,
    PledgeAgreementForm,
    ReleaseForm,
    TitleDocumentForm,
)
from collateral.messages import ineligibility_message
from collateral.models import CollateralItem
from collateral.presenters import application_date, as_percent, coverage_for
from collateral.selectors import item_reasons
from collateral.views.common import (
    MONITOR_ROLES,
    READ_ROLES,
    WRITE_ROLES,
    open_application,
    open_item,
    releasable,
    show_refusal,
)
from core.errors import DomainError
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import has_role


def _item_context(request, item: CollateralItem, failed: dict[str, forms.Form]) -> dict:
    user = request.user
    application = open_application(request, item.application_id)
    can_write = has_role(user, WRITE_ROLES) and not item.released_at
    offered = {"title_document", "appraisal", "pledge", "insurance"} if can_write else set()
    if can_write and releasable(application):
        offered.add("release")

    def form(key: str, make: Callable[[], forms.Form]) -> forms.Form | None:
        return (failed.get(key) or make()) if key in offered else None

    pledge = getattr(item, "pledge", None)
    return {
        "item": item,
        "application": application,
        "pledgor_identifier": identifier_for(user, item.pledgor.identifier),
        "application_date": application_date(application),
        "reasons": [] if item.released_at else [
            ineligibility_message(reason)
            for reason in item_reasons(item, on=application_date(application))
        ],
        "title_documents": item.title_documents.order_by("pk"),
        "appraisals": item.appraisals.select_related("recorded_by"),
        "pledge": pledge,
        "insurances": item.insurances.all(),
        "inspections": [
            (inspection, as_percent(inspection.coverage_after))
            for inspection in item.inspections.select_related("inspector")
        ],
        "payouts": item.payouts.order_by("-received_on", "-pk"),
        "coverage": coverage_for(application),
        "can_write": can_write,
        "can_inspect": has_role(user, MONITOR_ROLES) and not item.released_at,
        "title_document_form": form("title_document", TitleDocumentForm),
        "appraisal_form": form("appraisal", AppraisalForm),
        "pledge_form": form("pledge", lambda: PledgeAgreementForm.for_agreement(pledge)),
        "insurance_form": form("insurance", InsuranceForm),
        "release_form": form("release", ReleaseForm),
        "stray_form": next((f for key, f in failed.items() if key not in offered), None),
    }  # fmt: skip


def _item_response(request, pk: int, *, failed: dict | None = None, status: int = 200):
    item = open_item(pk)
    return render(
        request,
        "collateral/item_detail.html",
        _item_context(request, item, failed or {}),
        status=status,
    )


@role_required(*READ_ROLES)
def item_detail(request, pk: int):
    return _item_response(request, pk)


def _perform(request, pk: int, key: str, form: forms.Form, action: Callable, done: str):
    """One service call; a refusal goes back to the item page beside its form, nothing written."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except DomainError as exc:
            show_refusal(form, exc)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        else:
            messages.success(request, done)
            return redirect(reverse("collateral:item", args=[pk]) + f"#{key}")
    return _item_response(request, pk, failed={key: form}, status=400)


@role_required(*WRITE_ROLES)
@require_POST
def title_document_add(request, pk: int):
    return _perform(
        request,
        pk,
        "title_document",
        TitleDocumentForm(request.POST),
        lambda data: services.title_document_add(item_id=pk, by=request.user, **data),
        _("The title document is recorded."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def appraisal_record(request, pk: int):
    return _perform(
        request,
        pk,
        "appraisal",
        AppraisalForm(request.POST),
        lambda data: services.appraisal_record(item_id=pk, by=request.user, **data),
        _("The appraisal is recorded."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def pledge_register(request, pk: int):
    return _perform(
        request,
        pk,
        "pledge",
        PledgeAgreementForm(request.POST),
        lambda data: services.pledge_agreement_register(item_id=pk, by=request.user, **data),
        _("The pledge agreement is saved."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def insurance_add(request, pk: int):
    return _perform(
        request,
        pk,
        "insurance",
        InsuranceForm(request.POST),
        lambda data: services.insurance_add(item_id=pk, by=request.user, **data),
        _("The insurance policy is recorded."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def item_release(request, pk: int):
    item = open_item(pk)
    form = ReleaseForm(request.POST)
    if not releasable(item.application):
        # the service would also release an approved or accepted application's item: a live loan
        form.add_error(
            None,
            _("Collateral is released when the application ends without a loan or the loan "
              "is closed."),
        )  # fmt: skip
        return _item_response(request, pk, failed={"release": form}, status=400)
    return _perform(
        request,
        pk,
        "release",
        form,
        lambda data: services.collateral_release(item_id=pk, by=request.user),
        _("The item is released; give the originals back against a receipt."),
    )
