"""The one audit mechanism: services call ``audit(obj, "loan.disbursed", by=user, data={...})``."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEvent


def audit(
    target: models.Model | None,
    action: str,
    *,
    by: Any | None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record an event in the caller's transaction, so it commits or rolls back with the change."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )
