"""Day-count conventions for interest (DOMAIN.md §6): 30E/360, actual/360, actual/365."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class DayCount(StrEnum):
    THIRTY_360 = "30/360"
    ACTUAL_360 = "actual/360"
    ACTUAL_365 = "actual/365"


_BASIS = {DayCount.THIRTY_360: 360, DayCount.ACTUAL_360: 360, DayCount.ACTUAL_365: 365}


def year_basis(day_count: DayCount | str) -> int:
    """Days in the year the annual rate is divided by."""
    return _BASIS[DayCount(day_count)]


def days_between(start: date, end: date, day_count: DayCount | str) -> int:
    """Days of interest from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if DayCount(day_count) is DayCount.THIRTY_360:
        return _thirty_e_ordinal(end) - _thirty_e_ordinal(start)
    return (end - start).days


def _thirty_e_ordinal(day: date) -> int:
    # 30E/360 (Eurobond): the 31st counts as the 30th for either date; February is not
    # stretched. Because each date is adjusted on its own, periods add up: d(a,b)+d(b,c)=d(a,c).
    return day.year * 360 + day.month * 30 + min(day.day, 30)
