"""The annuity payment before rounding (DOMAIN.md §6)."""

from __future__ import annotations

from decimal import Decimal, localcontext

_PRECISION = 40  # digits; enough that rounding to the tiyn is decided on the exact value


def annuity_payment(principal: Decimal, annual_rate: Decimal, count: int) -> Decimal:
    """P·i / (1 − (1+i)^−n), i = annual rate / 12, unrounded; P / n at a zero rate."""
    with localcontext() as context:
        context.prec = _PRECISION
        if annual_rate == 0:
            return principal / count
        monthly = annual_rate / 1200
        return principal * monthly / (1 - (1 + monthly) ** -count)
