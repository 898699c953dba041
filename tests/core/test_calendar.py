from __future__ import annotations

from datetime import date

import pytest

from core.calendar import kazakhstan_calendar
from core.models import CalendarDay
from core.selectors import business_calendar

CAL = kazakhstan_calendar(range(2024, 2028))


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2025, 1, 1), False),  # New Year
        (date(2025, 1, 3), False),  # Friday, day off transferred from Sunday 5 January
        (date(2025, 1, 5), True),  # Sunday worked instead
        (date(2025, 1, 6), True),
        (date(2025, 1, 7), False),  # Orthodox Christmas
        (date(2025, 3, 10), False),  # Monday, 8 March fell on a Saturday
        (date(2025, 3, 21), False),  # Nauryz
        (date(2025, 3, 25), False),  # Nauryz carried over from the weekend
        (date(2025, 3, 26), True),
        (date(2025, 12, 16), False),  # Independence Day
        (date(2025, 12, 15), True),
        (date(2026, 1, 2), False),
        (date(2026, 1, 5), True),
        (date(2026, 3, 9), False),  # 8 March 2026 is a Sunday
        (date(2026, 3, 23), False),
        (date(2026, 3, 26), True),
        (date(2026, 5, 11), False),  # Victory Day (Saturday) carried over to Monday
        (date(2026, 10, 26), False),  # Republic Day (Sunday) carried over
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 11, 30), True),
    ],
)
def test_is_business_day_in_2025_and_2026(day, business):
    assert CAL.is_business_day(day) is business


def test_next_business_day_skips_weekend_and_nauryz():
    assert CAL.next_business_day(date(2026, 3, 20)) == date(2026, 3, 26)  # Fri → Thu after Nauryz


def test_next_business_day_lands_on_a_transferred_working_sunday():
    assert CAL.next_business_day(date(2025, 1, 2)) == date(2025, 1, 5)


def test_roll_forward_keeps_a_business_day():
    assert CAL.roll_forward(date(2026, 11, 30)) == date(2026, 11, 30)
    assert CAL.roll_forward(date(2026, 11, 28)) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2025, 12, 31), 1, date(2026, 1, 5)),  # over New Year and a weekend
        (date(2025, 12, 31), 2, date(2026, 1, 6)),
        (date(2025, 12, 31), 3, date(2026, 1, 8)),  # 7 January, Orthodox Christmas, skipped
        (date(2026, 3, 19), 2, date(2026, 3, 26)),
        (date(2026, 1, 8), -1, date(2026, 1, 6)),
        (date(2026, 1, 8), 0, date(2026, 1, 8)),
    ],
)
def test_add_business_days(start, count, expected):
    assert CAL.add_business_days(start, count) == expected


def test_administrator_exceptions_override_the_package(db):
    CalendarDay.objects.create(
        date=date(2026, 12, 31), kind=CalendarDay.Kind.DAY_OFF, note="decree"
    )
    CalendarDay.objects.create(
        date=date(2026, 12, 26), kind=CalendarDay.Kind.WORKING_DAY, note="worked Saturday"
    )
    calendar = business_calendar(years=range(2026, 2028))
    assert not calendar.is_business_day(date(2026, 12, 31))
    assert calendar.is_business_day(date(2026, 12, 26))
    assert calendar.next_business_day(date(2026, 12, 30)) == date(2027, 1, 5)


def test_a_package_holiday_can_be_made_a_working_day(db):
    CalendarDay.objects.create(date=date(2026, 5, 11), kind=CalendarDay.Kind.WORKING_DAY)
    assert business_calendar(years=range(2026, 2027)).is_business_day(date(2026, 5, 11))
