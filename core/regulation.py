"""Regulatory numbers by date: ``regulatory_value(Key.GESV_CAP, on=contract_date)``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.errors import DomainError
from core.models import OVERDUE_STOP_CODES, OverdueStop, RegulatoryValue

Key = RegulatoryValue.Key
LoanClass = RegulatoryValue.LoanClass


class RegulatoryValueMissing(DomainError):
    default_code = "regulatory_value_missing"


def regulatory_value_or_none(key: str, *, on: date, loan_class: str = "") -> Decimal | None:
    row = (
        RegulatoryValue.objects.filter(key=key, loan_class=loan_class, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("value", flat=True)
        .first()
    )
    return row


def regulatory_value(key: str, *, on: date, loan_class: str = "") -> Decimal:
    value = regulatory_value_or_none(key, on=on, loan_class=loan_class)
    if value is None:
        raise RegulatoryValueMissing(
            f"No value of {RegulatoryValue.Key(key).label} is in force on {on:%Y-%m-%d}; "
            "an administrator must enter it."
        )
    return value


def mrp(*, on: date) -> Decimal:
    """The MRP in force on a date: limits in MRP are evaluated with the MRP of the decision."""
    return regulatory_value(Key.MRP, on=on)


def gesv_cap(*, on: date, product_cap: Decimal | None = None, loan_class: str = "") -> Decimal:
    """The effective cap of a contract: the lower of the product's and the regulatory cap."""
    regulatory = regulatory_value_or_none(Key.GESV_CAP, on=on, loan_class=loan_class)
    if regulatory is None and loan_class:
        regulatory = regulatory_value(Key.GESV_CAP, on=on)
    caps = [cap for cap in (regulatory, product_cap) if cap is not None]
    if not caps:
        raise RegulatoryValueMissing(f"No GESV cap is in force on {on:%Y-%m-%d}.")
    return min(caps)


@dataclass(frozen=True)
class OverdueStopRule:
    """One dated reading of the stop after days overdue, for loans to individuals."""

    effective_from: date
    scope: OverdueStop
    source: str
    to_verify: bool


def overdue_stop_rules() -> list[OverdueStopRule]:
    """Every dated reading of what stops after the days overdue, newest first (DOMAIN.md §12)."""
    rows = RegulatoryValue.objects.filter(
        key=Key.OVERDUE_STOP_SCOPE, loan_class=LoanClass.INDIVIDUAL
    ).order_by("-effective_from")
    return [
        OverdueStopRule(
            effective_from=row.effective_from,
            scope=OVERDUE_STOP_CODES.get(row.value, OverdueStop.PENALTY_AND_INTEREST),
            source=row.source,
            to_verify=row.needs_verification,
        )
        for row in rows
    ]
