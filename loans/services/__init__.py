"""Every change to a loan: one function each, atomic, locked, audited (STYLE.md).

The use-cases lock the loan (``loans.guards``), call the ledger engine (``loans.ledger``) and
audit; they never call each other. Each runs in its own ``durable`` transaction (STYLE.md):
called inside another transaction it raises instead of committing with the caller's. Not
durable: the close, which commits each date on its own (``closing``), and the restructuring's
agenda entry and decision, the committee's steps (the decision runs in ``item_decide``'s lock).
"""

from loans.ledger.close import reclose_loan
from loans.services.closing import close_day, close_through
from loans.services.closure import loan_close, loan_settle, loan_write_off, overpayment_refund
from loans.services.collection import contact_record, due_reminders_send
from loans.services.contracts import contract_create, contract_sign
from loans.services.demands import demand_acceleration, demand_misuse
from loans.services.disbursement import loan_disburse
from loans.services.payments import payment_post, payment_reverse
from loans.services.payout_accounts import (
    payout_account_change_approve,
    payout_account_change_reject,
    payout_account_change_request,
)
from loans.services.prepayment import payoff_quote_on, prepayment_post, prepayment_preview
from loans.services.restructuring import (
    restructuring_agenda_add,
    restructuring_apply,
    restructuring_preview,
    restructuring_request,
)

__all__ = [
    "close_day",
    "close_through",
    "contact_record",
    "contract_create",
    "contract_sign",
    "demand_acceleration",
    "demand_misuse",
    "due_reminders_send",
    "loan_close",
    "loan_disburse",
    "loan_settle",
    "loan_write_off",
    "overpayment_refund",
    "payment_post",
    "payment_reverse",
    "payoff_quote_on",
    "payout_account_change_approve",
    "payout_account_change_reject",
    "payout_account_change_request",
    "prepayment_post",
    "prepayment_preview",
    "reclose_loan",
    "restructuring_agenda_add",
    "restructuring_apply",
    "restructuring_preview",
    "restructuring_request",
]
