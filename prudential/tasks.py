"""Thin Celery tasks for the prudential norms: take dates and ids, call the services."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.errors import DomainError
from core.selectors import business_calendar
from loans.models import DayClose
from prudential import services
from prudential.domain.deadlines import is_reporting_date
from prudential.models import K1Run
from prudential.norms import norms_run


@shared_task(acks_late=True)
def k1_run_task(on: str, user_id: int | None = None) -> str:
    """The k1 run a risk manager started from the page (a re-run replaces the date)."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = services.k1_run(on=date.fromisoformat(on), by=by)
    return run.on.isoformat()


def nightly_dates(through: date) -> list[date]:
    """The closed dates after the latest run, through ``through``, that k1 is computed for:
    business days, and reporting dates whatever the weekday (a month may end on a Sunday)."""
    latest = K1Run.objects.order_by("-on").values_list("on", flat=True).first()
    closed = DayClose.objects.filter(business_date__lte=through)
    if latest is not None:
        closed = closed.filter(business_date__gt=latest)
    days = list(closed.order_by("business_date").values_list("business_date", flat=True))
    if not days:
        return []
    calendar = business_calendar(years=range(days[0].year, days[-1].year + 1))
    rule = services.risk_settings().reporting_day
    return [day for day in days if calendar.is_business_day(day) or is_reporting_date(day, rule)]


@shared_task(acks_late=True)
def k1_nightly_task(on: str | None = None) -> dict:
    """After the daily close: k1 for each closed date not yet run, through yesterday (or
    ``on``); then the action plans' deadlines missed by the day after."""
    through = date.fromisoformat(on) if on else timezone.localdate() - timedelta(days=1)
    done, norms = [], []
    for day in nightly_dates(through):
        done.append(services.k1_run(on=day).on.isoformat())
        try:
            norms.append(norms_run(on=day).on.isoformat())
        except DomainError as error:
            if error.code != "financials_missing":  # not entered yet: the pages say so
                raise
    flagged = services.deadlines_check(today=through + timedelta(days=1))
    return {"runs": done, "norms": norms, "deadlines_missed": flagged}
