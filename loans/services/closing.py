"""The daily close (DOMAIN.md §8): every date not yet closed, in order, each in its own
transaction with the settling of the loans its night repaid. The arithmetic is the engine's
(``loans.ledger.close``); this use-case orders the dates, settles and audits."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from core.audit import audit
from loans.guards import lock_loan
from loans.ledger.close import CloseResult, close_date, dates_to_close, repaid_on
from loans.ledger.payoff import settle_loan
from loans.selectors import last_closed_date


def close_day(*, on: date, by=None) -> CloseResult:
    """Close ``on``; missed dates before it are closed first, and a date already closed is
    re-run together with every later closed date (after a backdated posting)."""
    total = CloseResult(business_date=on)
    for day in dates_to_close(on):
        # A date and the settling of the loans its night repaid commit together: a worker
        # killed between the two would leave the date closed and those loans open for good.
        # Not durable: the close's bench (bench/close_day.py) times dates in one it rolls back.
        with transaction.atomic():
            result = close_date(day, by=by)
            _settle_repaid(day)
        total.loans = result.loans
        total.entries_posted += result.entries_posted
        total.dates.append(day)
    return total


def _settle_repaid(day: date) -> None:
    """Loans the held money repaid in full during the night are closed like a paid-off one."""
    for loan_id in repaid_on(day):
        loan = lock_loan(loan_id)
        years = settle_loan(loan, on=day, by=None)
        audit(loan, "loan.closed", by=None, data={"on": day.isoformat(), "kept_years": years})


def close_through(*, through: date, by=None) -> CloseResult:
    """The nightly run: every date not yet closed, up to ``through``, in order."""
    last = last_closed_date()
    if last is not None and last >= through:
        return CloseResult(business_date=through)
    return close_day(on=through, by=by)
