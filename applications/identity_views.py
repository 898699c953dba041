"""Pages for corrections of identity (issue 15, item 2): the request on the applicant's page,
the queue of corrections awaiting a decision, approve and reject. One service call per POST;
a refusal re-renders the page with the reason beside its form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications import identity
from applications.branches import visible_applicants, visible_identity_corrections
from applications.identity_forms import CorrectionRejectForm, IdentityCorrectionForm
from applications.models import Applicant, IdentityCorrection
from applications.selectors import applicant_identity_fixed, identity_correction_list
from core.audit import HIDDEN, personal_values_shown
from core.errors import DomainError
from core.forms import add_domain_error
from core.navigation import QueueRow
from core.permissions import role_required
from core.privacy import can_see_personal_data
from core.roles import has_role
from core.selectors import audit_event_list

REQUEST_ROLES = tuple(identity.REQUEST_ROLES)
QUEUE_ROLES = tuple(identity.REQUEST_ROLES | identity.DECIDE_ROLES)
DECIDE_ROLES = tuple(identity.DECIDE_ROLES)
HISTORY_ROWS = 50
RECENT_DECISIONS = 20
DATE_FIELDS = frozenset({"birth_date", "tax_registration_date"})

# The audit events that change an applicant's personal data, with their old and new values.
PERSONAL_DATA_EVENTS = {
    "applicant.updated": gettext_lazy("Data changed"),
    "applicant.identity_correction_requested": gettext_lazy("Correction of identity requested"),
    "applicant.identity_corrected": gettext_lazy("Identity corrected (approved)"),
    "applicant.identity_correction_rejected": gettext_lazy("Correction of identity rejected"),
}


def _label(field: str) -> str:
    try:
        return str(capfirst(Applicant._meta.get_field(field).verbose_name))
    except Exception:  # a field since removed from the model: its name, as recorded
        return field


def _text(field: str, value: Any) -> str:
    if value in ("", None):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field in DATE_FIELDS and isinstance(value, str):  # as the audit's JSON keeps it
        try:
            value = date.fromisoformat(value)
        except ValueError:  # masked
            return value
    return str(formats.localize(value))


def _value_rows(user, old: dict, new: dict) -> list[dict]:
    """One row per field, ``old → new``, each value as ``user`` may see it."""
    old, new = personal_values_shown(user, old), personal_values_shown(user, new)
    return [
        {
            "field": field,
            "label": _label(field),
            "old": _text(field, old.get(field)),
            "new": _text(field, value),
        }
        for field, value in new.items()
    ]


def _correction_row(user, correction: IdentityCorrection) -> dict:
    old, new = identity.correction_values(correction)
    personal = can_see_personal_data(user)  # a reason may quote the document's numbers
    return {
        "correction": correction,
        "values": _value_rows(user, old, new),
        "reason": correction.reason if personal else HIDDEN,
        "comment": correction.decision_comment if personal else HIDDEN,
        "can_decide": has_role(user, DECIDE_ROLES) and correction.requested_by_id != user.pk,
    }


def _history(user, applicant: Applicant) -> list[dict]:
    events = audit_event_list().filter(
        target_type=ContentType.objects.get_for_model(Applicant),
        target_id=str(applicant.pk),
        action__in=PERSONAL_DATA_EVENTS,
    )[:HISTORY_ROWS]
    return [
        {
            "event": event,
            "label": PERSONAL_DATA_EVENTS[event.action],
            "values": _value_rows(user, event.data.get("old") or {}, event.data.get("new") or {}),
        }
        for event in events
    ]


def identity_section(request, applicant: Applicant, form: IdentityCorrectionForm | None = None):
    """What the applicant's page shows of the identity: fixed or not, the corrections, the
    request form (for who may request) and the changes of personal data, masked per role."""
    user = request.user
    can_request = has_role(user, REQUEST_ROLES)
    if form is None and can_request:
        form = IdentityCorrectionForm(applicant=applicant)
    corrections = identity_correction_list().filter(applicant=applicant)[:RECENT_DECISIONS]
    return {
        "identity_fixed": applicant_identity_fixed(applicant),
        "corrections": [_correction_row(user, correction) for correction in corrections],
        "correction_form": form if can_request else None,
        "personal_changes": _history(user, applicant),
    }


@role_required(*REQUEST_ROLES)
def identity_correction_request(request, pk: int):
    applicant = get_object_or_404(visible_applicants(request.user), pk=pk)
    form = IdentityCorrectionForm(request.POST or None, applicant=applicant)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                identity.applicant_identity_correction_request(
                    applicant_id=applicant.pk,
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.http_status
            else:
                messages.success(
                    request, _("The correction is requested; a second person approves it.")
                )
                return redirect(
                    reverse("applications:applicant-detail", args=[applicant.pk]) + "#identity"
                )
        else:
            status = 400
    return render(
        request,
        "applications/identity_correction_form.html",
        {"applicant": applicant, **identity_section(request, applicant, form)},
        status=status,
    )


def _queue_page(request, *, failed: int | None = None, error: str = "", status: int = 200):
    user = request.user
    corrections = visible_identity_corrections(user, identity_correction_list())
    pending = corrections.filter(status=IdentityCorrection.Status.PENDING).order_by("requested_at")
    decided = corrections.exclude(status=IdentityCorrection.Status.PENDING).order_by("-decided_at")[
        :RECENT_DECISIONS
    ]
    return render(
        request,
        "applications/identity_correction_queue.html",
        {
            "pending": [_correction_row(user, correction) for correction in pending],
            "decided": [_correction_row(user, correction) for correction in decided],
            "reject_form": CorrectionRejectForm(),
            "failed": failed,
            "error": error,
        },
        status=status,
    )


@role_required(*QUEUE_ROLES)
def identity_correction_queue(request):
    return _queue_page(request)


@role_required(*DECIDE_ROLES)
@require_POST
def identity_correction_approve(request, pk: int):
    correction = get_object_or_404(visible_identity_corrections(request.user), pk=pk)
    try:
        identity.applicant_identity_correction_approve(correction_id=correction.pk, by=request.user)
    except DomainError as exc:
        return _queue_page(request, failed=correction.pk, error=exc.message, status=exc.http_status)
    messages.success(request, _("The correction is approved and applied."))
    return redirect("applications:identity-correction-queue")


@role_required(*DECIDE_ROLES)
@require_POST
def identity_correction_reject(request, pk: int):
    correction = get_object_or_404(visible_identity_corrections(request.user), pk=pk)
    form = CorrectionRejectForm(request.POST)
    if not form.is_valid():
        error = " ".join(form.errors.get("comment", []))
        return _queue_page(request, failed=correction.pk, error=error, status=400)
    try:
        identity.applicant_identity_correction_reject(
            correction_id=correction.pk, comment=form.cleaned_data["comment"], by=request.user
        )
    except DomainError as exc:
        return _queue_page(request, failed=correction.pk, error=exc.message, status=exc.http_status)
    messages.success(request, _("The correction is rejected."))
    return redirect("applications:identity-correction-queue")


def home_correction_rows(user) -> list[QueueRow]:
    """The deciding role's home queue: corrections someone else requested, oldest first."""
    pending = (
        visible_identity_corrections(user, identity_correction_list())
        .filter(status=IdentityCorrection.Status.PENDING)
        .exclude(requested_by=user)
        .order_by("requested_at")[:10]
    )
    url = reverse("applications:identity-correction-queue")
    return [
        QueueRow(
            label=correction.applicant.name,
            url=f"{url}#correction-{correction.pk}",
            detail=", ".join(_label(field) for field in correction.changes),
        )
        for correction in pending
    ]
