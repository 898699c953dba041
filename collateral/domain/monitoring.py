"""Collateral monitoring: inspections and value drops (seed 004 ch. 4 p.6–8, ch. 2 §3 p.5).

Presence and condition are checked from acceptance until the loan ends. The seeds leave the
frequency to the pledge agreement, so the table below is a default the caller can override
per kind (``frequencies``) or per item (``frequency_months``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from collateral.domain.eligibility import CollateralKind
from collateral.domain.valuation import coverage, coverage_shortfall
from lending.domain.dates import add_months

NO_GAP = Decimal("0.0000")
# Our defaults, not the seeds': movables can vanish or wear out fast, buildings change slowly,
# land hardly at all. Guarantees are absent: there is nothing to look at.
DEFAULT_INSPECTION_MONTHS: Mapping[CollateralKind, int] = MappingProxyType(
    {
        CollateralKind.VEHICLE: 3,
        CollateralKind.SPECIAL_MACHINERY: 3,
        CollateralKind.MACHINERY_PURCHASED: 3,
        CollateralKind.HOUSING: 6,
        CollateralKind.NON_RESIDENTIAL: 6,
        CollateralKind.LAND: 12,
    }
)


@dataclass(frozen=True)
class MonitoredItem:
    item_id: Hashable
    kind: CollateralKind
    accepted_on: date
    last_inspected_on: date | None = None
    frequency_months: int | None = None  # from the pledge agreement; None: the kind's default
    released_on: date | None = None


@dataclass(frozen=True)
class OverdueInspection:
    item_id: Hashable
    due: date
    days_overdue: int


@dataclass(frozen=True)
class ValueDrop:
    coverage: Decimal
    required: Decimal
    below: bool
    gap: Decimal  # required − coverage when below, else 0 (a ratio, 4 places)
    shortfall: Decimal  # pledge value to add to get back to the requirement, KZT


def inspection_frequency(
    kind: CollateralKind, frequencies: Mapping[CollateralKind, int] = DEFAULT_INSPECTION_MONTHS
) -> int | None:
    """Months between inspections of ``kind``; ``None`` for kinds that are not inspected."""
    return frequencies.get(CollateralKind(kind))


def next_inspection_due(last_inspection_or_acceptance: date, frequency_months: int) -> date:
    """``frequency_months`` after the last inspection (or acceptance), clamped to month end."""
    if frequency_months < 1:
        raise ValueError("inspection frequency must be at least one month")
    return add_months(last_inspection_or_acceptance, frequency_months)


def overdue_inspections(
    items: Iterable[MonitoredItem],
    as_of: date,
    frequencies: Mapping[CollateralKind, int] = DEFAULT_INSPECTION_MONTHS,
) -> list[OverdueInspection]:
    """Items whose inspection was due before ``as_of``, most overdue first.

    The due day itself is not overdue. Released items and kinds without a frequency are
    skipped. An inspection before acceptance (say, at appraisal) does not restart the clock.
    """
    overdue = []
    for item in items:
        if item.released_on is not None and item.released_on <= as_of:
            continue
        months = item.frequency_months
        if months is None:
            months = inspection_frequency(item.kind, frequencies)
        if months is None:
            continue
        last = item.accepted_on
        if item.last_inspected_on is not None:
            last = max(last, item.last_inspected_on)
        due = next_inspection_due(last, months)
        if due < as_of:
            overdue.append(OverdueInspection(item.item_id, due, (as_of - due).days))
    return sorted(overdue, key=lambda found: found.due)


def value_drop_flag(
    new_pledge_values: Iterable[Decimal], loan_outstanding: Decimal, required_coverage: Decimal
) -> ValueDrop:
    """Whether the revalued collateral still covers the outstanding loan, and by how much not.

    A loan with nothing outstanding is not monitored: ``coverage`` refuses a zero amount.
    """
    values = list(new_pledge_values)
    ratio = coverage(values, loan_outstanding)
    shortfall = coverage_shortfall(values, loan_outstanding, required_coverage)
    below = shortfall > 0
    gap = (required_coverage - ratio) if below else NO_GAP
    return ValueDrop(
        coverage=ratio, required=required_coverage, below=below, gap=gap, shortfall=shortfall
    )
