from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collateral.domain.valuation import (
    appraisal_valid,
    appraisal_valid_until,
    coverage,
    coverage_shortfall,
    meets_minimum,
    pledge_value,
)

D = Decimal
PROPERTY = settings(max_examples=100, deadline=None, database=None, derandomize=True)


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts in whole tiyn from ``low`` to ``high`` tenge."""
    return st.integers(low * 100, high * 100).map(lambda tiyn: Decimal(tiyn) / 100)


minimums = st.integers(1, 30_000).map(lambda n: Decimal(n) / 10_000)  # 0.0001 … 3.0000


@pytest.mark.parametrize(
    ("appraised", "applied", "valid"),
    [
        (date(2026, 1, 31), date(2026, 7, 31), True),
        (date(2026, 1, 31), date(2026, 8, 1), False),
        (date(2026, 1, 15), date(2026, 7, 15), True),
        (date(2026, 1, 15), date(2026, 7, 16), False),
        # no 31 February / 31 June: the period ends on the month's last day
        (date(2025, 8, 31), date(2026, 2, 28), True),
        (date(2025, 8, 31), date(2026, 3, 1), False),
        (date(2025, 8, 29), date(2026, 2, 28), True),
        (date(2025, 8, 29), date(2026, 3, 1), False),
        (date(2027, 8, 31), date(2028, 2, 29), True),  # leap year
        (date(2027, 8, 31), date(2028, 3, 1), False),
        (date(2025, 12, 31), date(2026, 6, 30), True),
        (date(2025, 12, 31), date(2026, 7, 1), False),
        # from a short month's end the period ends on the same day number, not the month end
        (date(2026, 2, 28), date(2026, 8, 28), True),
        (date(2026, 2, 28), date(2026, 8, 29), False),
        (date(2026, 6, 30), date(2026, 12, 30), True),
        (date(2026, 6, 30), date(2026, 12, 31), False),
        # across the year
        (date(2025, 9, 1), date(2026, 3, 1), True),
        (date(2025, 9, 1), date(2026, 3, 2), False),
        # the same day, and an appraisal made after the application (the next stage)
        (date(2026, 3, 10), date(2026, 3, 10), True),
        (date(2026, 3, 20), date(2026, 3, 10), True),
    ],
)
def test_appraisal_is_valid_for_six_calendar_months(appraised, applied, valid):
    assert appraisal_valid(appraised, applied) is valid


def test_valid_until_is_the_last_day_that_passes():
    assert appraisal_valid_until(date(2025, 8, 31)) == date(2026, 2, 28)
    assert appraisal_valid_until(date(2026, 1, 31), months=1) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("market", "coefficient", "expected"),
    [
        (D("1000000.00"), D("0.7"), D("700000.00")),
        (D("333.33"), D("0.5"), D("166.67")),  # 166.665: half rounds up
        (D("333.31"), D("0.5"), D("166.66")),  # 166.655 → up as well
        (D("100.01"), D("0.25"), D("25.00")),  # 25.0025 → down
        (D("0.01"), D("0.5"), D("0.01")),
        (D("12345678.91"), D("0.65"), D("8024691.29")),  # 8024691.2915
        (D("5000000"), D("1"), D("5000000.00")),
        (D("5000000"), D("0"), D("0.00")),
    ],
)
def test_pledge_value_rounds_half_up_to_the_tiyn(market, coefficient, expected):
    value = pledge_value(market, coefficient)
    assert value == expected
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("market", "coefficient", "error"),
    [
        (D("100"), D("1.01"), ValueError),
        (D("100"), D("-0.1"), ValueError),
        (D("-1"), D("0.5"), ValueError),
        (100.0, D("0.5"), TypeError),
        (D("100"), 0.5, TypeError),
    ],
)
def test_pledge_value_refuses_bad_input(market, coefficient, error):
    with pytest.raises(error):
        pledge_value(market, coefficient)


@pytest.mark.parametrize(
    ("values", "loan", "expected"),
    [
        ([D("1500000.00")], D("1000000.00"), D("1.5000")),
        ([D("700000.00"), D("800000.00")], D("1000000.00"), D("1.5000")),
        ([D("2")], D("3"), D("0.6667")),
        ([D("1")], D("3"), D("0.3333")),
        ([D("1")], D("8"), D("0.1250")),
        ([D("1")], D("20000"), D("0.0001")),  # 0.00005: half rounds up
        ([D("0.99")], D("20000"), D("0.0000")),  # 0.0000495
        ([D("1499950.00")], D("1000000.00"), D("1.5000")),  # 1.49995 → up
        ([D("1499949.99")], D("1000000.00"), D("1.4999")),
        ([], D("1000000.00"), D("0.0000")),
    ],
)
def test_coverage_is_quantized_to_four_places_half_up(values, loan, expected):
    result = coverage(values, loan)
    assert result == expected
    assert result.as_tuple().exponent == -4


@pytest.mark.parametrize("loan", [D("0"), D("-1")])
def test_coverage_needs_a_positive_loan(loan):
    with pytest.raises(ValueError):
        coverage([D("1")], loan)


@pytest.mark.parametrize(
    ("ratio", "minimum", "meets"),
    [
        (D("1.5000"), D("1.5"), True),  # "at least": equal passes
        (D("1.4999"), D("1.5"), False),
        (D("1.5001"), D("1.5"), True),
        (D("0.0000"), D("0"), True),
    ],
)
def test_meets_minimum_means_at_least(ratio, minimum, meets):
    assert meets_minimum(ratio, minimum) is meets


@pytest.mark.parametrize(
    ("values", "loan", "minimum", "shortfall"),
    [
        ([D("1500000.00")], D("1000000.00"), D("1.5"), D("0.00")),
        ([D("1600000.00")], D("1000000.00"), D("1.5"), D("0.00")),
        ([D("1000000.00")], D("1000000.00"), D("1.5"), D("500000.00")),
        ([], D("1000000.00"), D("1.25"), D("1250000.00")),
        ([D("100.00")], D("333.33"), D("1.5"), D("400.00")),  # 399.995 → up, never under
        ([D("100.00")], D("333.37"), D("1.3333"), D("344.49")),  # 344.482221 → up
        # 1.49995 shows as 1.5000, which meets 1.5: nothing is missing
        ([D("1499950.00")], D("1000000.00"), D("1.5"), D("0.00")),
        ([D("1499949.99")], D("1000000.00"), D("1.5"), D("50.01")),
    ],
)
def test_coverage_shortfall_is_the_pledge_value_still_missing(values, loan, minimum, shortfall):
    assert coverage_shortfall(values, loan, minimum) == shortfall


def test_a_minimum_finer_than_the_coverage_is_refused():
    with pytest.raises(ValueError):
        coverage_shortfall([D("1")], D("1"), D("1.50001"))


@PROPERTY
@given(
    values=st.lists(money(0, 10_000_000), max_size=5),
    extra=money(0, 10_000_000),
    loan=money(1, 50_000_000),
)
def test_coverage_never_falls_when_pledge_value_is_added_or_raised(values, extra, loan):
    base = coverage(values, loan)
    assert coverage([*values, extra], loan) >= base
    if values:
        assert coverage([values[0] + extra, *values[1:]], loan) >= base


@PROPERTY
@given(
    values=st.lists(money(0, 10_000_000), max_size=5),
    loan=money(1, 50_000_000),
    minimum=minimums,
)
def test_adding_the_shortfall_always_meets_the_minimum(values, loan, minimum):
    shortfall = coverage_shortfall(values, loan, minimum)
    assert shortfall >= 0
    assert (shortfall == 0) is meets_minimum(coverage(values, loan), minimum)
    assert meets_minimum(coverage([*values, shortfall], loan), minimum)
    if shortfall > 0:
        # rounded up by less than a tiyn, not padded: a tiyn less leaves the exact sum short
        short_by_a_tiyn = [*values, shortfall - D("0.01")]
        assert sum(short_by_a_tiyn, D(0)) < minimum * loan
