"""The one audit mechanism: services call ``audit(obj, "loan.disbursed", by=user, data={...})``.

A change of personal data keeps the values it replaced and those it wrote, under ``old`` and
``new`` (``{"fields": [...], "old": {field: value}, "new": {field: value}}``). The audit trail
shows them only to the roles that may see personal data (``audit_data_shown``); nothing here
writes them to a log.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core import privacy
from core.models import AuditEvent
from core.privacy import can_see_personal_data, mask_identifier

# The keys of an event's data that hold personal data's values, field by field.
PERSONAL_VALUES = ("old", "new")
IDENTIFIER_FIELDS = frozenset({"iin", "bin", "identifier"})
HIDDEN = "***"
# The keys under which payouts record the account paid to (disbursement, refund, approvals).
ACCOUNTS = ("account", "payout_account", "payee_account")


def audit(
    target: models.Model | None,
    action: str,
    *,
    by: Any | None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record an event in the caller's transaction, so it commits or rolls back with the change."""
    return AuditEvent.objects.create(
        actor=acting_user(by),
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )


def acting_user(by: Any | None):
    """The user who acted, to store as who did it; None for a task or a system (no person)."""
    return by if getattr(by, "is_authenticated", False) else None


def masked_value(field: str, value: Any) -> Any:
    """A value of personal data as a role without access sees it: an IIN or BIN with its
    middle hidden, anything else hidden; an empty value stays empty (that it was set shows)."""
    if value in ("", None):
        return value
    if field in IDENTIFIER_FIELDS:
        return mask_identifier(str(value))
    return HIDDEN


def personal_values_shown(user, values: dict[str, Any]) -> dict[str, Any]:
    """``{field: value}`` of personal data, in clear or masked for ``user`` (core.privacy)."""
    if can_see_personal_data(user):
        return dict(values)
    return {field: masked_value(field, value) for field, value in values.items()}


def audit_data_shown(user, data: dict[str, Any]) -> dict[str, Any]:
    """An event's data as ``user`` may read it: old and new values masked for a role that may
    not see personal data, payout accounts as the privacy policy shows them to the role; the
    rest (which fields changed, ids, amounts) as recorded."""
    if not isinstance(data, dict) or not any(key in data for key in (*PERSONAL_VALUES, *ACCOUNTS)):
        return data
    shown = dict(data)
    for key in PERSONAL_VALUES:
        if isinstance(data.get(key), dict):
            shown[key] = personal_values_shown(user, data[key])
    for key in ACCOUNTS:
        if isinstance(data.get(key), str):
            shown[key] = privacy.shown(user, privacy.Category.ACCOUNT, data[key])
    return shown
