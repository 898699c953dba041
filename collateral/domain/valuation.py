"""Appraisal age, pledge value and coverage (DOMAIN.md §15; seed 004 ch. 2 §3 p.2 2), p.3).

Coverage is the ratio of pledge values to a loan amount (1.5 means 150 %), quantized to four
decimals half-up: fine enough to tell 149.99 % from 150 %, and one fixed figure that the
screen, the file and the "at least" comparison all share.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from core.money import TIYN, ZERO, to_tiyn
from lending.domain.dates import add_months

# seed 004 ch. 2 §3 p.2 2): the appraisal is dated no more than 6 months before the application
APPRAISAL_VALIDITY_MONTHS = 6
COVERAGE_PLACES = Decimal("0.0001")


def appraisal_valid_until(appraisal_date: date, months: int = APPRAISAL_VALIDITY_MONTHS) -> date:
    """The last application date the appraisal serves: the same day number ``months`` later.

    2026-01-31 serves until 2026-07-31; 2025-08-31 until 2026-02-28 (no 31st: month end).
    """
    return add_months(appraisal_date, months)


def appraisal_valid(
    appraisal_date: date, application_date: date, months: int = APPRAISAL_VALIDITY_MONTHS
) -> bool:
    """Whether the appraisal is at most ``months`` old on the application date.

    An appraisal made after the application is valid: appraisal is the stage after the
    application is filed (seed 004 ch. 3 §1 p.1 3), 5)).
    """
    return application_date <= appraisal_valid_until(appraisal_date, months)


def pledge_value(market_value: Decimal, liquidity_coefficient: Decimal) -> Decimal:
    """Market value × the type's liquidity coefficient, rounded half-up to the tiyn once.

    The coefficients are the MFO's own (seed 004 ch. 2 §3 p.3 gives none): pass them in.
    """
    _require_decimal(market_value, liquidity_coefficient)
    if market_value < 0:
        raise ValueError("market value must not be negative")
    if not 0 <= liquidity_coefficient <= 1:
        # a liquidity coefficient discounts; above 1 the pledge would be worth more than the item
        raise ValueError("liquidity coefficient must be between 0 and 1")
    return to_tiyn(market_value * liquidity_coefficient)


def coverage(pledge_values: Iterable[Decimal], loan_amount: Decimal) -> Decimal:
    """Sum of pledge values ÷ loan amount, quantized to 4 places half-up."""
    values = list(pledge_values)
    _require_decimal(loan_amount, *values)
    if loan_amount <= 0:
        raise ValueError("loan amount must be positive")
    return (sum(values, ZERO) / loan_amount).quantize(COVERAGE_PLACES, rounding=ROUND_HALF_UP)


def meets_minimum(coverage: Decimal, minimum: Decimal) -> bool:
    """ "At least" the minimum: equal passes."""
    return coverage >= minimum


def coverage_shortfall(
    pledge_values: Iterable[Decimal], loan_amount: Decimal, minimum: Decimal
) -> Decimal:
    """Pledge value still missing to reach ``minimum`` coverage; zero when it is met.

    Rounded up to the tiyn, so adding it always meets the minimum, and zero exactly when
    ``meets_minimum(coverage(...), minimum)``: the two never disagree.
    """
    if minimum != minimum.quantize(COVERAGE_PLACES):
        # coverage has 4 places; a finer minimum could never be met exactly
        raise ValueError("minimum coverage must have at most 4 decimal places")
    values = list(pledge_values)
    if meets_minimum(coverage(values, loan_amount), minimum):
        return ZERO
    missing = minimum * loan_amount - sum(values, ZERO)
    return missing.quantize(TIYN, rounding=ROUND_CEILING)


def _require_decimal(*numbers: object) -> None:
    for number in numbers:
        if not isinstance(number, Decimal):
            raise TypeError(f"expected Decimal, got {type(number).__name__}: money is never float")
