"""Debt burden coefficient, DBC (DOMAIN.md §10, §12).

DBC = (monthly payments on existing loans + the requested loan's monthly payment)
      / average monthly income.

The requested loan's monthly payment is its average over the schedule (total payments /
number of instalments), so differentiated and annuity schedules compare fairly.
The coefficient is shown to 4 places, half-up; whether it passes is decided on the exact
ratio, so rounding never lets a borrower above the limit through ("does not exceed": equal
passes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.money import ZERO, to_tiyn
from lending.domain.errors import InvalidDebtBurdenInput
from lending.domain.schedule import Schedule

FOUR_PLACES = Decimal("0.0001")
WITHIN_LIMIT = "within_limit"
ABOVE_LIMIT = "above_limit"


@dataclass(frozen=True)
class DebtBurden:
    coefficient: Decimal  # 4 places, half-up
    limit: Decimal
    passes: bool
    code: str  # WITHIN_LIMIT or ABOVE_LIMIT, for callers to translate
    reason: str  # short English text; callers wrap it in gettext
    monthly_income: Decimal
    existing_monthly_payments: Decimal
    requested_monthly_payment: Decimal


def average_monthly_payment(schedule: Schedule) -> Decimal:
    """Total payments / number of instalments, rounded half-up to the tiyn."""
    return to_tiyn(schedule.total_payments / len(schedule.installments))


def debt_burden(
    *,
    monthly_income: Decimal,
    existing_monthly_payments: Iterable[Decimal],
    requested_monthly_payment: Decimal,
    limit: Decimal,
) -> DebtBurden:
    """The DBC against ``limit`` (e.g. Decimal("0.5"))."""
    if monthly_income <= 0:
        raise InvalidDebtBurdenInput(
            "The average monthly income must be positive to assess the debt burden.",
            field="monthly_income",
            code="income_not_positive",
        )
    existing = list(existing_monthly_payments)
    if any(payment < 0 for payment in existing):
        raise InvalidDebtBurdenInput(
            "Monthly payments on existing loans must not be negative.",
            field="existing_monthly_payments",
        )
    if requested_monthly_payment < 0:
        raise InvalidDebtBurdenInput(
            "The requested loan's monthly payment must not be negative.",
            field="requested_monthly_payment",
        )
    if limit <= 0:
        raise InvalidDebtBurdenInput("The limit must be positive.", field="limit")
    existing_total = sum(existing, ZERO)
    exact = (existing_total + requested_monthly_payment) / monthly_income
    coefficient = exact.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    passes = exact <= limit
    # Shown to 4 places a ratio just above the limit can read as the limit itself; say more.
    shown = coefficient if passes or coefficient > limit else exact.normalize()
    if passes:
        reason = f"Debt burden {shown} does not exceed the limit {limit}."
    else:
        reason = f"Debt burden {shown} exceeds the limit {limit}."
    return DebtBurden(
        coefficient=coefficient,
        limit=limit,
        passes=passes,
        code=WITHIN_LIMIT if passes else ABOVE_LIMIT,
        reason=reason,
        monthly_income=monthly_income,
        existing_monthly_payments=existing_total,
        requested_monthly_payment=requested_monthly_payment,
    )
