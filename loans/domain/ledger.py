"""A loan's ledger: immutable, dated, signed entries and their balances (DOMAIN.md §8–§9).

Every entry moves one component of what the borrower owes by a signed ``amount`` in whole
tiyn: positive raises the debt, negative lowers it. ``HELD`` is the borrower's money the MFO
holds (an overpayment waiting for the next instalment): it is kept as a negative debt, so that
every component adds up the same way and a payment's entries sum to minus the money received.
Nothing is edited: a mistake is undone by a ``REVERSAL`` that negates the entry it cancels.
Pure: plain values in, plain values out.
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
    HELD = "held"  # the borrower's money held for later, as a negative debt


class Kind(StrEnum):
    DISBURSEMENT = "disbursement"
    REPAYMENT = "repayment"  # money received: lowers a debt, or is held (HELD goes down)
    HELD_APPLIED = "held_applied"  # held money applied to a debt: a pair that sums to zero
    INTEREST_ACCRUAL = "interest_accrual"  # the schedule's interest, on its due date
    OVERDUE_INTEREST_ACCRUAL = "overdue_interest_accrual"  # on principal left unpaid
    PENALTY_ACCRUAL = "penalty_accrual"
    FINE = "fine"  # a fine for breach of contract (misuse of a targeted loan), due at once
    REFUND = "refund"  # held money paid back to the borrower
    TRANSFER = "transfer"  # held money moved to (or from) the borrower's other contract
    WRITE_OFF = "write_off"
    REVERSAL = "reversal"


# The sign each kind may carry; the accruals are recomputed every night, and a recomputation
# that finds too much posted (after a backdated payment) posts a negative correction.
SIGNS: Mapping[Kind, frozenset[int]] = {
    Kind.DISBURSEMENT: frozenset({1}),
    Kind.REPAYMENT: frozenset({-1}),
    Kind.HELD_APPLIED: frozenset({1, -1}),
    Kind.INTEREST_ACCRUAL: frozenset({1, -1}),
    Kind.OVERDUE_INTEREST_ACCRUAL: frozenset({1, -1}),
    Kind.PENALTY_ACCRUAL: frozenset({1, -1}),
    Kind.FINE: frozenset({1}),
    Kind.REFUND: frozenset({1}),
    Kind.TRANSFER: frozenset({1, -1}),
    Kind.WRITE_OFF: frozenset({-1}),
    Kind.REVERSAL: frozenset({1, -1}),
}

# Kinds that can only concern one component.
ONLY_COMPONENT: Mapping[Kind, Component] = {
    Kind.DISBURSEMENT: Component.PRINCIPAL,
    Kind.INTEREST_ACCRUAL: Component.INTEREST,
    Kind.OVERDUE_INTEREST_ACCRUAL: Component.INTEREST,
    Kind.PENALTY_ACCRUAL: Component.PENALTY,
    Kind.FINE: Component.PENALTY,
    Kind.REFUND: Component.HELD,
    Kind.TRANSFER: Component.HELD,
}


# Kinds that only ever lower a debt: on HELD they would create money owed to the borrower.
DEBT_ONLY = frozenset({Kind.WRITE_OFF})


def check_entry(kind: Kind, component: Component, amount: Decimal) -> None:
    """Raise ``InvalidLedgerEntry`` unless an entry of ``kind`` may move ``component`` so."""
    kind, component = Kind(kind), Component(component)
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidLedgerEntry("The amount must be an exact Decimal.", field="amount")
    if amount == 0 or amount != to_tiyn(amount):
        raise InvalidLedgerEntry("The amount must be non-zero and in whole tiyn.", field="amount")
    sign = 1 if amount > 0 else -1
    if sign not in SIGNS[kind]:
        raise InvalidLedgerEntry(
            f"A {kind} entry cannot {'raise' if sign > 0 else 'lower'} a balance.", field="amount"
        )
    required = ONLY_COMPONENT.get(kind)
    if required is not None and component is not required:
        raise InvalidLedgerEntry(f"A {kind} entry concerns the {required} only.", field="component")
    if kind in DEBT_ONLY and component is Component.HELD:
        raise InvalidLedgerEntry(
            f"A {kind} entry concerns a debt, not held money.", field="component"
        )


@dataclass(frozen=True)
class Entry:
    on: date
    kind: Kind
    component: Component
    amount: Decimal  # signed: + raises the debt, − lowers it
    reverses: Entry | None = None  # only for a REVERSAL: the entry it cancels

    def __post_init__(self) -> None:
        check_entry(self.kind, self.component, self.amount)
        if (self.kind is Kind.REVERSAL) != (self.reverses is not None):
            raise InvalidLedgerEntry(
                "A reversal, and only a reversal, refers to the entry it reverses.",
                field="reverses",
            )
        original = self.reverses
        if original is not None and (
            original.component is not self.component
            or original.amount != -self.amount
            or original.on > self.on
        ):
            raise InvalidLedgerEntry(
                "A reversal negates its entry's amount, on its component, on or after its date.",
                field="reverses",
            )


@dataclass(frozen=True)
class Balances:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    held: Decimal = ZERO  # money held for the borrower, shown positive

    def of(self, component: Component) -> Decimal:
        if component is Component.HELD:
            return -self.held  # as the ledger keeps it: a negative debt
        return getattr(self, component.value)

    @property
    def total(self) -> Decimal:
        """What the borrower owes net of the money held for them."""
        return self.principal + self.interest + self.penalty - self.held


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


def totals_by_component(entries: Iterable[tuple[Component, Decimal]]) -> Balances:
    """Balances from (component, signed amount) pairs: what a SQL ``SUM … GROUP BY`` gives."""
    totals = dict.fromkeys(Component, ZERO)
    for component, amount in entries:
        totals[Component(component)] += amount
    return Balances(
        principal=totals[Component.PRINCIPAL],
        interest=totals[Component.INTEREST],
        penalty=totals[Component.PENALTY],
        held=-totals[Component.HELD],
    )


def balances_at(entries: Iterable[Entry], as_of: date) -> Balances:
    """The principal, interest, penalty owed and the money held at the end of ``as_of``."""
    ledger = list(entries)
    _check_reversals(ledger)
    return totals_by_component(
        (entry.component, entry.amount) for entry in ledger if entry.on <= as_of
    )


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
