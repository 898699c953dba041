"""Who may change a loan after disbursement; the API and the pages share these sets."""

from __future__ import annotations

from core.roles import Role

# Money in: a partial prepayment is a payment with an application (DOMAIN.md §2, §9).
PREPAYMENT_ROLES = frozenset({Role.ACCOUNTANT, Role.BRANCH_SYSTEM, Role.ADMINISTRATOR})
# The borrower's written request for new terms is registered by the credit administration,
# which also signs the additional agreement once the committee approved it.
RESTRUCTURING_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR})
# Demands follow collection (late loans) and monitoring (misuse found at an inspection).
DEMAND_ROLES = frozenset(
    {Role.COLLECTOR, Role.MONITORING_MANAGER, Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR}
)
# Booking a write-off or paying a refund moves money between accounts: the accountant.
WRITE_OFF_ROLES = frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR})
REFUND_ROLES = frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR})
CLOSURE_ROLES = frozenset({Role.CREDIT_ADMINISTRATOR, Role.ACCOUNTANT, Role.ADMINISTRATOR})
# Reading quotes, versions, demands: everyone who reads loans in the browser or the API.
QUOTE_ROLES = frozenset(
    {
        Role.CREDIT_ADMINISTRATOR,
        Role.ACCOUNTANT,
        Role.MONITORING_MANAGER,
        Role.RISK_MANAGER,
        Role.COLLECTOR,
        Role.ADMINISTRATOR,
        Role.BRANCH_SYSTEM,
    }
)
# Paying to an account other than the contract's: the accountant asks, and another accountant
# (or the administrator) approves; the requester never approves their own request (four eyes).
PAYOUT_ACCOUNT_REQUEST_ROLES = frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR})
PAYOUT_ACCOUNT_APPROVE_ROLES = frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR})
