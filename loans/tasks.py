"""Thin Celery tasks for servicing: take dates and ids, call one service."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from loans import services


@shared_task(acks_late=True)
def close_day_task(on: str | None = None) -> dict:
    """The nightly close: every date not yet closed, through yesterday (or ``on``)."""
    through = date.fromisoformat(on) if on else timezone.localdate() - timedelta(days=1)
    result = services.close_through(through=through)
    return {"dates": [d.isoformat() for d in result.dates], "entries": result.entries_posted}


@shared_task(acks_late=True)
def due_reminders_task(on: str | None = None) -> int:
    return services.due_reminders_send(today=date.fromisoformat(on) if on else timezone.localdate())
