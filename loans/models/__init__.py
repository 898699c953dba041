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
from loans.models.loans import Branch, BranchStaff, Installment, Loan, PayoutSource
from loans.models.payout import PayoutAccountChange
from loans.models.products import (
    AmountUnit,
    DayCount,
    Product,
    ProductPurpose,
    Purpose,
    RepaymentMethod,
)

__all__ = [
    "AmountUnit",
    "ArchivedFile",
    "Branch",
    "BranchStaff",
    "ContactRecord",
    "DayClose",
    "DayCount",
    "Demand",
    "Installment",
    "LedgerEntry",
    "Loan",
    "LoanSnapshot",
    "Payment",
    "PayoutAccountChange",
    "PayoutSource",
    "Prepayment",
    "Product",
    "ProductPurpose",
    "Purpose",
    "ReclosedDay",
    "Refund",
    "RepaymentMethod",
    "Restructuring",
    "ScheduleVersion",
    "WriteOff",
]
