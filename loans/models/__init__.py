from loans.models.collection import ContactRecord
from loans.models.ledger import DayClose, LedgerEntry, LoanSnapshot, Payment
from loans.models.loans import Branch, Installment, Loan
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
    "Branch",
    "ContactRecord",
    "DayClose",
    "DayCount",
    "Installment",
    "LedgerEntry",
    "Loan",
    "LoanSnapshot",
    "Payment",
    "Product",
    "ProductPurpose",
    "Purpose",
    "RepaymentMethod",
]
