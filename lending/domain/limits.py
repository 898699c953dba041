"""A product's limits checked against proposed terms (DOMAIN.md §5). Pure.

Violations carry a code and parameters; the edges turn them into translated messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ProductLimits:
    min_amount: Decimal  # KZT, MRP limits already converted with the year's MRP
    max_amount: Decimal
    min_term_months: int
    max_term_months: int
    min_rate: Decimal
    max_rate: Decimal
    methods: frozenset[str]
    day_count: str


@dataclass(frozen=True)
class LimitViolation:
    field: str
    code: str
    params: dict = field(default_factory=dict)


def check_limits(
    limits: ProductLimits,
    *,
    amount: Decimal,
    term_months: int,
    annual_rate: Decimal,
    method: str,
    day_count: str,
) -> list[LimitViolation]:
    violations = []
    if not limits.min_amount <= amount <= limits.max_amount:
        violations.append(
            LimitViolation(
                "amount",
                "amount_out_of_range",
                {"min": limits.min_amount, "max": limits.max_amount},
            )
        )
    if not limits.min_term_months <= term_months <= limits.max_term_months:
        violations.append(
            LimitViolation(
                "term_months",
                "term_out_of_range",
                {"min": limits.min_term_months, "max": limits.max_term_months},
            )
        )
    if not limits.min_rate <= annual_rate <= limits.max_rate:
        violations.append(
            LimitViolation(
                "annual_rate", "rate_out_of_range", {"min": limits.min_rate, "max": limits.max_rate}
            )
        )
    if method not in limits.methods:
        violations.append(
            LimitViolation("method", "method_not_allowed", {"allowed": sorted(limits.methods)})
        )
    if day_count != limits.day_count:
        violations.append(
            LimitViolation("day_count", "day_count_differs", {"product": limits.day_count})
        )
    return violations


def gesv_violation(gesv: Decimal, cap: Decimal) -> LimitViolation | None:
    """The GESV may not exceed the cap; equal to the cap is allowed."""
    if gesv > cap:
        return LimitViolation("gesv", "gesv_above_cap", {"gesv": gesv, "cap": cap})
    return None


def rate_violation(
    annual_rate: Decimal, *, gesv_cap: Decimal, daily_cap: Decimal | None, year_days: int
) -> LimitViolation | None:
    """A rate no loan of its class may carry, whatever its schedule (DOMAIN.md §12).

    Above the class's GESV cap: at such rates a schedule's GESV is above its nominal rate
    (compounding), so it would exceed the cap. Where the class also has a daily cap (loans up to
    45 days and 45 MRP: under 0.3 % a day), the rate over the days of the year must stay under it.
    """
    if annual_rate > gesv_cap:
        return LimitViolation("annual_rate", "rate_above_gesv_cap", {"cap": _plain(gesv_cap)})
    if daily_cap is not None and annual_rate >= daily_cap * year_days:
        return LimitViolation(
            "annual_rate",
            "rate_above_daily_cap",
            {"daily": _plain(daily_cap), "cap": _plain(daily_cap * year_days)},
        )
    return None


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
