from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prudential.domain.provisions import (
    STAGE_BOUNDS,
    Stage,
    provision,
    share_percent,
    stage_of,
    stage_range,
)


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (0, Stage.ONE),
        (1, Stage.ONE),
        (30, Stage.ONE),
        (31, Stage.TWO),
        (90, Stage.TWO),
        (91, Stage.THREE),
        (1000, Stage.THREE),
    ],
)
def test_stage_follows_days_past_due_0_30_31_90_over_90(days, stage):
    assert stage_of(days) is stage


def test_negative_days_past_due_have_no_stage():
    with pytest.raises(ValueError, match="negative"):
        stage_of(-1)


@pytest.mark.parametrize(
    ("stage", "span"),
    [(Stage.ONE, (0, 30)), (Stage.TWO, (31, 90)), (Stage.THREE, (91, None))],
)
def test_stage_range_is_the_days_the_stage_spans(stage, span):
    assert stage_range(stage) == span


@given(st.integers(min_value=0, max_value=5000))
def test_stage_range_contains_the_days_of_its_stage(days):
    first, last = stage_range(stage_of(days))
    assert first <= days and (last is None or days <= last)


def test_stage_bounds_are_data_in_increasing_order():
    bounds = [bound for bound, _stage in STAGE_BOUNDS]
    assert bounds == sorted(bounds) == [30, 90]


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        (Decimal("1308500.00"), Decimal("1.5"), Decimal("19627.50")),
        (Decimal("170000.55"), Decimal("33.33"), Decimal("56661.18")),  # 56661.183315
        (Decimal("0.50"), Decimal("1"), Decimal("0.01")),  # 0.005: half up
        (Decimal("0.49"), Decimal("1"), Decimal("0.00")),  # 0.0049
        (Decimal("170000.55"), Decimal("100"), Decimal("170000.55")),
        (Decimal("123.45"), Decimal("0"), Decimal("0.00")),
    ],
)
def test_provision_is_the_amount_at_the_rate_rounded_half_up_to_the_tiyn(amount, rate, expected):
    assert provision(amount, rate) == expected


def test_a_negative_provision_rate_is_refused():
    with pytest.raises(ValueError, match="negative"):
        provision(Decimal(100), Decimal(-1))


@given(
    st.decimals(min_value=0, max_value=10**12, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_provision_never_exceeds_the_exposure_at_rates_up_to_100(amount, rate):
    assert Decimal(0) <= provision(amount, rate) <= amount


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (Decimal("800000.55"), Decimal("1700000.55"), Decimal("47.06")),
        (Decimal("400000.55"), Decimal("1700000.55"), Decimal("23.53")),
        (Decimal(1), Decimal(8), Decimal("12.50")),
        (Decimal(1), Decimal(0), Decimal("0.00")),  # an empty portfolio has nothing at risk
    ],
)
def test_share_percent_is_rounded_half_up_to_the_hundredth(part, whole, expected):
    assert share_percent(part, whole) == expected
