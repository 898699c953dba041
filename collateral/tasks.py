from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from collateral.notifications import insurance_reminders_send


@shared_task
def insurance_reminders(as_of: str | None = None) -> int:
    """Nightly: remind monitoring managers of insurance ending within 30 days."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return insurance_reminders_send(as_of=day)
