"""Correcting who a party to a signed contract is: four eyes (issue 15, item 2).

Once the applicant is a party to a signed contract (``applicant_identity_fixed``), the IIN/BIN,
name and date of birth change only here: one person requests a correction with its reason,
another approves it, and only then is it applied, under the applicant's row lock, with the old
and new values in the audit. The person who requested it can neither approve nor reject it.

Who: a credit administrator (or an administrator) requests; a monitoring manager, who keeps
the credit file apart from the officer who made the loan, or an administrator decides. Each
of them may see personal data (``core.roles.PERSONAL_DATA_ROLES``): they check the document.

Lock order, as in ``applicant_update``: the applicant, then the correction.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import IDENTITY_FIELDS, Applicant, ApplicantKind, IdentityCorrection
from applications.services import check_applicant, personal_data_changes, store_applicant
from core.audit import audit
from core.errors import ConflictError, DomainError, NotPermittedError
from core.roles import Role, has_role

REQUEST_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR})
DECIDE_ROLES = frozenset({Role.MONITORING_MANAGER, Role.ADMINISTRATOR})


def _corrected(applicant: Applicant, changes: dict[str, Any]) -> Applicant:
    """The applicant as the correction would leave it, checked like any registration."""
    corrected = copy.copy(applicant)
    for field, value in changes.items():
        setattr(corrected, field, value)
    if "iin" in changes and "birth_date" not in changes:
        corrected.birth_date = None  # derived again from the corrected IIN
    check_applicant(corrected)
    return corrected


def _ensure_fields_of_kind(applicant: Applicant, changes: dict[str, Any]) -> None:
    legal_entity = applicant.kind == ApplicantKind.LEGAL_ENTITY
    for field in changes:
        if legal_entity and field in ("iin", "birth_date"):
            raise DomainError(_("A legal entity is identified by its BIN."), field=field)
        if not legal_entity and field == "bin":
            raise DomainError(_("A person is identified by their IIN."), field=field)


@transaction.atomic
def applicant_identity_correction_request(
    *, applicant_id: int, changes: dict[str, Any], reason: str, by
) -> IdentityCorrection:
    """Request a correction of the IIN/BIN, name or date of birth; nothing changes until a
    second person approves it. ``changes`` holds the corrected values (empty: unchanged)."""
    if not has_role(by, REQUEST_ROLES):
        raise NotPermittedError(_("Your role may not request a correction of identity."))
    applicant = Applicant.objects.select_for_update().get(pk=applicant_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why, and which document shows the correct data."), field="reason")
    changes = {
        field: value
        for field, value in changes.items()
        if field in IDENTITY_FIELDS and value not in ("", None)
    }
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    _ensure_fields_of_kind(applicant, changes)
    corrected = _corrected(applicant, changes)
    new = {
        field: getattr(corrected, field)
        for field in IDENTITY_FIELDS
        if getattr(corrected, field) != getattr(applicant, field)
    }
    if not new:
        raise DomainError(_("The correction changes nothing: give at least one new value."))
    if applicant.identity_corrections.filter(status=IdentityCorrection.Status.PENDING).exists():
        raise ConflictError(
            _("A correction of this applicant already awaits a decision."),
            field="applicant",
            code="correction_pending",
        )
    correction = IdentityCorrection.objects.create(
        applicant=applicant,
        previous={field: getattr(applicant, field) for field in new},
        reason=reason,
        requested_by=by,
        **new,
    )
    audit(
        applicant,
        "applicant.identity_correction_requested",
        by=by,
        data={
            "correction": correction.pk,
            "fields": sorted(new),
            "old": dict(correction.previous),
            "new": new,
        },
    )
    return correction


def _lock_pending(correction_id: int, by) -> tuple[IdentityCorrection, Applicant]:
    """The correction and its applicant, locked (applicant first), after the four-eyes check."""
    if not has_role(by, DECIDE_ROLES):
        raise NotPermittedError(_("Your role may not decide on a correction of identity."))
    applicant_id = IdentityCorrection.objects.values_list("applicant_id", flat=True).get(
        pk=correction_id
    )
    applicant = Applicant.objects.select_for_update().get(pk=applicant_id)
    correction = IdentityCorrection.objects.select_for_update().get(pk=correction_id)
    if correction.status != IdentityCorrection.Status.PENDING:
        raise ConflictError(
            _("This correction has already been decided (%(status)s).")
            % {"status": correction.get_status_display()},
            field="status",
            code="correction_decided",
        )
    if correction.requested_by_id == by.pk:
        raise NotPermittedError(
            _("You requested this correction: a second person decides on it."),
            code="four_eyes",
        )
    return correction, applicant


@transaction.atomic
def applicant_identity_correction_approve(*, correction_id: int, by) -> IdentityCorrection:
    """Approve a correction and apply it to the applicant (checked again, as it is now)."""
    correction, applicant = _lock_pending(correction_id, by)
    before = {field: getattr(applicant, field) for field in IDENTITY_FIELDS}
    corrected = _corrected(applicant, correction.changes)
    for field in IDENTITY_FIELDS:
        setattr(applicant, field, getattr(corrected, field))
    store_applicant(applicant)
    changes = personal_data_changes(before, applicant)
    correction.previous = changes["old"]
    correction.status = IdentityCorrection.Status.APPROVED
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.save(update_fields=["previous", "status", "decided_by", "decided_at"])
    audit(
        applicant,
        "applicant.identity_corrected",
        by=by,
        data={
            "correction": correction.pk,
            "requested_by": correction.requested_by_id,
            **changes,
        },
    )
    return correction


@transaction.atomic
def applicant_identity_correction_reject(
    *, correction_id: int, comment: str, by
) -> IdentityCorrection:
    comment = comment.strip()
    if not comment:
        raise DomainError(_("Say why the correction is rejected."), field="comment")
    correction, applicant = _lock_pending(correction_id, by)
    correction.status = IdentityCorrection.Status.REJECTED
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.decision_comment = comment
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit(
        applicant,
        "applicant.identity_correction_rejected",
        by=by,
        data={"correction": correction.pk, "fields": sorted(correction.changes)},
    )
    return correction


def correction_values(correction: IdentityCorrection) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values the correction replaces and those it writes, by field, for showing."""
    new = correction.changes
    old = {field: correction.previous.get(field) for field in new}
    for field, value in old.items():
        if field == "birth_date" and isinstance(value, str):
            old[field] = date.fromisoformat(value)
    return old, new
