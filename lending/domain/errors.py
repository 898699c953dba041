"""The errors the lending calculations raise; each names the input field it concerns."""

from __future__ import annotations

from core.errors import DomainError


class InvalidLoanTerms(DomainError):
    """The terms of a schedule break a product or regulatory rule (DOMAIN.md §6)."""

    default_code = "invalid_loan_terms"


class InvalidCashFlows(DomainError):
    """The cash flows given for a GESV have no effective rate (DOMAIN.md §7)."""

    default_code = "invalid_cash_flows"


class InvalidDebtBurdenInput(DomainError):
    """A debt burden cannot be computed from these inputs (DOMAIN.md §10)."""

    default_code = "invalid_debt_burden_input"
