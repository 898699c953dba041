from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lending.domain.daycount import DayCount
from lending.domain.debt_burden import (
    ABOVE_LIMIT,
    WITHIN_LIMIT,
    average_monthly_payment,
    debt_burden,
)
from lending.domain.errors import InvalidDebtBurdenInput
from lending.domain.schedule import LoanTerms, Method, build_schedule
from tests.lending.domain.strategies import PROPERTY, money

D = Decimal


def dbc(income="500000", existing=("100000", "50000"), requested="100000", limit="0.5"):
    return debt_burden(
        monthly_income=D(income),
        existing_monthly_payments=[D(x) for x in existing],
        requested_monthly_payment=D(requested),
        limit=D(limit),
    )


@pytest.mark.parametrize(
    ("requested", "coefficient", "passes", "code"),
    [
        ("100000", "0.5000", True, WITHIN_LIMIT),  # exactly the limit: "does not exceed"
        ("25000", "0.3500", True, WITHIN_LIMIT),
        ("100001", "0.5000", False, ABOVE_LIMIT),  # 0.500002: shown 0.5000, but above
        ("100030", "0.5001", False, ABOVE_LIMIT),  # 0.50006 → 0.5001
        ("155000", "0.6100", False, ABOVE_LIMIT),
    ],
)
def test_coefficient_against_the_limit(requested, coefficient, passes, code):
    result = dbc(requested=requested)
    assert str(result.coefficient) == coefficient
    assert (result.passes, result.code) == (passes, code)
    assert result.limit == D("0.5")
    assert result.existing_monthly_payments == D("150000")


def test_reasons_are_short_and_never_contradict_the_figure():
    assert dbc().reason == "Debt burden 0.5000 does not exceed the limit 0.5."
    assert dbc(requested="155000").reason == "Debt burden 0.6100 exceeds the limit 0.5."
    assert dbc(requested="100001").reason == "Debt burden 0.500002 exceeds the limit 0.5."


@pytest.mark.parametrize(
    ("existing", "coefficient"),
    [(("5",), "0.0001"), (("15",), "0.0002"), (("33333",), "0.3333"), (("66666.5",), "0.6667")],
)
def test_coefficient_rounds_half_up_to_four_places(existing, coefficient):
    # 5 / 100,000 = 0.00005 → 0.0001 and 0.00015 → 0.0002 (banker's rounding would give 0.0000
    # and 0.0002); 66,666.5 / 100,000 = 0.666665 → 0.6667.
    result = dbc(income="100000", existing=existing, requested="0")
    assert str(result.coefficient) == coefficient


@pytest.mark.parametrize("income", ["0", "-1"])
def test_income_must_be_positive(income):
    with pytest.raises(InvalidDebtBurdenInput) as error:
        dbc(income=income)
    assert error.value.field == "monthly_income"


def test_negative_payments_are_refused():
    with pytest.raises(InvalidDebtBurdenInput) as error:
        dbc(existing=("-1",))
    assert error.value.field == "existing_monthly_payments"


def test_average_monthly_payment_of_a_schedule():
    # The published differentiated schedule: 5,475.00 in 18 instalments = 304.1666… → 304.17.
    schedule = build_schedule(
        LoanTerms(D("5000"), D("12"), 18, Method.DIFFERENTIATED, DayCount.THIRTY_360,
                  date(2022, 11, 1))
    )  # fmt: skip
    assert average_monthly_payment(schedule) == D("304.17")


@PROPERTY
@given(money(1, 10_000_000), st.lists(money(0, 1_000_000), max_size=4), money(0, 1_000_000))
def test_passes_exactly_when_payments_do_not_exceed_half_the_income(income, existing, requested):
    result = debt_burden(
        monthly_income=income,
        existing_monthly_payments=existing,
        requested_monthly_payment=requested,
        limit=D("0.5"),
    )
    assert result.passes == (2 * (sum(existing) + requested) <= income)
    assert abs(result.coefficient - (sum(existing) + requested) / income) <= D("0.00005")
