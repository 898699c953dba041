"""A calculation as plain data: money as strings with two decimals, rates with their scale."""

from __future__ import annotations

from decimal import Decimal

from lending.calculator import Calculation
from lending.messages import limit_message


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def percent(rate: Decimal) -> str:
    """A rate without trailing zeros: 46 → "46", 9.4822 → "9.4822", 218.9 → "218.9"."""
    text = f"{rate.normalize():f}"
    return text


def calculation_as_dict(calculation: Calculation) -> dict:
    schedule = calculation.schedule
    return {
        "installments": [
            {
                "number": line.number,
                "due_date": line.due_date,
                "principal": money(line.principal),
                "interest": money(line.interest),
                "total": money(line.total),
                "balance": money(line.balance),
            }
            for line in schedule.installments
        ],
        "totals": {
            "principal": money(schedule.total_principal),
            "interest": money(schedule.total_interest),
            "payments": money(schedule.total_payments),
        },
        "gesv": f"{calculation.gesv:.1f}",
        "gesv_cap": percent(calculation.gesv_cap),
        "gesv_within_cap": calculation.gesv_within_cap,
        "limit_violations": [
            {"field": v.field, "code": v.code, "message": limit_message(v)}
            for v in calculation.limit_violations
        ],
    }
