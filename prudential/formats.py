"""How prudential messages write dates, amounts and regulatory numbers (one place)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def day_text(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def kzt_text(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ")


def plain_number(value: Decimal) -> str:
    """A limit as written in the regulation: 10, 0.25 (``normalize`` alone prints 1E+1)."""
    return f"{value.normalize():f}"
