"""The errors the loan calculations raise; each names the input field it concerns."""

from __future__ import annotations

from core.errors import DomainError


class InvalidLoanTerms(DomainError):
    """The terms of a schedule break a product or regulatory rule (DOMAIN.md §6)."""

    default_code = "invalid_loan_terms"


class InvalidCashFlows(DomainError):
    """The cash flows given for a GESV have no effective rate (DOMAIN.md §7)."""

    default_code = "invalid_cash_flows"


class InvalidPrepayment(DomainError):
    """A partial prepayment the rules do not allow (DOMAIN.md §9, §12)."""

    default_code = "invalid_prepayment"


class InvalidPenaltyInput(DomainError):
    """A penalty cannot be computed from these inputs (DOMAIN.md §8, §12)."""

    default_code = "invalid_penalty_input"


class InvalidDebtBurdenInput(DomainError):
    """A debt burden cannot be computed from these inputs (DOMAIN.md §10)."""

    default_code = "invalid_debt_burden_input"


class InvalidAllocationInput(DomainError):
    """A payment cannot be allocated from these inputs (DOMAIN.md §9)."""

    default_code = "invalid_allocation_input"


class InvalidLedgerEntry(DomainError):
    """A ledger entry, or a list of them, that cannot be summed (DOMAIN.md §9)."""

    default_code = "invalid_ledger_entry"
