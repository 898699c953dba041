"""The order in which a payment repays a microcredit's debt (DOMAIN.md §8–§9).

The order is data (``MICROCREDIT_ORDER``); ``allocate`` walks it and pays each component in
full before the next gets a tiyn. What is left over is ``unapplied``: without a prepayment
application it is held for the next instalment (DOMAIN.md §9; seed 004 ch. 7 §4 p. 5) – that
decision, and the posting, belong to the caller.

Source of the order. Neither seed states it: "очередност" does not occur in seed 004 (the
MFO's lending rules) nor in seed 003 (the product terms). Seed 004 ch. 7 §2 p. 2 only says
that principal, accrued interest and penalty must be paid in full and on time, and ch. 7 §4
p. 5 holds an overpayment for the next period. The order below is the one the Law of the
Republic of Kazakhstan "On microfinance activity" sets for a payment too small to meet the
whole obligation under a microcredit contract:
  1) principal arrears, 2) interest arrears, 3) penalty (fine, late fee) as set by the
  contract, 4) principal of the current period, 5) interest of the current period,
  6) the MFO's costs of obtaining performance (collection costs).
Older contract templates in circulation follow the earlier, Civil-Code-style order (costs,
penalty, interest, principal); a contract that still says so is overridden by the law.
Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from core.money import ZERO, to_tiyn
from loans.domain.errors import InvalidAllocationInput

__all__ = [
    "MICROCREDIT_ORDER",
    "Allocation",
    "Component",
    "InvalidAllocationInput",
    "allocate",
]


class Component(StrEnum):
    """A part of the debt that a payment can repay."""

    OVERDUE_PRINCIPAL = "overdue_principal"
    OVERDUE_INTEREST = "overdue_interest"
    PENALTY = "penalty"
    CURRENT_PRINCIPAL = "current_principal"
    CURRENT_INTEREST = "current_interest"
    COLLECTION_COSTS = "collection_costs"


MICROCREDIT_ORDER: tuple[Component, ...] = (
    Component.OVERDUE_PRINCIPAL,
    Component.OVERDUE_INTEREST,
    Component.PENALTY,
    Component.CURRENT_PRINCIPAL,
    Component.CURRENT_INTEREST,
    Component.COLLECTION_COSTS,
)


@dataclass(frozen=True)
class Allocation:
    """How ``amount`` was split: ``parts`` in the order used, plus the ``unapplied`` rest."""

    amount: Decimal
    parts: Mapping[Component, Decimal] = field(default_factory=dict)
    unapplied: Decimal = ZERO

    def part(self, component: Component) -> Decimal:
        return self.parts.get(component, ZERO)

    @property
    def applied(self) -> Decimal:
        return sum(self.parts.values(), ZERO)


def _checked(value: object, field_name: str) -> Decimal:
    """A non-negative ``Decimal`` in whole tiyn, or ``InvalidAllocationInput`` naming the field."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidAllocationInput("Amounts must be exact Decimal values.", field=field_name)
    if value < 0:
        raise InvalidAllocationInput("Amounts may not be negative.", field=field_name)
    if value != to_tiyn(value):
        raise InvalidAllocationInput("Amounts must be in whole tiyn.", field=field_name)
    return to_tiyn(value)


def allocate(
    amount: Decimal,
    debts: Mapping[Component, Decimal],
    order: Sequence[Component] = MICROCREDIT_ORDER,
) -> Allocation:
    """Split ``amount`` over ``debts`` in ``order``; a component missing from ``debts`` is owed 0.

    Each component is paid in full before the next one gets anything; the rest is
    ``unapplied``. Exact to the tiyn: ``sum(parts) + unapplied == amount``.
    """
    paid = _checked(amount, "amount")
    if len(set(order)) != len(order):
        raise InvalidAllocationInput("A component appears twice in the order.", field="order")
    outside = [str(component) for component in debts if component not in order]
    if outside:
        # Money owed on a component the order does not know would silently stay unpaid.
        raise InvalidAllocationInput(
            f"Debt components not in the order: {', '.join(sorted(outside))}.", field="debts"
        )
    due = {
        component: _checked(debts.get(component, ZERO), f"debts.{component}") for component in order
    }
    left = paid
    parts: dict[Component, Decimal] = {}
    for component in order:
        parts[component] = min(left, due[component])
        left -= parts[component]
    return Allocation(amount=paid, parts=MappingProxyType(parts), unapplied=left)
