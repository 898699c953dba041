"""The end of a loan: closure and archive, overpayment refunds, write-off (DOMAIN.md §9, §11)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ConflictError, DomainError
from core.money import to_tiyn
from loans.guards import check_effective_date, lock_loan, require_status
from loans.ledger.close import bring_loan_up_to
from loans.ledger.days import SERVICED
from loans.ledger.payoff import settle_loan
from loans.ledger.posting import post_refund
from loans.models import Loan, LoanSnapshot, PayoutSource, Refund, WriteOff
from loans.payout_targets import payout_account_to_pay
from loans.selectors import loan_position


@transaction.atomic(durable=True)
def loan_settle(*, loan_id: int, on: date, by) -> Loan:
    """Close a loan whose every obligation is met, archive its credit file; money still held
    for the borrower waits for their refund application (DOMAIN.md §9)."""
    loan = lock_loan(loan_id)
    years = settle_loan(loan, on=on, by=by)
    audit(loan, "loan.closed", by=by, data={"on": on.isoformat(), "kept_years": years})
    return loan


def loan_close(*, loan_id: int, on: date, by, today: date | None = None) -> Loan:
    """Close a loan by hand (a repaid loan the payment did not close itself)."""
    loan = Loan.objects.get(pk=loan_id)
    if loan.status == Loan.Status.CLOSED:
        raise ConflictError(_("The loan is already closed."), field="loan", code="loan_closed")
    require_status(loan, *SERVICED)  # a draft or signed loan has no disbursement date yet
    check_effective_date(loan, on, today or timezone.localdate())
    return loan_settle(loan_id=loan_id, on=on, by=by)


@transaction.atomic(durable=True)
def overpayment_refund(
    *,
    loan_id: int,
    amount: Decimal,
    on: date,
    applied_on: date,
    by,
    account: str = "",
    today: date | None = None,
) -> Refund:
    """Pay the money held on a closed loan back to the borrower's account, on their written
    application (DOMAIN.md §9): the contract's account if it is the borrower's, else (or when
    ``account`` names another) one a second person approved."""
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    if loan.status != Loan.Status.CLOSED:
        raise ConflictError(
            _(
                "Held money of a loan being repaid goes to its next instalment; refunds are for "
                "closed loans."
            ),
            field="loan",
            code="not_closed",
        )
    if amount is None or amount <= 0 or to_tiyn(amount) != amount:
        raise DomainError(
            _("The amount must be positive, in whole tiyn."), field="amount", code="invalid_amount"
        )
    held = loan_position(loan).held
    if amount > held:
        raise DomainError(
            _("Only %(held)s is held for the borrower.") % {"held": held},
            field="amount",
            code="above_held",
        )
    if on > today or on < loan.closed_on:
        raise DomainError(
            _("The refund is paid on a day from the closure to today."),
            field="on",
            code="invalid_date",
        )
    if applied_on is None or applied_on > on:
        raise DomainError(
            _("The borrower's written application comes first."),
            field="applied_on",
            code="application_after_refund",
        )
    target = payout_account_to_pay(
        loan, account, field="account", sources=(PayoutSource.BORROWER_FILE,)
    )
    post_refund(loan, on=on, amount=amount, by=by)
    refund = Refund.objects.create(
        loan=loan,
        amount=amount,
        on=on,
        applied_on=applied_on,
        account=target.account.value,
        recorded_by=by,
    )
    audit(
        loan,
        "loan.refunded",
        by=by,
        data={"amount": str(amount), "on": on.isoformat(), **target.audit_data()},
    )
    return refund


@transaction.atomic(durable=True)
def loan_write_off(
    *,
    loan_id: int,
    on: date,
    decision_number: str,
    decided_on: date,
    decided_by_body: str,
    reason: str,
    by,
    today: date | None = None,
) -> WriteOff:
    """Move an active loan off the balance sheet by decision. The borrower still owes every
    tenge: the ledger keeps the debt, recoveries are still posted, and the loan stays in the
    prudential figures (DOMAIN.md §11)."""
    today = today or timezone.localdate()
    loan = lock_loan(loan_id)
    require_status(loan, Loan.Status.ACTIVE)
    for field, value in (
        ("decision_number", decision_number),
        ("decided_by_body", decided_by_body),
        ("reason", reason),
    ):
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field, code="required")
    check_effective_date(loan, on, today)
    if decided_on is None or decided_on > on:
        raise DomainError(
            _("The decision must be dated on or before the write-off."),
            field="decided_on",
            code="decision_after_write_off",
        )
    bring_loan_up_to(loan_id=loan.pk, through=on)  # the balances and lateness of ``on``
    position = loan_position(loan)
    snapshot = LoanSnapshot.objects.get(loan=loan, on=on)
    write_off = WriteOff.objects.create(
        loan=loan,
        on=on,
        decision_number=decision_number.strip(),
        decided_on=decided_on,
        decided_by_body=decided_by_body.strip(),
        reason=reason.strip(),
        principal=position.principal,
        interest=position.interest,
        penalty=position.penalty,
        days_past_due=snapshot.days_past_due,
        recorded_by=by,
    )
    loan.status, loan.written_off_on = Loan.Status.WRITTEN_OFF, on
    loan.save(update_fields=["status", "written_off_on"])
    audit(
        loan,
        "loan.written_off",
        by=by,
        data={
            "on": on.isoformat(),
            "decision": decision_number,
            "principal": str(position.principal),
        },
    )
    return write_off
