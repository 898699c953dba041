"""Thin Celery tasks for the prudential norms: take dates and ids, call the services."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.errors import DomainError
from core.selectors import business_calendar
from loans.models import DayClose, ReclosedDay
from prudential import services
from prudential.domain.deadlines import is_reporting_date
from prudential.models import K1Run
from prudential.norms.run import norms_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def k1_run_task(on: str, user_id: int | None = None) -> str:
    """The k1 run a risk manager started from the page (a re-run replaces the date)."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = services.k1_run(on=date.fromisoformat(on), by=by)
    return run.on.isoformat()


CATCH_UP_DAYS = 62  # two months: the previous reporting date is always in reach


def nightly_dates(through: date) -> list[date]:
    """The closed dates up to ``through`` that k1 is (re)computed for: not yet done (never run,
    or failed), or re-closed since (a backdated posting changed their snapshots); business
    days, and reporting dates whatever the weekday (a month may end on a Sunday)."""
    closed = list(
        DayClose.objects.filter(
            business_date__gt=through - timedelta(days=CATCH_UP_DAYS), business_date__lte=through
        )
        .order_by("business_date")
        .values_list("business_date", flat=True)
    )
    if not closed:
        return []
    done = set(
        K1Run.objects.filter(on__in=closed, status=K1Run.Status.DONE).values_list("on", flat=True)
    )
    reclosed = set(ReclosedDay.objects.filter(on__lte=through).values_list("on", flat=True))
    calendar = business_calendar(years=range(closed[0].year, closed[-1].year + 1))
    rule = services.risk_settings().reporting_day
    return [
        day
        for day in closed
        if (day not in done or day in reclosed)
        and (calendar.is_business_day(day) or is_reporting_date(day, rule))
    ]


@shared_task(acks_late=True)
def k1_nightly_task(on: str | None = None) -> dict:
    """After the daily close: k1 and the other norms for each date ``nightly_dates`` gives,
    through yesterday (or ``on``); a date that fails is logged and retried the next night,
    the others go on; then the deadlines missed by the day after."""
    through = date.fromisoformat(on) if on else timezone.localdate() - timedelta(days=1)
    done, norms, failed = [], [], []
    for day in nightly_dates(through):
        try:
            done.append(services.k1_run(on=day).on.isoformat())
        except Exception:
            logger.exception("k1 run of %s failed", day)
            failed.append(day.isoformat())
            continue
        try:
            norms.append(norms_run(on=day).on.isoformat())
        except DomainError as error:
            if error.code != "financials_missing":  # not entered yet: the pages say so
                logger.exception("norms run of %s failed", day)
                failed.append(day.isoformat())
    ReclosedDay.objects.filter(on__lte=through).exclude(on__in=failed).delete()
    flagged = services.deadlines_check(today=through + timedelta(days=1))
    return {"runs": done, "norms": norms, "failed": failed, "deadlines_missed": flagged}
