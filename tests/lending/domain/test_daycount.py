from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from lending.domain.daycount import DayCount, days_between, year_basis
from tests.lending.domain.strategies import PROPERTY, dates, day_counts


def test_enum_values_are_the_stored_strings():
    assert [member.value for member in DayCount] == ["30/360", "actual/360", "actual/365"]


@pytest.mark.parametrize(
    ("day_count", "basis"),
    [(DayCount.THIRTY_360, 360), (DayCount.ACTUAL_360, 360), (DayCount.ACTUAL_365, 365)],
)
def test_year_basis(day_count, basis):
    assert year_basis(day_count) == basis
    assert year_basis(day_count.value) == basis


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2024, 1, 15), date(2024, 2, 15), 30),
        (date(2024, 1, 31), date(2024, 2, 29), 29),  # 31 counts as 30; February not stretched
        (date(2024, 2, 29), date(2024, 3, 31), 31),  # end 31 → 30: 30 − 29 + 30
        (date(2023, 2, 28), date(2023, 3, 31), 32),  # 30E/360, unlike 30/360 US (30)
        (date(2024, 3, 31), date(2024, 4, 30), 30),
        (date(2024, 1, 30), date(2024, 1, 31), 0),  # both become the 30th
        (date(2023, 12, 31), date(2024, 1, 31), 30),
        (date(2022, 11, 1), date(2024, 5, 1), 540),  # 18 months
        (date(2024, 2, 28), date(2024, 3, 1), 3),
    ],
)
def test_thirty_e_360(start, end, days):
    assert days_between(start, end, DayCount.THIRTY_360) == days


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2024, 1, 1), date(2024, 3, 1), 60),  # leap February
        (date(2023, 1, 1), date(2023, 3, 1), 59),
        (date(2024, 1, 31), date(2024, 2, 29), 29),
        (date(2024, 1, 1), date(2025, 1, 1), 366),
    ],
)
def test_actual_days(start, end, days):
    assert days_between(start, end, DayCount.ACTUAL_360) == days
    assert days_between(start, end, DayCount.ACTUAL_365) == days


@PROPERTY
@given(day_counts, dates, dates, dates)
def test_periods_add_up(day_count, a, b, c):
    # Interest split at a prepayment date must equal the interest of the whole period.
    assert days_between(a, b, day_count) + days_between(b, c, day_count) == days_between(
        a, c, day_count
    )
