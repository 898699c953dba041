"""Money in: repayments at the desk or over the API, and closing a repaid loan (DOMAIN.md §9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ConflictError, DomainError
from core.money import ZERO, to_tiyn
from loans.domain.allocation import Component as Debt
from loans.domain.allocation import allocate
from loans.domain.ledger import Component, Kind
from loans.domain.servicing import debts_due
from loans.models import Installment, LedgerEntry, Loan, Payment, ScheduleVersion
from loans.selectors import current_installments, loan_position, schedule_totals
from loans.services.closing import bring_loan_up_to, reclose_loan
from loans.services.contracts import lock_loan
from loans.services.guards import latest_snapshot_date, require_status

# Which ledger component each part of the allocation repays.
LEDGER_COMPONENT = {
    Debt.OVERDUE_PRINCIPAL: Component.PRINCIPAL,
    Debt.CURRENT_PRINCIPAL: Component.PRINCIPAL,
    Debt.OVERDUE_INTEREST: Component.INTEREST,
    Debt.CURRENT_INTEREST: Component.INTEREST,
    Debt.PENALTY: Component.PENALTY,
}


def payment_post(
    *,
    loan_id: int,
    amount: Decimal,
    value_date: date,
    channel: str,
    by,
    reference: str = "",
    payer: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    today: date | None = None,
) -> tuple[Payment, bool]:
    """Post a repayment; returns the payment and whether it was posted now.

    With an ``idempotency_key`` the same key from the same user posts once: a repeat returns
    the first payment (``False``), a repeat with a different request is a conflict.
    """
    try:
        return _post(
            loan_id=loan_id,
            amount=amount,
            value_date=value_date,
            channel=channel,
            by=by,
            reference=reference,
            payer=payer,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            today=today or timezone.localdate(),
        )
    except IntegrityError:
        # Another request with this key (for another loan) committed first.
        if (
            idempotency_key is None
            or not Payment.objects.filter(received_by=by, idempotency_key=idempotency_key).exists()
        ):
            raise
        return _repeat(by, idempotency_key, fingerprint), False


def _repeat(by, key: str, fingerprint: str) -> Payment:
    payment = Payment.objects.get(received_by=by, idempotency_key=key)
    if fingerprint and payment.request_fingerprint != fingerprint:
        raise ConflictError(
            _("This Idempotency-Key was already used for a different payment."),
            field="idempotency_key",
            code="idempotency_key_reused",
        )
    return payment


@transaction.atomic
def _post(
    *,
    loan_id,
    amount,
    value_date,
    channel,
    by,
    reference,
    payer,
    idempotency_key,
    fingerprint,
    today,
) -> tuple[Payment, bool]:
    _check_input(amount, value_date, channel, today)
    loan = lock_loan(loan_id)
    if idempotency_key is not None:
        existing = Payment.objects.filter(received_by=by, idempotency_key=idempotency_key)
        if existing.exists():
            return _repeat(by, idempotency_key, fingerprint), False
    if loan.status not in (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED):
        raise ConflictError(
            _("Payments are taken only on a disbursed loan."), field="loan", code="not_disbursed"
        )
    if value_date < loan.disbursed_on:
        raise DomainError(
            _("The value date cannot precede the disbursement."),
            field="value_date",
            code="before_disbursement",
        )
    if loan.schedule_changed_on and value_date < loan.schedule_changed_on:
        raise DomainError(
            _("The schedule changed on %(date)s; a payment cannot be dated before it.")
            % {"date": loan.schedule_changed_on.isoformat()},
            field="value_date",
            code="before_schedule_change",
        )
    with transaction.atomic():  # a savepoint, so a duplicate key leaves the outer block usable
        payment = Payment.objects.create(
            loan=loan,
            amount=amount,
            value_date=value_date,
            channel=channel,
            reference=reference,
            payer=payer,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            received_by=by,
        )
    if loan.status == Loan.Status.CLOSED:
        _move_to_active_contract(loan, payment, by)
    else:
        apply_payment(loan, payment, by)
    audit(
        loan,
        "loan.payment_posted",
        by=by,
        data={"payment": payment.pk, "amount": str(amount), "value_date": value_date.isoformat()},
    )
    return payment, True


def _check_input(amount: Decimal, value_date: date, channel: str, today: date) -> None:
    if amount is None or amount <= 0 or to_tiyn(amount) != amount:
        raise DomainError(
            _("The amount must be positive, in whole tiyn."), field="amount", code="invalid_amount"
        )
    if value_date > today:
        raise DomainError(
            _("The value date cannot be in the future."),
            field="value_date",
            code="future_value_date",
        )
    if channel not in (Payment.Channel.CASH, Payment.Channel.BANK_TRANSFER):
        raise DomainError(_("Cash or bank transfer."), field="channel", code="invalid_channel")


def apply_payment(loan: Loan, payment: Payment, by) -> list[LedgerEntry]:
    """Split the money over what is due in the legal order; the rest is held (DOMAIN.md §9).

    Money that covers everything owed on its value date (the payoff quote) is a full
    prepayment: the loan's schedule ends that day and the contract closes.
    """
    from loans.services.closure import loan_settle
    from loans.services.prepayment import payoff_at, settle_schedule_in_full

    on = payment.value_date
    bring_loan_up_to(loan_id=loan.pk, through=on)
    # A payment counts on its value date: dated before days already closed (a transfer that
    # arrived over the weekend), it is still a payoff if it covered the debt of that date,
    # unless someone posted on the loan since (then it is held, and the close applies it).
    if latest_snapshot_date(loan) == on or not _posted_after(loan, on):
        quote = payoff_at(loan, on)
        if quote.principal + quote.interest > 0 and payment.amount >= quote.to_pay:
            settle_schedule_in_full(loan, quote, by=by)
    entries = allocate_payment(loan, payment, by)
    reclose_loan(loan_id=loan.pk, since=on)
    position = loan_position(loan)
    if loan.status != Loan.Status.CLOSED and not (
        position.principal or position.interest or position.penalty
    ):
        loan_settle(loan_id=loan.pk, on=on, by=by)
    return entries


# What the close posts by itself; anything else is a posting by a person.
CLOSE_KINDS = (
    Kind.INTEREST_ACCRUAL,
    Kind.OVERDUE_INTEREST_ACCRUAL,
    Kind.PENALTY_ACCRUAL,
    Kind.HELD_APPLIED,
)


def _posted_after(loan: Loan, on: date) -> bool:
    return (
        LedgerEntry.objects.filter(loan=loan, value_date__gt=on)
        .exclude(kind__in=CLOSE_KINDS)
        .exists()
    )


def allocate_payment(loan: Loan, payment: Payment, by) -> list[LedgerEntry]:
    """The payment's ledger entries: the debts due on its value date, then held."""
    position = loan_position(loan, on=payment.value_date)
    totals = schedule_totals(loan, on=payment.value_date)
    split = allocate(payment.amount, debts_due(position, totals))
    by_component: dict[Component, Decimal] = {}
    for debt, part in split.parts.items():
        if part:
            component = LEDGER_COMPONENT[debt]
            by_component[component] = by_component.get(component, ZERO) + part
    if split.unapplied:
        by_component[Component.HELD] = split.unapplied
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
        for component, part in by_component.items()
    )


def _move_to_active_contract(closed: Loan, payment: Payment, by) -> None:
    """Money on a closed contract goes to the borrower's active one (DOMAIN.md §9)."""
    LedgerEntry.objects.create(
        loan=closed,
        value_date=payment.value_date,
        kind=Kind.REPAYMENT,
        component=Component.HELD,
        amount=-payment.amount,
        payment=payment,
        posted_by=by,
    )
    active = (
        Loan.objects.select_for_update(no_key=True)
        .filter(borrower_id=closed.borrower_id, status=Loan.Status.ACTIVE)
        .order_by("disbursed_on", "id")
        .first()
    )
    if active is None:
        return  # held on the closed contract until the borrower asks for a refund
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
    moved = Payment.objects.create(
        loan=active,
        amount=payment.amount,
        # not before the active loan's last change of schedule: those days are settled
        value_date=max(
            filter(None, [payment.value_date, active.disbursed_on, active.schedule_changed_on])
        ),
        channel=Payment.Channel.TRANSFER,
        reference=payment.reference,
        payer=payment.payer,
        moved_from=payment,
        received_by=by,
    )
    apply_payment(active, moved, by)
    audit(active, "loan.payment_moved_in", by=by, data={"from": closed.number, "payment": moved.pk})


@transaction.atomic
def payment_reverse(*, payment_id: int, reason: str, by) -> Payment:
    """Undo a payment posted in error: every entry it made is reversed, never edited.

    The held money the nightly close applied from that date on is reversed too and the close
    re-run for the loan, so it is re-applied from what is really held.
    """
    loan_id = Payment.objects.values_list("loan_id", flat=True).get(pk=payment_id)
    loan = lock_loan(loan_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if not reason.strip():
        raise DomainError(_("Give the reason for the reversal."), field="reason", code="required")
    if payment.reversed_at is not None:
        raise ConflictError(
            _("This payment has already been reversed."), field="payment", code="reversed"
        )
    require_status(loan, Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)
    # The schedule rebuilt with this money (a prepayment) or after it was allocated stands on
    # it: undoing the money would leave that schedule without its cause.
    rebuilt_after = ScheduleVersion.objects.filter(
        loan=loan, version__gt=1, created_at__gte=payment.received_at
    ).exists()
    if (
        hasattr(payment, "prepayment")
        or rebuilt_after
        or (loan.schedule_changed_on and payment.value_date < loan.schedule_changed_on)
    ):
        raise ConflictError(
            _("The schedule was rebuilt with or after this payment; it can no longer be reversed."),
            field="payment",
            code="before_schedule_change",
        )
    if payment.channel == Payment.Channel.TRANSFER or hasattr(payment, "moved_to"):
        raise ConflictError(
            _("A payment moved between contracts is reversed on the contract it came from."),
            field="payment",
            code="moved",
        )
    reversed_ = list(payment.entries.filter(reversed_by__isnull=True))
    reversed_ += list(
        LedgerEntry.objects.filter(
            loan=loan,
            kind=Kind.HELD_APPLIED,
            value_date__gte=payment.value_date,
            reversed_by__isnull=True,
        )
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            loan=loan,
            value_date=entry.value_date,
            kind=Kind.REVERSAL,
            component=entry.component,
            amount=-entry.amount,
            reverses=entry,
            payment=entry.payment,
            reason=reason.strip(),
            posted_by=by,
        )
        for entry in reversed_
    )
    payment.reversed_at, payment.reversed_by = timezone.now(), by
    payment.reversal_reason = reason.strip()
    payment.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    reclose_loan(loan_id=loan.pk, since=payment.value_date)
    _restate_installments(loan)
    audit(loan, "loan.payment_reversed", by=by, data={"payment": payment.pk, "reason": reason})
    return payment


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
