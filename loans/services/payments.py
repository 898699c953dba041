"""Money in: repayments at the desk or over the API, and closing a repaid loan (DOMAIN.md §9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ConflictError, DomainError
from core.money import to_tiyn
from loans.guards import lock_loan, repeated_payment, require_status
from loans.ledger.payoff import settle_loan
from loans.ledger.posting import post_held_on_closed, post_moved_out, post_reversal
from loans.ledger.repayment import apply_payment, restate_after_reversal
from loans.models import Loan, Payment, ScheduleVersion


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
        return repeated_payment(by, idempotency_key, fingerprint), False


@transaction.atomic(durable=True)
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
            return repeated_payment(by, idempotency_key, fingerprint), False
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
        _apply(loan, payment, by)
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


def _apply(loan: Loan, payment: Payment, by) -> None:
    """The money on the ledger (``loans.ledger.repayment``); a loan it repaid is closed."""
    if apply_payment(loan, payment, by).repaid:
        settled = lock_loan(loan.pk)
        years = settle_loan(settled, on=payment.value_date, by=by)
        audit(
            settled,
            "loan.closed",
            by=by,
            data={"on": payment.value_date.isoformat(), "kept_years": years},
        )


def _move_to_active_contract(closed: Loan, payment: Payment, by) -> None:
    """Money on a closed contract goes to the borrower's active one (DOMAIN.md §9)."""
    post_held_on_closed(closed, payment, by)
    active = (
        Loan.objects.select_for_update(no_key=True)
        .filter(borrower_id=closed.borrower_id, status=Loan.Status.ACTIVE)
        .order_by("disbursed_on", "id")
        .first()
    )
    if active is None:
        return  # held on the closed contract until the borrower asks for a refund
    post_moved_out(closed, payment, by)
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
    _apply(active, moved, by)
    audit(active, "loan.payment_moved_in", by=by, data={"from": closed.number, "payment": moved.pk})


@transaction.atomic(durable=True)
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
    post_reversal(loan, payment, reason=reason.strip(), by=by)
    payment.reversed_at, payment.reversed_by = timezone.now(), by
    payment.reversal_reason = reason.strip()
    payment.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    restate_after_reversal(loan, since=payment.value_date)
    audit(loan, "loan.payment_reversed", by=by, data={"payment": payment.pk, "reason": reason})
    return payment
