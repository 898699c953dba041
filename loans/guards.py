"""What every change to a loan shares before it writes: the loan's row lock, its state, the date
the change takes effect, and the checks a repeated request meets. Used by the use-cases
(``loans.services``) and the engine (``loans.ledger``); it writes nothing."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from core.errors import ConflictError, DomainError
from loans.models import Loan, LoanSnapshot, Payment, PayoutSource


def lock_loan(loan_id: int) -> Loan:
    # NO KEY UPDATE: the daily close may insert ledger rows for the loan meanwhile (FK share lock).
    return Loan.objects.select_for_update(no_key=True).select_related("product").get(pk=loan_id)


def require_status(loan: Loan, *statuses: str) -> None:
    """Refuse a change the loan's state does not allow; a closed loan is read-only."""
    if loan.status in statuses:
        return
    if loan.status == Loan.Status.CLOSED:
        raise ConflictError(
            _("The loan is closed; its file is read-only."), field="loan", code="loan_closed"
        )
    if loan.status == Loan.Status.WRITTEN_OFF:
        raise ConflictError(
            _("The loan is written off; only recoveries, demands and closure apply."),
            field="loan",
            code="loan_written_off",
        )
    raise ConflictError(_("The loan is not disbursed yet."), field="loan", code="not_disbursed")


def latest_snapshot_date(loan: Loan) -> date | None:
    return (
        LoanSnapshot.objects.filter(loan=loan).order_by("-on").values_list("on", flat=True).first()
    )


def check_effective_date(loan: Loan, on: date, today: date, *, field: str = "on") -> None:
    """A change takes effect today or on a day not yet closed for this loan, never in the
    future, never before the loan's last change of schedule: the closed days stay as they were."""
    if on is None:
        raise DomainError(_("Give the date."), field=field, code="required")
    if on > today:
        raise DomainError(_("The date cannot be in the future."), field=field, code="future_date")
    if on < loan.disbursed_on:
        raise DomainError(
            _("The date cannot precede the disbursement."),
            field=field,
            code="before_disbursement",
        )
    latest = latest_snapshot_date(loan)
    if latest is not None and on < latest:
        raise DomainError(
            _("%(date)s is already closed for this loan; use a date from %(latest)s on.")
            % {"date": on.isoformat(), "latest": latest.isoformat()},
            field=field,
            code="date_closed",
        )
    if loan.schedule_changed_on and on < loan.schedule_changed_on:
        raise DomainError(
            _("The schedule changed on %(date)s; nothing can take effect before it.")
            % {"date": loan.schedule_changed_on.isoformat()},
            field=field,
            code="before_schedule_change",
        )


def check_payout_source(source: str, *, field: str = "payout_account_source") -> None:
    if source not in PayoutSource.values:
        raise DomainError(
            _("Say where the account was taken from: the borrower's file or the seller's invoice."),
            field=field,
            code="invalid" if source else "required",
        )


def repeated_payment(by, key: str, fingerprint: str) -> Payment:
    """The payment a user already posted with this Idempotency-Key; a different request with
    the same key is a conflict."""
    payment = Payment.objects.get(received_by=by, idempotency_key=key)
    if fingerprint and payment.request_fingerprint != fingerprint:
        raise ConflictError(
            _("This Idempotency-Key was already used for a different payment."),
            field="idempotency_key",
            code="idempotency_key_reused",
        )
    return payment
