"""Browser pages for collateral, guarantees and inspections (DOMAIN.md §14–§15).

Credit administrators register and document an application's collateral; monitoring managers
inspect it and record insurance payouts; committee members and risk managers read. One service
call per POST; a refusal re-renders the page with the reason beside its field, nothing written.
Every page that shows a pledgor opens the credit file through the logging selector (§14).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applications.models import Application, Stage
from applications.selectors import credit_file_open
from collateral import services
from collateral.domain.valuation import coverage_shortfall
from collateral.forms import (
    AppraisalForm,
    CollateralItemForm,
    GuaranteeForm,
    InspectionForm,
    InsuranceForm,
    InsurancePayoutForm,
    PledgeAgreementForm,
    ReleaseForm,
    TitleDocumentForm,
)
from collateral.messages import ineligibility_message
from collateral.models import Appraisal, CollateralItem, Guarantee, PledgeAgreement
from collateral.selectors import (
    application_coverage,
    collateral_of,
    inspection_queue,
    item_reasons,
    latest_appraisal,
    pledge_values,
    required_coverage,
    secured_amount,
)
from core.errors import DomainError
from core.forms import add_domain_error
from core.money import ZERO
from core.navigation import QueueRow
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import Role, has_role

WRITE_ROLES = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR)
MONITOR_ROLES = (Role.MONITORING_MANAGER, Role.ADMINISTRATOR)
READ_ROLES = (*WRITE_ROLES, Role.COMMITTEE_MEMBER, Role.MONITORING_MANAGER, Role.RISK_MANAGER)
QUEUE_ROLES = (*MONITOR_ROLES, Role.RISK_MANAGER)
# An application that ended without a loan gives its collateral back. An accepted one has a
# loan, whose closure (not built yet) releases it (DOMAIN.md §9).
RELEASABLE = frozenset({Stage.REFUSED, Stage.WITHDRAWN, Stage.DECLINED})


def releasable(application) -> bool:
    """The application ended without a loan, or its loan is closed (DOMAIN.md §9, §15)."""
    loan = getattr(application, "loan", None)
    if loan is not None:
        return loan.status == loan.Status.CLOSED
    return application.stage in RELEASABLE


HOME_QUEUE_ROWS = 10
HUNDRED = Decimal(100)
PERCENT = Decimal("0.01")


def _show_refusal(form: forms.Form, error: DomainError) -> None:
    """Beside its field: the services name nested fields ``pledgor.identifier``, forms ``_``."""
    if error.field:
        error.field = error.field.replace(".", "_")
    add_domain_error(form, error)


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * HUNDRED).quantize(PERCENT)


def _application_date(application: Application) -> date:
    return timezone.localdate(application.created_at)


# --- coverage and the summary the application page and the credit package show ---------------


@dataclass(frozen=True)
class Coverage:
    """Pledge value of the items still pledged over the amount, against the product minimum."""

    amount: Decimal
    basis: str  # "approved", "requested" or "proposed"
    pledge_value: Decimal
    ratio: Decimal | None  # None: nothing appraised
    required: Decimal
    shortfall: Decimal

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.ratio)

    @property
    def required_percent(self) -> Decimal:
        return _percent(self.required)

    @property
    def meets(self) -> bool:
        return self.ratio is not None and self.ratio >= self.required

    @property
    def state(self) -> str:
        if not self.required:
            return "not_required"
        if self.ratio is None:
            return "not_appraised"
        return "meets" if self.meets else "below"


def coverage_for(application: Application, amount: Decimal | None = None) -> Coverage:
    if amount is not None:
        basis = "proposed"
    elif getattr(getattr(application, "decision", None), "amount", None):
        basis = "approved"
    else:
        basis = "requested"
    amount = amount or secured_amount(application)
    values = pledge_values(application)
    required = required_coverage(application)
    return Coverage(
        amount=amount,
        basis=basis,
        pledge_value=sum(values, ZERO),
        ratio=application_coverage(application, amount),
        required=required,
        shortfall=coverage_shortfall(values, amount, required) if required else ZERO,
    )


@dataclass(frozen=True)
class ItemRow:
    item: CollateralItem
    appraisal: Appraisal | None
    reasons: list[str]
    pledge: PledgeAgreement | None


def _item_rows(application: Application) -> list[ItemRow]:
    on = _application_date(application)
    return [
        ItemRow(
            item=item,
            appraisal=latest_appraisal(item),
            reasons=[] if item.released_at else [
                ineligibility_message(reason) for reason in item_reasons(item, on=on)
            ],
            pledge=getattr(item, "pledge", None),
        )
        for item in collateral_of(application).select_related("pledge")
    ]  # fmt: skip


def _guarantee_rows(application: Application, user) -> list[tuple[Guarantee, str]]:
    guarantees = application.guarantees.order_by("registered_at", "pk")
    return [(g, identifier_for(user, g.identifier)) for g in guarantees]


def application_summary(application: Application, *, user, proposed: Decimal | None = None) -> dict:
    """What the application page and the credit package show of the collateral."""
    coverage = coverage_for(application)
    return {
        "application": application,
        "secured": application.product.secured,
        "rows": _item_rows(application),
        "guarantees": _guarantee_rows(application, user),
        "coverage": coverage,
        "proposed_coverage": coverage_for(application, proposed)
        if proposed and proposed != coverage.amount
        else None,
    }


# --- an application's collateral and guarantees --------------------------------------------


def _open_application(request, application_id: int) -> Application:
    try:
        return credit_file_open(application_id=application_id, user=request.user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _takes_collateral(application: Application) -> bool:
    return application.stage in services.OPEN_STAGES


def _application_page(request, application: Application, guarantee_form=None, status=200):
    user = request.user
    can_write = has_role(user, WRITE_ROLES)
    is_open = _takes_collateral(application)
    context = application_summary(application, user=user)
    context.update(
        {
            "applicant_identifier": identifier_for(user, application.applicant.identifier),
            "can_write": can_write,
            "may_register": can_write and is_open and application.product.secured,
            "is_open": is_open,
            "guarantee_form": (guarantee_form or GuaranteeForm())
            if can_write and is_open
            else None,
            "stray_form": guarantee_form if guarantee_form and not is_open else None,
        }
    )
    return render(request, "collateral/application.html", context, status=status)


@role_required(*READ_ROLES)
def application_collateral(request, application_id: int):
    return _application_page(request, _open_application(request, application_id))


@role_required(*WRITE_ROLES)
def item_create(request, application_id: int):
    application = _open_application(request, application_id)
    form = CollateralItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.collateral_item_register(
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                data=form.item_data(),
                pledgor=form.pledgor_data(),
                by=request.user,
            )
        except DomainError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, _("The collateral item is registered."))
            return redirect("collateral:item", pk=item.pk)
    return render(
        request,
        "collateral/item_form.html",
        {
            "form": form,
            "application": application,
            "applicant_identifier": identifier_for(request.user, application.applicant.identifier),
            "is_open": _takes_collateral(application) and application.product.secured,
        },
        status=400 if form.is_bound else 200,
    )


@role_required(*WRITE_ROLES)
@require_POST
def guarantee_add(request, application_id: int):
    application = get_object_or_404(Application, pk=application_id)
    form = GuaranteeForm(request.POST)
    if form.is_valid():
        try:
            services.guarantee_add(
                application_id=application.pk, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, _("The guarantee is registered."))
            return redirect("collateral:application", application_id=application.pk)
    application = _open_application(request, application.pk)
    return _application_page(request, application, guarantee_form=form, status=400)


# --- an item ------------------------------------------------------------------------------


def _item(pk: int) -> CollateralItem:
    return get_object_or_404(
        CollateralItem.objects.select_related("pledgor", "registered_by", "application"), pk=pk
    )


def _item_context(request, item: CollateralItem, failed: dict[str, forms.Form]) -> dict:
    user = request.user
    application = _open_application(request, item.application_id)
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
        "application_date": _application_date(application),
        "reasons": [] if item.released_at else [
            ineligibility_message(reason)
            for reason in item_reasons(item, on=_application_date(application))
        ],
        "title_documents": item.title_documents.order_by("pk"),
        "appraisals": item.appraisals.select_related("recorded_by"),
        "pledge": pledge,
        "insurances": item.insurances.all(),
        "inspections": [
            (inspection, _percent(inspection.coverage_after))
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
    item = _item(pk)
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
            _show_refusal(form, exc)
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
    item = _item(pk)
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


# --- monitoring: inspections and insurance payouts -----------------------------------------


def _monitoring_page(request, pk: int, form: forms.Form, template: str, action, done):
    item = _item(pk)
    if request.method == "POST" and form.is_valid():
        try:
            result = action(item, form.cleaned_data)
        except DomainError as exc:
            _show_refusal(form, exc)
        else:
            messages.success(request, done(result))
            return redirect(reverse("collateral:item", args=[pk]) + f"#{template}s")
    application = _open_application(request, item.application_id)
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
        "coverage": formats.number_format(_percent(inspection.coverage_after), 2)
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


@dataclass(frozen=True)
class QueueEntry:
    item: CollateralItem
    due: date
    days_overdue: int
    last_inspected_on: date | None


def _inspections_due(user) -> list[QueueEntry]:
    """The selector's overdue items, most overdue first, with what the page shows of them."""
    overdue = inspection_queue(as_of=timezone.localdate(), user=user)
    items = (
        CollateralItem.objects.select_related("application__applicant")
        .annotate(last_inspected_on=Max("inspections__inspected_on"))
        .in_bulk([row.item_id for row in overdue])
    )
    return [
        QueueEntry(
            items[row.item_id], row.due, row.days_overdue, items[row.item_id].last_inspected_on
        )
        for row in overdue
        if row.item_id in items
    ]


@role_required(*QUEUE_ROLES)
def inspection_queue_page(request):
    return render(
        request,
        "collateral/inspection_queue.html",
        {
            "rows": _inspections_due(request.user),
            "can_inspect": has_role(request.user, MONITOR_ROLES),
        },
    )


def home_inspection_rows(user) -> list[QueueRow]:
    """The monitoring manager's queue on the home page (``core.navigation.WORK_QUEUES``)."""
    rows = _inspections_due(user)
    shown = [
        QueueRow(
            label=row.item.application.number,
            url=reverse("collateral:inspection-create", args=[row.item.pk]),
            detail=ngettext(
                "%(item)s · %(borrower)s · due %(due)s, %(days)s day overdue",
                "%(item)s · %(borrower)s · due %(due)s, %(days)s days overdue",
                row.days_overdue,
            )
            % {
                "item": str(row.item),
                "borrower": row.item.application.applicant.name,
                "due": row.due.strftime("%d.%m.%Y"),
                "days": row.days_overdue,
            },
            overdue=True,
        )
        for row in rows[:HOME_QUEUE_ROWS]
    ]
    if len(rows) > HOME_QUEUE_ROWS:
        shown.append(
            QueueRow(
                label=_("All %(count)s items due") % {"count": len(rows)},
                url=reverse("collateral:inspection-queue"),
            )
        )
    return shown
