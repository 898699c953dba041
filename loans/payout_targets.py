"""The account a payout of a loan goes to (DOMAIN.md §9, §14): the contract's, or another one
only with a second person's approval (four eyes), spent by the payout that uses it.

The disbursement and the refund call ``payout_account_to_pay`` inside their own transaction,
with the loan locked; the requests and approvals are ``loans.services.payout_accounts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.payout_accounts import PayoutAccount, normalise, payout_account_checked, stored_account
from loans.models import Loan, PayoutAccountChange, PayoutSource

State = PayoutAccountChange.State


@dataclass(frozen=True)
class PayoutTarget:
    """The account a payout goes to, where it was taken from, and the approval if not the
    contract's."""

    account: PayoutAccount
    source: str
    change: PayoutAccountChange | None

    def audit_data(self) -> dict:
        return {
            "account": self.account.value,  # a card only masked: its full number is never kept
            "account_source": self.source,
            "account_change": self.change.pk if self.change else None,
        }


def payout_account_to_pay(
    loan: Loan, given: str, *, field: str, sources: tuple[str, ...] = tuple(PayoutSource.values)
) -> PayoutTarget:
    """The account to pay to: the contract's when none is ``given``, else ``given`` if it is the
    contract's or a second person approved it (that approval is then spent). ``sources``: the
    documents an account may come from for this payout (a refund goes to the borrower only).

    Call in the payout's transaction with the loan locked; a refusal names ``field``.
    """
    if not normalise(given):
        if loan.payout_account and loan.payout_account_source in sources:
            return PayoutTarget(
                stored_account(loan.payout_account), loan.payout_account_source, None
            )
        if loan.payout_account:
            message = _(
                "The contract's account is the seller's; a refund goes to the borrower: request "
                "the borrower's account and have a second person approve it."
            )
        else:
            message = _(
                "The contract names no payout account: request the account and have a second "
                "person approve it."
            )
        raise DomainError(message, field=field, code="no_contract_account")
    account = payout_account_checked(given, field=field, reference=True)
    if account.value == loan.payout_account and loan.payout_account_source in sources:
        return PayoutTarget(account, loan.payout_account_source, None)
    change = (
        loan.payout_account_changes.select_for_update()
        .filter(state=State.APPROVED, account=account.value, source__in=sources)
        .order_by("decided_at", "id")
        .first()
    )
    if change is None:
        raise DomainError(
            _(
                "This is not the contract's account and no second person approved paying to it: "
                "request the change of the payout account first."
            ),
            field=field,
            code="account_not_approved",
        )
    change.state, change.used_at = State.USED, timezone.now()
    change.save(update_fields=["state", "used_at"])
    return PayoutTarget(account, change.source, change)
