"""What the disbursement and refund pages show of where the money goes (the contract's account,
the approved others), for the pages in ``loans.operations_views``, ``loans.ending_views`` and
``loans.payout_views``."""

from __future__ import annotations

from django.urls import reverse

from core.payout_accounts import stored_account
from core.roles import has_role
from loans.models import Loan, PayoutAccountChange, PayoutSource
from loans.roles import PAYOUT_ACCOUNT_REQUEST_ROLES
from loans.services.payout_accounts import PAYOUT_DUE


def payout_context(loan: Loan, user) -> dict:
    """What a disbursement or refund page shows of where the money goes."""
    account = stored_account(loan.payout_account) if loan.payout_account else None
    approved = loan.payout_account_changes.filter(
        state=PayoutAccountChange.State.APPROVED
    ).order_by("decided_at")
    may_request = loan.status in PAYOUT_DUE and has_role(user, PAYOUT_ACCOUNT_REQUEST_ROLES)
    return {
        "contract_account": account.shown if account else "",
        "contract_source": loan.get_payout_account_source_display(),
        "contract_is_borrowers": loan.payout_account_source == PayoutSource.BORROWER_FILE,
        "approved_accounts": [
            {"account": stored_account(change.account).shown, "change": change}
            for change in approved.order_by("decided_at", "id")
        ],
        "request_url": reverse("servicing:payout-account-change-new", args=[loan.pk])
        if may_request
        else "",
    }
