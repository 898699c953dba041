"""An object's audit trail as a page shows it: one row an event, named in words, and how many
times its file was opened (every opening is logged, DOMAIN.md §14)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from core.selectors import audit_event_list

OPENED = "credit_file.opened"


def audit_history(
    target: Model,
    *,
    labels: Mapping[str, str],
    detail: Callable[[str, dict], str],
    oldest_first: bool = False,
    opened: str = OPENED,
) -> tuple[list[dict], int]:
    """The target's events but its openings, newest first (or ``oldest_first``), each with its
    label (the action's name when ``labels`` has none) and ``detail(action, data)``; and how
    many times the target was opened."""
    events = audit_event_list().filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
    )
    shown = events.exclude(action=opened)
    if oldest_first:
        shown = shown.order_by("at", "id")
    rows = [
        {
            "event": event,
            "label": labels.get(event.action, event.action),
            "detail": detail(event.action, event.data or {}),
        }
        for event in shown
    ]
    return rows, events.filter(action=opened).count()
