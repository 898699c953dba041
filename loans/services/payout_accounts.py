"""Where a loan's money is paid to (DOMAIN.md §9, §14): the account named in the contract, or
another one only with a second person's approval (four eyes).

The account is verified once, when it is written down (``core.payout_accounts``): on the
contract when it is drawn, or on a request to pay elsewhere. The disbursement and the refund
then pay to ``loans.payout_targets.payout_account_to_pay`` inside their own transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ConflictError, DomainError, NotPermittedError
from core.payout_accounts import (
    payout_account_checked,
)
from core.roles import has_role
from loans.guards import check_payout_source, lock_loan
from loans.models import Loan, PayoutAccountChange
from loans.roles import PAYOUT_ACCOUNT_APPROVE_ROLES, PAYOUT_ACCOUNT_REQUEST_ROLES

# A payout is still to be made: the disbursement of a signed contract, a refund of a closed one.
PAYOUT_DUE = (Loan.Status.SIGNED, Loan.Status.CLOSED)
State = PayoutAccountChange.State


@transaction.atomic(durable=True)
def payout_account_change_request(
    *, loan_id: int, account: str, source: str, reason: str, by
) -> PayoutAccountChange:
    """Ask to pay this loan's disbursement or refund to another account; a second person
    decides."""
    if not has_role(by, PAYOUT_ACCOUNT_REQUEST_ROLES):
        raise NotPermittedError(
            _("Only an accountant asks to pay to another account."), code="not_accountant"
        )
    loan = lock_loan(loan_id)
    if loan.status not in PAYOUT_DUE:
        raise ConflictError(
            _("No payout is due on this loan: it is %(status)s.")
            % {"status": loan.get_status_display()},
            field="loan",
            code="no_payout_due",
        )
    checked = payout_account_checked(account, field="account")
    check_payout_source(source, field="source")
    if not (reason or "").strip():
        raise DomainError(
            _("Say why the money goes to another account."), field="reason", code="required"
        )
    if checked.value == loan.payout_account:
        raise DomainError(
            _("This is the contract's account already; no approval is needed."),
            field="account",
            code="contract_account",
        )
    change = PayoutAccountChange.objects.create(
        loan=loan, account=checked.value, source=source, reason=reason.strip(), requested_by=by
    )
    audit(
        loan,
        "loan.payout_account_change_requested",
        by=by,
        data={
            "change": change.pk,
            "account": change.account,
            "source": source,
            "contract_account": loan.payout_account,
            "reason": change.reason,
        },
    )
    return change


def _decide(change_id: int, *, by, approve: bool) -> PayoutAccountChange:
    if not has_role(by, PAYOUT_ACCOUNT_APPROVE_ROLES):
        raise NotPermittedError(
            _("Only an accountant or the administrator approves a payout account."),
            code="not_approver",
        )
    change = (
        PayoutAccountChange.objects.select_for_update(of=("self",))
        .select_related("loan", "requested_by")
        .get(pk=change_id)
    )
    if change.requested_by_id == by.pk:
        raise NotPermittedError(
            _("A second person decides: you asked for this account yourself."),
            field="change",
            code="own_request",
        )
    if change.state != State.REQUESTED:
        raise ConflictError(
            _("This request is already decided: %(state)s.")
            % {"state": change.get_state_display()},
            field="state",
            code="already_decided",
        )
    if approve and change.loan.status not in PAYOUT_DUE:
        raise ConflictError(
            _("No payout is due on this loan any more: it is %(status)s.")
            % {"status": change.loan.get_status_display()},
            field="loan",
            code="no_payout_due",
        )
    change.state = State.APPROVED if approve else State.REJECTED
    change.decided_by, change.decided_at = by, timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    audit(
        change.loan,
        f"loan.payout_account_change_{'approved' if approve else 'rejected'}",
        by=by,
        data={
            "change": change.pk,
            "account": change.account,
            "source": change.source,
            "requested_by": change.requested_by.username,
        },
    )
    return change


@transaction.atomic(durable=True)
def payout_account_change_approve(*, change_id: int, by) -> PayoutAccountChange:
    """A second person approves the account: the next payout of the loan may go there, once."""
    return _decide(change_id, by=by, approve=True)


@transaction.atomic(durable=True)
def payout_account_change_reject(*, change_id: int, by) -> PayoutAccountChange:
    """A second person refuses the account; the loan is paid to the contract's."""
    return _decide(change_id, by=by, approve=False)
