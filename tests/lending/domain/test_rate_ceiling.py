"""The highest rate a loan of a class may carry, from the caps in force (DOMAIN.md §12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lending.domain.limits import rate_violation

D = Decimal


@pytest.mark.parametrize(
    ("rate", "gesv_cap", "daily_cap", "year_days", "code"),
    [
        (D("46"), D("46"), None, 365, None),  # equal to the GESV cap: allowed
        (D("46.000001"), D("46"), None, 365, "rate_above_gesv_cap"),
        (D("105"), D("179"), D("0.3"), 365, None),  # 0.2877 % a day
        (D("109.49"), D("179"), D("0.3"), 365, None),
        (D("109.5"), D("179"), D("0.3"), 365, "rate_above_daily_cap"),  # "under" 0.3 % a day
        (D("107.99"), D("179"), D("0.3"), 360, None),
        (D("108"), D("179"), D("0.3"), 360, "rate_above_daily_cap"),
        (D("180"), D("179"), D("0.3"), 365, "rate_above_gesv_cap"),
        (D("150"), D("179"), None, 365, None),  # no daily cap in force: the GESV cap only
    ],
)
def test_the_rate_ceiling_of_a_class(rate, gesv_cap, daily_cap, year_days, code):
    violation = rate_violation(rate, gesv_cap=gesv_cap, daily_cap=daily_cap, year_days=year_days)
    assert (violation.code if violation else None) == code
    if violation:
        assert violation.field == "annual_rate"


def test_the_violation_gives_the_caps_as_plain_numbers():
    violation = rate_violation(
        D("110"), gesv_cap=D("179.000000"), daily_cap=D("0.300000"), year_days=365
    )
    assert violation.params == {"daily": "0.3", "cap": "109.5"}
    violation = rate_violation(D("50"), gesv_cap=D("46.000000"), daily_cap=None, year_days=365)
    assert violation.params == {"cap": "46"}
