"""Every change to a loan: one function each, atomic, locked, audited (STYLE.md)."""

from loans.services.closing import close_day, close_through, reclose_loan
from loans.services.collection import contact_record, due_reminders_send
from loans.services.contracts import contract_create, contract_sign
from loans.services.disbursement import loan_disburse
from loans.services.payments import loan_close, payment_post, payment_reverse

__all__ = [
    "close_day",
    "close_through",
    "contact_record",
    "contract_create",
    "contract_sign",
    "due_reminders_send",
    "loan_close",
    "loan_disburse",
    "payment_post",
    "payment_reverse",
    "reclose_loan",
]
