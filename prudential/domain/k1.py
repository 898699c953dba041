"""The k1 condition on microcredits overdue more than 90 days (seed 001, DOMAIN.md §11). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

OVERDUE_DAYS = 90  # "more than 90 calendar days": 91 and over count


@dataclass(frozen=True)
class OverdueShare:
    mm90: Decimal  # principal and accrued interest of loans more than 90 days overdue
    portfolio: Decimal  # LP: principal and accrued interest of every loan, written off included
    limit: Decimal  # percent in force on the reporting date

    @property
    def share(self) -> Decimal:
        """L = MM90 / LP, in percent, unrounded (an empty portfolio has none overdue)."""
        return share_of(self.mm90, self.portfolio)

    @property
    def breached(self) -> bool:
        return self.share > self.limit  # "does not exceed": equal to the limit complies


def counts_as_overdue(days_past_due: int) -> bool:
    return days_past_due > OVERDUE_DAYS


def share_of(part: Decimal, portfolio: Decimal) -> Decimal:
    """A part of the portfolio in percent (an empty portfolio has no share)."""
    return part * 100 / portfolio if portfolio else Decimal(0)


def warning_level(limit: Decimal, warning_share: Decimal) -> Decimal:
    """The share at which the risk manager wants to be warned: a percentage of the limit."""
    return limit * warning_share / 100
