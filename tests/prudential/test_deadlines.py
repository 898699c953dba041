"""The action plan's deadlines on the Kazakhstan calendar (seed 001). Pure."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import kazakhstan_calendar
from prudential.domain.deadlines import (
    is_reporting_date,
    plan_deadlines,
    reply_by,
    return_notice_by,
)

CALENDAR = kazakhstan_calendar(range(2024, 2029))


@pytest.mark.parametrize(
    ("reporting_date", "submit_by", "approve_by"),
    [
        # a Saturday month end: Monday, then five business days on
        (date(2026, 1, 31), date(2026, 2, 2), date(2026, 2, 6)),
        # New Year: 1-2 January off, then the weekend
        (date(2025, 12, 31), date(2026, 1, 5), date(2026, 1, 12)),
        # Nauryz 21-23 March on a weekend: 24 and 25 March are days off in lieu
        (date(2026, 3, 20), date(2026, 3, 26), date(2026, 4, 1)),
        # Independence Day on Wednesday 16 December
        (date(2026, 12, 15), date(2026, 12, 17), date(2026, 12, 23)),
    ],
)
def test_plan_deadlines_count_kazakhstan_business_days(reporting_date, submit_by, approve_by):
    deadlines = plan_deadlines(reporting_date, CALENDAR)
    assert (deadlines.submit_by, deadlines.approve_by) == (submit_by, approve_by)


def test_the_plan_covers_at_least_three_months_from_the_day_after():
    deadlines = plan_deadlines(date(2026, 1, 31), CALENDAR)
    assert deadlines.period_from == date(2026, 2, 1)
    assert deadlines.period_to_at_least == date(2026, 4, 30)


def test_the_regulator_answers_within_three_business_days_of_receipt():
    assert reply_by(date(2026, 3, 19), CALENDAR) == date(2026, 3, 27)  # over Nauryz
    assert reply_by(date(2026, 2, 2), CALENDAR) == date(2026, 2, 5)


def test_the_return_notice_is_due_one_calendar_day_after_the_period():
    assert return_notice_by(date(2026, 2, 28)) == date(2026, 3, 1)  # a Sunday all the same


def test_reporting_dates_by_rule():
    assert is_reporting_date(date(2026, 2, 28), "month_end")
    assert not is_reporting_date(date(2026, 2, 27), "month_end")
    assert is_reporting_date(date(2026, 3, 1), "first_of_month")
    assert not is_reporting_date(date(2026, 2, 28), "first_of_month")


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_every_deadline_is_a_business_day_after_the_reporting_date(reporting_date):
    deadlines = plan_deadlines(reporting_date, CALENDAR)
    for deadline in (deadlines.submit_by, deadlines.approve_by):
        assert deadline > reporting_date and CALENDAR.is_business_day(deadline)
    assert deadlines.submit_by <= deadlines.approve_by
