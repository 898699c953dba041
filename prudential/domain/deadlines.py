"""The k1 action plan's deadlines on the Kazakhstan business calendar (seed 001). Pure.

Seed 001 (p. 5-1): the plan is submitted no later than 1 business day after the reporting
period; the regulator answers within 3 business days of receiving it; the plan must be
approved within 5 business days from the day after the reporting date; it covers at least
3 months; when the share falls back within the limit, the regulator is notified no later than
1 (calendar) day after that reporting period. Each number is a dated regulatory value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from lending.domain.dates import add_months


class Calendar(Protocol):
    def add_business_days(self, day: date, count: int) -> date: ...


@dataclass(frozen=True)
class PlanDeadlines:
    submit_by: date
    approve_by: date
    period_from: date
    period_to_at_least: date


def plan_deadlines(
    reporting_date: date,
    calendar: Calendar,
    *,
    submit_days: int = 1,
    approval_days: int = 5,
    min_months: int = 3,
) -> PlanDeadlines:
    """ "N business days after the reporting date" is the N-th business day after it; counting
    "from the day after" the same way gives the same day, so both use ``add_business_days``."""
    period_from = reporting_date + timedelta(days=1)
    return PlanDeadlines(
        submit_by=calendar.add_business_days(reporting_date, submit_days),
        approve_by=calendar.add_business_days(reporting_date, approval_days),
        period_from=period_from,
        period_to_at_least=add_months(period_from, min_months) - timedelta(days=1),
    )


def reply_by(submitted_on: date, calendar: Calendar, *, reply_days: int = 3) -> date:
    """The regulator's answer is due within ``reply_days`` business days of receipt."""
    return calendar.add_business_days(submitted_on, reply_days)


def return_notice_by(reporting_date: date, *, notice_days: int = 1) -> date:
    return reporting_date + timedelta(days=notice_days)


def is_reporting_date(day: date, rule: str) -> bool:
    """Month end by default; the first of the month where the MFO reports that way."""
    if rule == "first_of_month":
        return day.day == 1
    return (day + timedelta(days=1)).day == 1
