"""A date shifted out of the calendar is a domain error naming the input, never a 500."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import DateOutOfRange, DomainError
from lending.domain.dates import add_days, add_months, add_years, roll_to_business_day


def test_months_and_years_within_the_calendar_still_clamp_to_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(9999, 11, 30), 1) == date(9999, 12, 30)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_months(date(1, 2, 1), -1) == date(1, 1, 1)


@pytest.mark.parametrize(
    "shift",
    [
        lambda: add_months(date(9950, 6, 1), 600),
        lambda: add_months(date(9999, 12, 31), 1),
        lambda: add_months(date(1, 1, 1), -1),
        lambda: add_years(date(9999, 1, 1), 1),
        lambda: add_days(date(9999, 12, 31), 1),
        lambda: add_days(date(1, 1, 1), -1),
        lambda: roll_to_business_day(date(9999, 12, 31), lambda day: False),
    ],
)
def test_a_date_out_of_the_calendar_is_a_domain_error(shift):
    with pytest.raises(DateOutOfRange) as error:
        shift()
    assert isinstance(error.value, DomainError)
    assert error.value.http_status == 400
    assert error.value.code == "date_out_of_range"
    assert "9999-12-31" in error.value.message


def test_the_error_names_the_field_the_caller_gives():
    with pytest.raises(DateOutOfRange) as error:
        add_months(date(9999, 12, 1), 12, field="appraised_on")
    assert error.value.as_dict() == {"appraised_on": [error.value.message]}
