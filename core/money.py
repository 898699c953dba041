"""Money in KZT: the one place where amounts are rounded.

Amounts are computed at full ``Decimal`` precision and rounded half-up to the tiyn
(0.01 KZT) exactly once, where an amount is posted or shown as a schedule line.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TIYN = Decimal("0.01")
ZERO = Decimal("0.00")
# The columns and fields every app stores and takes money and annual rates in: an amount in
# KZT to the tiyn, a rate in % a year to six places.
MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 9, "decimal_places": 6}


def to_tiyn(amount: Decimal) -> Decimal:
    """Round half-up to the tiyn: the documented rounding point for every amount."""
    return amount.quantize(TIYN, rounding=ROUND_HALF_UP)


def round_to_multiple(amount: Decimal, multiple: Decimal = TIYN) -> Decimal:
    """Round half-up to a payment multiple (0.01, 1, 100 KZT ...), kept to the tiyn."""
    if multiple <= 0:
        raise ValueError("multiple must be positive")
    steps = (amount / multiple).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return to_tiyn(steps * multiple)


def parse_money(value: str | int | Decimal) -> Decimal:
    """Turn user input into an exact amount; floats are refused so no binary error sneaks in."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount
