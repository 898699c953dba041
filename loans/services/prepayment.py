"""Repaying early: the payoff quote, full and partial prepayment (DOMAIN.md §9).

The quote and the posting run the same arithmetic: a posting closes the loan's days up to the
date, a quote or a preview simulates them in memory with the close's own per-day function
(writing nothing, never making a posting wait); then ``loans.domain.prepayment`` computes what
closes the loan, or rebuilds the rest of the schedule after a partial prepayment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ConflictError, DomainError
from core.money import ZERO, to_tiyn
from core.regulation import regulatory_value
from lending.domain.gesv import gesv_after_change
from loans.domain.allocation import Component as Debt
from loans.domain.prepayment import PayoffQuote, rebuild_after_prepayment
from loans.domain.prepayment import Prepayment as Rebuilt
from loans.domain.servicing import Position, ScheduleTotals, debts_due
from loans.guards import (
    check_effective_date,
    latest_snapshot_date,
    lock_loan,
    repeated_payment,
    require_status,
)
from loans.ledger.close import bring_loan_up_to
from loans.ledger.payoff import payoff_from
from loans.ledger.repayment import apply_prepayment, schedule_prepaid_partly
from loans.ledger.schedules import current_schedule
from loans.ledger.simulate import close_read, simulate_loan_through
from loans.models import Loan, Payment, Prepayment
from loans.selectors import loan_position, schedule_totals

# How far ahead a payoff quote may be dated.
QUOTE_HORIZON_DAYS = 366


def payoff_quote_on(*, loan_id: int, on: date) -> PayoffQuote:
    """The payoff quote for any date from the loan's last closed day on, future ones included.

    A read: the loan's days to ``on`` are simulated in memory by the close's own arithmetic
    (``simulate_loan_through``: a few queries whatever the date, nothing written), under the
    close's lock taken shared and only if free (``close_read``), so a quote never makes a
    payment wait, and says ``close_running`` while the nightly close runs."""
    with close_read():
        loan = Loan.objects.get(pk=loan_id)
        require_status(loan, Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)
        latest = latest_snapshot_date(loan)
        if on < (latest or loan.disbursed_on):
            raise DomainError(
                _("A quote is given from %(date)s on.")
                % {"date": (latest or loan.disbursed_on).isoformat()},
                field="on",
                code="date_closed",
            )
        # a year at most: the simulated days are a loop in memory, not unbounded
        horizon = timezone.localdate() + timedelta(days=QUOTE_HORIZON_DAYS)
        if on > horizon:
            raise DomainError(
                _("A quote is given up to %(date)s.") % {"date": horizon.isoformat()},
                field="on",
                code="too_far",
            )
        simulated = simulate_loan_through(loan_id=loan.pk, through=on)
    return payoff_from(loan, on, simulated.position, simulated.totals, simulated.snapshot)


@dataclass(frozen=True)
class PrepaymentPlan:
    """A partial prepayment worked out on its date: what it pays and the schedule after it."""

    on: date
    amount: Decimal
    due_paid: Decimal  # what was due on the date, paid first
    rebuilt: Rebuilt
    gesv: Decimal
    old_payment: Decimal  # the largest remaining instalment before
    new_payment: Decimal  # the largest instalment after


def _plan(
    loan: Loan,
    amount: Decimal,
    on: date,
    mode: str,
    position: Position,
    totals: ScheduleTotals,
) -> PrepaymentPlan:
    """``position`` and ``totals``: the loan's at the end of ``on`` (closed or simulated)."""
    due = debts_due(position, totals)
    due_total = sum(due.values(), ZERO)
    schedule = current_schedule(loan)
    remaining = [line for line in schedule.installments if line.due_date > on]
    minimum = int(regulatory_value("prepayment_min_payments", on=on))
    rebuilt = rebuild_after_prepayment(schedule, on, amount - due_total, mode, min_payments=minimum)
    principal_left = position.principal - due[Debt.OVERDUE_PRINCIPAL] - due[Debt.CURRENT_PRINCIPAL]
    if rebuilt.principal_before != principal_left:
        raise ConflictError(
            _("The schedule does not match the balance (%(scheduled)s against %(balance)s).")
            % {"scheduled": rebuilt.principal_before, "balance": principal_left},
            field="loan",
            code="schedule_out_of_step",
        )
    payments = [(line.due_date, line.total) for line in rebuilt.schedule.installments]
    return PrepaymentPlan(
        on=on,
        amount=amount,
        due_paid=due_total,
        rebuilt=rebuilt,
        gesv=gesv_after_change(on, rebuilt.schedule.amount, payments),
        old_payment=max(line.total for line in remaining),
        new_payment=max(line.total for line in rebuilt.schedule.installments),
    )


def _check_request(amount, mode: str) -> None:
    if amount is None or amount <= 0:
        raise DomainError(
            _("The amount must be positive, in whole tiyn."), field="amount", code="invalid_amount"
        )
    if mode not in Prepayment.Mode.values:
        raise DomainError(
            _("Choose a shorter term or a smaller payment."), field="mode", code="invalid_mode"
        )


def prepayment_preview(
    *, loan_id: int, amount: Decimal, on: date, mode: str, today: date | None = None
) -> PrepaymentPlan:
    """The new schedule a partial prepayment would give; nothing is kept. A read like the
    payoff quote: the days to ``on`` are simulated, never closed (``close_read``)."""
    _check_request(amount, mode)
    with close_read():
        loan = Loan.objects.get(pk=loan_id)
        require_status(loan, Loan.Status.ACTIVE)
        check_effective_date(loan, on, today or timezone.localdate())
        simulated = simulate_loan_through(loan_id=loan.pk, through=on)
        return _plan(loan, amount, on, mode, simulated.position, simulated.totals)


def prepayment_post(**request) -> tuple[Prepayment, bool]:
    """Post a partial prepayment on the borrower's application (see ``_prepayment_post``).

    With an ``idempotency_key`` a repeat returns the first prepayment (``False``), also when
    the two requests raced and the other one committed first.
    """
    try:
        return _prepayment_post(**request)
    except IntegrityError:
        key, by = request.get("idempotency_key"), request["by"]
        if key is None or not Payment.objects.filter(received_by=by, idempotency_key=key).exists():
            raise
        payment = repeated_payment(by, key, request.get("fingerprint", ""))
        if not hasattr(payment, "prepayment"):
            raise ConflictError(
                _("This Idempotency-Key was already used for a different payment."),
                field="idempotency_key",
                code="idempotency_key_reused",
            ) from None
        return payment.prepayment, False


@transaction.atomic(durable=True)
def _prepayment_post(
    *,
    loan_id: int,
    amount: Decimal,
    on: date,
    mode: str,
    channel: str,
    by,
    applied_on: date | None = None,
    application_number: str = "",
    reference: str = "",
    payer: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    today: date | None = None,
) -> tuple[Prepayment, bool]:
    """Post a partial prepayment on the borrower's application: the money pays what is due,
    then the interest accrued to ``on``, then principal; the rest of the schedule is rebuilt
    (shorter term or smaller payment) and the recalculated GESV kept with the new version."""
    today = today or timezone.localdate()
    _check_request(amount, mode)
    if to_tiyn(amount) != amount:
        raise DomainError(
            _("The amount must be positive, in whole tiyn."), field="amount", code="invalid_amount"
        )
    if channel not in (Payment.Channel.CASH, Payment.Channel.BANK_TRANSFER):
        raise DomainError(_("Cash or bank transfer."), field="channel", code="invalid_channel")
    loan = lock_loan(loan_id)
    if (
        idempotency_key is not None
        and Payment.objects.filter(received_by=by, idempotency_key=idempotency_key).exists()
    ):
        payment = repeated_payment(by, idempotency_key, fingerprint)
        if not hasattr(payment, "prepayment"):
            raise ConflictError(
                _("This Idempotency-Key was already used for a different payment."),
                field="idempotency_key",
                code="idempotency_key_reused",
            )
        return payment.prepayment, False
    require_status(loan, Loan.Status.ACTIVE)
    check_effective_date(loan, on, today)
    if applied_on is not None and applied_on > on:
        raise DomainError(
            _("The application must be dated on or before the prepayment."),
            field="applied_on",
            code="application_after_prepayment",
        )
    bring_loan_up_to(loan_id=loan.pk, through=on)
    plan = _plan(loan, amount, on, mode, loan_position(loan), schedule_totals(loan, on=on))
    rebuilt = plan.rebuilt
    version = schedule_prepaid_partly(loan, on=on, rebuilt=rebuilt, gesv=plan.gesv, by=by)
    payment = Payment.objects.create(
        loan=loan,
        amount=amount,
        value_date=on,
        channel=channel,
        reference=reference,
        payer=payer,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        received_by=by,
    )
    apply_prepayment(loan, payment, by)
    prepayment = Prepayment.objects.create(
        loan=loan,
        application_number=application_number,
        applied_on=applied_on or on,
        on=on,
        amount=amount,
        mode=mode,
        due_paid=plan.due_paid,
        interest_paid=rebuilt.interest_paid,
        principal_paid=rebuilt.principal_paid,
        payment=payment,
        version=version,
        recorded_by=by,
    )
    audit(
        loan,
        "loan.prepaid_partly",
        by=by,
        data={
            "amount": str(amount),
            "on": on.isoformat(),
            "mode": mode,
            "version": version.version,
            "gesv": str(plan.gesv),
        },
    )
    return prepayment, True
