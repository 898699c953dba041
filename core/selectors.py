from __future__ import annotations

from django.utils import timezone

from core.calendar import BusinessCalendar, kazakhstan_calendar
from core.models import AuditEvent, CalendarDay


def business_calendar(*, years: range | None = None) -> BusinessCalendar:
    """The calendar with the administrator's exceptions; by default the years around today."""
    if years is None:
        this_year = timezone.localdate().year
        years = range(this_year - 5, this_year + 41)  # long enough for a 30-year schedule
    exceptions = list(CalendarDay.objects.values_list("date", "kind"))
    return kazakhstan_calendar(
        years,
        extra_days_off=[d for d, kind in exceptions if kind == CalendarDay.Kind.DAY_OFF],
        extra_working_days=[d for d, kind in exceptions if kind == CalendarDay.Kind.WORKING_DAY],
    )


def audit_event_list():
    return AuditEvent.objects.select_related("actor", "target_type")
