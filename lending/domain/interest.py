"""Interest of a period: the one formula schedules, prepayments and payoff quotes share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.money import to_tiyn
from lending.domain.daycount import DayCount, days_between, year_basis


def period_interest(
    principal: Decimal, annual_rate: Decimal, days: int, day_count: DayCount
) -> Decimal:
    """principal × rate% × days / basis, rounded half-up to the tiyn (DOMAIN.md §6)."""
    # One division, so an exact half tiyn stays exact and rounds up as the rule says.
    exact = principal * annual_rate * days / (100 * year_basis(day_count))
    return to_tiyn(exact)


def accrued_interest(
    principal: Decimal, annual_rate: Decimal, start: date, end: date, day_count: DayCount
) -> Decimal:
    """Interest on ``principal`` from ``start`` to ``end`` by the day count, to the tiyn."""
    return period_interest(principal, annual_rate, days_between(start, end, day_count), day_count)
