"""Kazakhstan business calendar: weekends, public holidays and announced transfers.

Pure: a ``BusinessCalendar`` is built from plain sets of dates. ``kazakhstan_calendar`` takes
the holidays (and the weekend days made working days) from the `holidays` package and lays
an administrator's exceptions on top; ``core.selectors.business_calendar`` reads those from
the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class BusinessCalendar:
    days_off: frozenset[date]
    working_days: frozenset[date]  # weekend days made working days by a transfer

    def is_business_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in (SATURDAY, SUNDAY) and day not in self.days_off

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        return self.add_business_days(day, 1)

    def roll_forward(self, day: date) -> date:
        """``day`` itself when it is a business day, else the next one."""
        return day if self.is_business_day(day) else self.next_business_day(day)

    def add_business_days(self, day: date, count: int) -> date:
        """The ``count``-th business day after ``day`` (before it, for a negative count)."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day


def kazakhstan_calendar(
    years: Iterable[int],
    *,
    extra_days_off: Iterable[date] = (),
    extra_working_days: Iterable[date] = (),
) -> BusinessCalendar:
    public = holidays.country_holidays("KZ", years=list(years))
    extra_off, extra_work = frozenset(extra_days_off), frozenset(extra_working_days)
    return BusinessCalendar(
        days_off=(frozenset(public) | extra_off) - extra_work,
        working_days=(frozenset(public.weekend_workdays) | extra_work) - extra_off,
    )
