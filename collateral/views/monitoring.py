"""Monitoring a pledged item: its inspections and insurance payouts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from collateral import services
from collateral.forms import InspectionForm, InsurancePayoutForm
from collateral.presenters import as_percent, coverage_for
from collateral.selectors import latest_appraisal
from collateral.views.common import MONITOR_ROLES, open_application, open_item, show_refusal
from core.errors import DomainError
from core.permissions import role_required


def _monitoring_page(request, pk: int, form: forms.Form, template: str, action, done):
    item = open_item(pk)
    if request.method == "POST" and form.is_valid():
        try:
            result = action(item, form.cleaned_data)
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, done(result))
            return redirect(reverse("collateral:item", args=[pk]) + f"#{template}s")
    application = open_application(request, item.application_id)
    return render(
        request,
        f"collateral/{template}_form.html",
        {
            "form": form,
            "item": item,
            "application": application,
            "coverage": coverage_for(application),
            "last_inspection": item.inspections.first(),
            "appraisal": latest_appraisal(item),
        },
        status=400 if form.is_bound else 200,
    )


def _inspection_done(inspection) -> str:
    if inspection.coverage_after is None:
        return _("The inspection is recorded.")
    text = _("The inspection is recorded; the collateral now covers %(coverage)s %%.") % {
        "coverage": formats.number_format(as_percent(inspection.coverage_after), 2)
    }
    if inspection.below_required_coverage:
        text += " " + _("Below the required coverage: ask for more collateral.")
    return text


@role_required(*MONITOR_ROLES)
def inspection_create(request, pk: int):
    return _monitoring_page(
        request,
        pk,
        InspectionForm(request.POST or None, request.FILES or None),
        "inspection",
        lambda item, data: services.inspection_record(
            item_id=item.pk,
            by=request.user,
            photos=tuple(photo for photo in [data.get("photo")] if photo),
            **{k: v for k, v in data.items() if k != "photo"},
        ),
        _inspection_done,
    )


def _payout_done(payout) -> str:
    if not payout.excess:
        return _("The payout is recorded; the secured debt absorbs all of it.")
    return _("The payout is recorded; pay %(excess)s KZT over to the pledgor by %(date)s.") % {
        "excess": formats.number_format(payout.excess, 2, force_grouping=True),
        "date": payout.pay_excess_by.strftime("%d.%m.%Y"),
    }


@role_required(*MONITOR_ROLES)
def payout_create(request, pk: int):
    return _monitoring_page(
        request,
        pk,
        InsurancePayoutForm(request.POST or None),
        "payout",
        lambda item, data: services.insurance_payout_record(
            item_id=item.pk, by=request.user, **data
        ),
        _payout_done,
    )
