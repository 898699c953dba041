"""The ledger entries a person's action posts: a disbursement, a repayment's split over the
debts due, money moved between contracts, a reversal, a fine, a refund (DOMAIN.md §9).

Each function writes entries only; re-running the loan's closed days after it (``close``) and
everything else a use-case does (locks, checks, audit) is the caller's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import ZERO
from loans.domain.allocation import Component as Debt
from loans.domain.allocation import allocate
from loans.domain.ledger import Component, Kind
from loans.domain.servicing import debts_due
from loans.models import LedgerEntry, Loan, Payment
from loans.selectors import loan_position, schedule_totals

# Which ledger component each part of the allocation repays.
LEDGER_COMPONENT = {
    Debt.OVERDUE_PRINCIPAL: Component.PRINCIPAL,
    Debt.CURRENT_PRINCIPAL: Component.PRINCIPAL,
    Debt.OVERDUE_INTEREST: Component.INTEREST,
    Debt.CURRENT_INTEREST: Component.INTEREST,
    Debt.PENALTY: Component.PENALTY,
}

# What the close posts by itself; anything else is a posting by a person.
CLOSE_KINDS = (
    Kind.INTEREST_ACCRUAL,
    Kind.OVERDUE_INTEREST_ACCRUAL,
    Kind.PENALTY_ACCRUAL,
    Kind.HELD_APPLIED,
)


def by_component(parts) -> dict[Component, Decimal]:
    """An allocation's parts summed per ledger component (both principals are principal)."""
    totals: dict[Component, Decimal] = {}
    for debt, part in parts.items():
        if part:
            component = LEDGER_COMPONENT[debt]
            totals[component] = totals.get(component, ZERO) + part
    return totals


def post_disbursement(loan: Loan, *, on: date, by) -> LedgerEntry:
    return LedgerEntry.objects.create(
        loan=loan,
        value_date=on,
        kind=Kind.DISBURSEMENT,
        component=Component.PRINCIPAL,
        amount=loan.amount,
        posted_by=by,
    )


def allocate_payment(loan: Loan, payment: Payment, by) -> list[LedgerEntry]:
    """The payment's ledger entries: the debts due on its value date, then held."""
    position = loan_position(loan, on=payment.value_date)
    totals = schedule_totals(loan, on=payment.value_date)
    split = allocate(payment.amount, debts_due(position, totals))
    parts = by_component(split.parts)
    if split.unapplied:
        parts[Component.HELD] = split.unapplied
    return LedgerEntry.objects.bulk_create(
        LedgerEntry(
            loan=loan,
            value_date=payment.value_date,
            kind=Kind.REPAYMENT,
            component=component,
            amount=-part,
            payment=payment,
            posted_by=by,
        )
        for component, part in parts.items()
    )


def posted_after(loan: Loan, on: date) -> bool:
    """Whether a person posted on the loan with a value date after ``on``."""
    return (
        LedgerEntry.objects.filter(loan=loan, value_date__gt=on)
        .exclude(kind__in=CLOSE_KINDS)
        .exists()
    )


def post_held_on_closed(closed: Loan, payment: Payment, by) -> None:
    """Money paid on a closed contract is held on it (until moved or refunded)."""
    LedgerEntry.objects.create(
        loan=closed,
        value_date=payment.value_date,
        kind=Kind.REPAYMENT,
        component=Component.HELD,
        amount=-payment.amount,
        payment=payment,
        posted_by=by,
    )


def post_moved_out(closed: Loan, payment: Payment, by) -> None:
    """The money held on a closed contract leaves it for the borrower's active one."""
    reason = _("Moved from closed contract %(number)s") % {"number": closed.number}
    LedgerEntry.objects.create(
        loan=closed,
        value_date=payment.value_date,
        kind=Kind.TRANSFER,
        component=Component.HELD,
        amount=payment.amount,
        payment=payment,
        reason=reason,
        posted_by=by,
    )


def post_reversal(loan: Loan, payment: Payment, *, reason: str, by) -> list[LedgerEntry]:
    """Every entry the payment made is reversed, never edited; so is the held money the close
    applied from its date on (the close re-applies what is really held)."""
    reversed_ = list(payment.entries.filter(reversed_by__isnull=True))
    reversed_ += list(
        LedgerEntry.objects.filter(
            loan=loan,
            kind=Kind.HELD_APPLIED,
            value_date__gte=payment.value_date,
            reversed_by__isnull=True,
        )
    )
    return LedgerEntry.objects.bulk_create(
        LedgerEntry(
            loan=loan,
            value_date=entry.value_date,
            kind=Kind.REVERSAL,
            component=entry.component,
            amount=-entry.amount,
            reverses=entry,
            payment=entry.payment,
            reason=reason,
            posted_by=by,
        )
        for entry in reversed_
    )


def post_misuse_fine(loan: Loan, *, on: date, fine: Decimal, by) -> LedgerEntry:
    return LedgerEntry.objects.create(
        loan=loan,
        value_date=on,
        kind=Kind.FINE,
        component=Component.PENALTY,
        amount=fine,
        reason=_("Fine for misuse of a targeted loan"),
        posted_by=by,
    )


def post_refund(loan: Loan, *, on: date, amount: Decimal, by) -> LedgerEntry:
    return LedgerEntry.objects.create(
        loan=loan,
        value_date=on,
        kind=Kind.REFUND,
        component=Component.HELD,
        amount=amount,
        reason=_("Refund of an overpayment on the borrower's application"),
        posted_by=by,
    )
