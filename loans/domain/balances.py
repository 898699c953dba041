"""A loan's balances derived from its ledger of immutable entries (DOMAIN.md §8–§9).

Every entry has a positive ``amount`` in whole tiyn; its kind says which way it moves the
balance of its component. Nothing is edited: a mistake is undone by a ``REVERSAL`` entry that
refers to the entry it cancels. ``balances_at`` sums the entries up to a date; ``reconcile``
compares that with balances stored elsewhere. Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.money import ZERO, to_tiyn
from loans.domain.errors import InvalidLedgerEntry

__all__ = [
    "Balances",
    "Component",
    "Entry",
    "InvalidLedgerEntry",
    "Kind",
    "balances_at",
    "reconcile",
]


class Component(StrEnum):
    PRINCIPAL = "principal"
    INTEREST = "interest"
    PENALTY = "penalty"


class Kind(StrEnum):
    DISBURSEMENT = "disbursement"
    REPAYMENT = "repayment"
    INTEREST_ACCRUAL = "interest_accrual"
    PENALTY_ACCRUAL = "penalty_accrual"
    WRITE_OFF = "write_off"
    REVERSAL = "reversal"
    REFUND = "refund"
    TRANSFER = "transfer"


# +1 raises the debt on the component, -1 lowers it. A REFUND (money paid back to the
# borrower) and a TRANSFER (money moved to the borrower's other contract, DOMAIN.md §9) take
# out money that had been credited to the component, so the debt there comes back.
# A REVERSAL has the opposite sign of the entry it reverses.
SIGN: Mapping[Kind, int] = {
    Kind.DISBURSEMENT: 1,
    Kind.INTEREST_ACCRUAL: 1,
    Kind.PENALTY_ACCRUAL: 1,
    Kind.REPAYMENT: -1,
    Kind.WRITE_OFF: -1,
    Kind.REFUND: 1,
    Kind.TRANSFER: 1,
}

# Kinds that can only concern one component.
ONLY_COMPONENT: Mapping[Kind, Component] = {
    Kind.DISBURSEMENT: Component.PRINCIPAL,
    Kind.INTEREST_ACCRUAL: Component.INTEREST,
    Kind.PENALTY_ACCRUAL: Component.PENALTY,
}


@dataclass(frozen=True)
class Entry:
    on: date
    kind: Kind
    component: Component
    amount: Decimal
    reverses: Entry | None = None  # only for a REVERSAL: the entry it cancels

    def __post_init__(self) -> None:
        amount = self.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise InvalidLedgerEntry("The amount must be an exact Decimal.", field="amount")
        if amount <= 0 or amount != to_tiyn(amount):
            raise InvalidLedgerEntry(
                "The amount must be positive and in whole tiyn.", field="amount"
            )
        required = ONLY_COMPONENT.get(self.kind)
        if required is not None and self.component is not required:
            raise InvalidLedgerEntry(
                f"A {self.kind} entry concerns the {required} only.", field="component"
            )
        if (self.kind is Kind.REVERSAL) != (self.reverses is not None):
            raise InvalidLedgerEntry(
                "A reversal, and only a reversal, refers to the entry it reverses.",
                field="reverses",
            )
        original = self.reverses
        if original is not None and (
            original.component is not self.component
            or original.amount != amount
            or original.on > self.on
        ):
            raise InvalidLedgerEntry(
                "A reversal has the component and amount of its entry, on or after its date.",
                field="reverses",
            )

    @property
    def sign(self) -> int:
        if self.reverses is not None:
            return -self.reverses.sign
        return SIGN[self.kind]


@dataclass(frozen=True)
class Balances:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO

    def of(self, component: Component) -> Decimal:
        return getattr(self, component.value)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty


def _check_reversals(entries: list[Entry]) -> None:
    """Each reversal cancels an entry of the ledger, and no entry is reversed twice."""
    present = Counter(entries)
    reversed_ = Counter(entry.reverses for entry in entries if entry.reverses is not None)
    for original, times in reversed_.items():
        if times > present[original]:
            raise InvalidLedgerEntry(
                "A reversal refers to an entry that is not in the ledger or already reversed.",
                field="reverses",
            )


def balances_at(entries: Iterable[Entry], as_of: date) -> Balances:
    """The principal, interest and penalty owed at the end of ``as_of``."""
    ledger = list(entries)
    _check_reversals(ledger)
    totals = dict.fromkeys(Component, ZERO)
    for entry in ledger:
        if entry.on <= as_of:
            totals[entry.component] += entry.sign * entry.amount
    return Balances(**{component.value: total for component, total in totals.items()})


def reconcile(
    entries: Iterable[Entry], stored_balances: Balances, as_of: date | None = None
) -> dict[Component, Decimal]:
    """Derived minus stored, for each component that differs; empty when they agree.

    ``as_of`` defaults to the whole ledger (the latest entry's date).
    """
    ledger = list(entries)
    if as_of is None:
        as_of = max((entry.on for entry in ledger), default=date.min)
    derived = balances_at(ledger, as_of)
    differences = {
        component: derived.of(component) - stored_balances.of(component) for component in Component
    }
    return {component: diff for component, diff in differences.items() if diff != 0}
