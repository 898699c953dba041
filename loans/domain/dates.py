"""Calendar arithmetic the schedules and penalties share."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

# A calendar that never yields a business day is a configuration error, not a long loop.
_MAX_DAYS_OFF_IN_A_ROW = 366


def add_months(start: date, months: int, day: int | None = None) -> date:
    """The date ``months`` later on ``day`` (default: ``start``'s day), clamped to month end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day or start.day, last))


def add_years(start: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    return add_months(start, 12 * years)


def roll_to_business_day(day: date, is_business_day: Callable[[date], bool]) -> date:
    """``day`` itself when it is a business day, else the next business day."""
    for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
        if is_business_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no business day within {_MAX_DAYS_OFF_IN_A_ROW} days of {day}")
