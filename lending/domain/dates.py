"""Calendar arithmetic the schedules and penalties share.

Every shift of a date goes through here, so that one that leaves the calendar (past
31.12.9999 or before 01.01.0001) is a ``DateOutOfRange`` naming the input, never a
``ValueError``/``OverflowError`` that would end as a server error.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import MAXYEAR, MINYEAR, date, timedelta

from core.errors import DateOutOfRange

# A calendar that never yields a business day is a configuration error, not a long loop.
_MAX_DAYS_OFF_IN_A_ROW = 366


def add_months(
    start: date, months: int, day: int | None = None, *, field: str | None = None
) -> date:
    """The date ``months`` later on ``day`` (default: ``start``'s day), clamped to month end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    if not MINYEAR <= year <= MAXYEAR:
        raise _out_of_range(start, f"{months} months", field)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day or start.day, last))


def add_years(start: date, years: int, *, field: str | None = None) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    return add_months(start, 12 * years, field=field)


def add_days(start: date, days: int, *, field: str | None = None) -> date:
    """``start`` shifted by ``days`` (negative: earlier)."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise _out_of_range(start, f"{days} days", field) from None


def roll_to_business_day(day: date, is_business_day: Callable[[date], bool]) -> date:
    """``day`` itself when it is a business day, else the next business day."""
    for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
        if is_business_day(day):
            return day
        day = add_days(day, 1)
    raise ValueError(f"no business day within {_MAX_DAYS_OFF_IN_A_ROW} days of {day}")


def _out_of_range(start: date, shift: str, field: str | None) -> DateOutOfRange:
    return DateOutOfRange(
        f"{start.isoformat()} shifted by {shift} falls outside the calendar "
        "(0001-01-01 to 9999-12-31).",
        field=field,
    )
