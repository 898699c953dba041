from loans.models.changes import (
    ArchivedFile,
    Demand,
    Prepayment,
    Refund,
    Restructuring,
    ScheduleVersion,
    WriteOff,
)
from loans.models.collection import ContactRecord
from loans.models.ledger import DayClose, LedgerEntry, LoanSnapshot, Payment, ReclosedDay
from loans.models.loans import Installment, Loan, PayoutSource
from loans.models.payout import PayoutAccountChange

__all__ = [
    "ArchivedFile",
    "ContactRecord",
    "DayClose",
    "Demand",
    "Installment",
    "LedgerEntry",
    "Loan",
    "LoanSnapshot",
    "Payment",
    "PayoutAccountChange",
    "PayoutSource",
    "Prepayment",
    "ReclosedDay",
    "Refund",
    "Restructuring",
    "ScheduleVersion",
    "WriteOff",
]
