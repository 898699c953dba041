"""Money in, on the ledger (DOMAIN.md §9): a repayment met by the debts of its value date (a
payoff when it covers them all), a partial prepayment that rebuilds the schedule, a reversal.

The engine's side only: the use-cases in ``loans.services`` lock the loan, create the payment,
settle a loan these leave repaid (``Applied.repaid``) and audit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import F, Q
from django.utils import timezone

from loans.domain.prepayment import Prepayment as Rebuilt
from loans.guards import latest_snapshot_date
from loans.ledger.close import bring_loan_up_to, reclose_loan
from loans.ledger.payoff import line_due_on, payoff_at, settle_schedule_in_full
from loans.ledger.posting import allocate_payment, posted_after
from loans.ledger.schedules import version_store
from loans.models import Installment, LedgerEntry, Loan, Payment, ScheduleVersion
from loans.selectors import current_installments, loan_position


class Applied(NamedTuple):
    entries: list[LedgerEntry]
    repaid: bool  # the loan owes nothing more: the use-case settles it (``payoff.settle_loan``)


def apply_payment(loan: Loan, payment: Payment, by) -> Applied:
    """Split the money over what is due in the legal order; the rest is held (DOMAIN.md §9).

    Money that covers everything owed on its value date (the payoff quote) is a full
    prepayment: the loan's schedule ends that day (and the use-case closes the contract).
    """
    on = payment.value_date
    bring_loan_up_to(loan_id=loan.pk, through=on)
    # A payment counts on its value date: dated before days already closed (a transfer that
    # arrived over the weekend), it is still a payoff if it covered the debt of that date,
    # unless someone posted on the loan since (then it is held, and the close applies it).
    if latest_snapshot_date(loan) == on or not posted_after(loan, on):
        quote = payoff_at(loan, on)
        if quote.principal + quote.interest > 0 and payment.amount >= quote.to_pay:
            settle_schedule_in_full(loan, quote, by=by)
    entries = allocate_payment(loan, payment, by)
    reclose_loan(loan_id=loan.pk, since=on)
    position = loan_position(loan)
    repaid = loan.status != Loan.Status.CLOSED and not (
        position.principal or position.interest or position.penalty
    )
    return Applied(entries, repaid)


def schedule_prepaid_partly(
    loan: Loan, *, on: date, rebuilt: Rebuilt, gesv: Decimal, by
) -> ScheduleVersion:
    """The schedule after a partial prepayment on ``on``: the lines due by then kept, the
    prepayment a line due that day, then the rebuilt rest."""
    kept = list(current_installments(loan).filter(due_date__lte=on))
    line = line_due_on(loan, on, rebuilt.principal_paid, rebuilt.interest_paid)
    return version_store(
        loan,
        reason=ScheduleVersion.Reason.PARTIAL_PREPAYMENT,
        effective_on=on,
        kept=kept,
        settled=[line],
        schedule=rebuilt.schedule,
        gesv=gesv,
        by=by,
    )


def apply_prepayment(loan: Loan, payment: Payment, by) -> None:
    """The prepayment's money on the schedule rebuilt for it: the interest to the day charged
    first, then the money allocated, then the later days re-run with it."""
    reclose_loan(loan_id=loan.pk, since=payment.value_date)  # charges the interest to the day
    allocate_payment(loan, payment, by)
    reclose_loan(loan_id=loan.pk, since=payment.value_date)


def restate_after_reversal(loan: Loan, *, since: date) -> None:
    """After a reversal (``posting.post_reversal``) dated ``since``: the loan's days re-run,
    its instalments stated afresh."""
    reclose_loan(loan_id=loan.pk, since=since)
    _restate_installments(loan)


def _restate_installments(loan: Loan) -> None:
    """After a reversal an instalment marked paid may be unpaid again (the close only ever
    moves them forward): state each of the loan's instalments afresh, oldest first."""
    position = loan_position(loan)
    today = timezone.localdate()
    lines = current_installments(loan)
    paid = Q(cumulative_principal__lte=position.principal_repaid) & Q(
        cumulative_interest__lte=position.interest_repaid + F("cumulative_interest_waived")
    )
    lines.filter(paid).update(status=Installment.Status.PAID)
    lines.exclude(paid).filter(grace_date__lt=today).update(status=Installment.Status.OVERDUE)
    lines.exclude(paid).filter(grace_date__gte=today).update(status=Installment.Status.PENDING)
