"""The errors the servicing calculations raise; each names the input field it concerns."""

from __future__ import annotations

from core.errors import DomainError


class InvalidPrepayment(DomainError):
    """A partial prepayment the rules do not allow (DOMAIN.md §9, §12)."""

    default_code = "invalid_prepayment"


class InvalidPenaltyInput(DomainError):
    """A penalty cannot be computed from these inputs (DOMAIN.md §8, §12)."""

    default_code = "invalid_penalty_input"


class InvalidAllocationInput(DomainError):
    """A payment cannot be allocated from these inputs (DOMAIN.md §9)."""

    default_code = "invalid_allocation_input"


class InvalidLedgerEntry(DomainError):
    """A ledger entry, or a list of them, that cannot be summed (DOMAIN.md §9)."""

    default_code = "invalid_ledger_entry"
