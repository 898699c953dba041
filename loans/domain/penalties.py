"""Penalty on overdue amounts (DOMAIN.md §6 last bullet, §8, §12).

Each overdue amount accrues ``daily_rate`` % of itself for every day of delay: from the day
after its due date, or, when the due date is not a business day, from the day after the next
business day (the borrower may pay then without penalty); up to and including the day it is
paid, or ``as_of``. A payment on day D counts as D − due days of delay, so D is charged.

Rounding: the penalty of each item is computed exactly and rounded half-up to the tiyn once,
at the end; the total is the sum of the items. When the yearly cap binds, the items share it
pro rata, and the tiyn their roundings would add or lose goes to the items with the largest
remainders, so the total is the exact capped total rounded once: never a tiyn over the cap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import TIYN, ZERO, to_tiyn
from lending.domain.dates import add_years, roll_to_business_day
from loans.domain.errors import InvalidPenaltyInput

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class OverdueItem:
    due_date: date
    amount: Decimal  # the overdue payment (principal and/or interest) the penalty is charged on
    paid_on: date | None = None  # value date of the payment that settled it


@dataclass(frozen=True)
class PenaltyCaps:
    """Legal caps (DOMAIN.md §12); None means no such cap for the product."""

    max_daily_rate: Decimal | None = None  # % a day, e.g. Decimal("0.5")
    max_total_share_of_loan_per_contract_year: Decimal | None = None  # e.g. Decimal("0.10")
    # No accrual on any item after this many consecutive days overdue of any one item.
    stop_after_days_overdue: int | None = None
    # What that stop covers in the daily close: "penalty" or "penalty_and_interest".
    stop_scope: str = "penalty_and_interest"


NO_CAPS = PenaltyCaps()


@dataclass(frozen=True)
class ItemPenalty:
    item: OverdueItem
    first_day: date  # the first day charged, whether or not reached yet
    days: int  # days charged, after the stop rule
    penalty: Decimal  # rounded to the tiyn, after the caps


@dataclass(frozen=True)
class PenaltyResult:
    as_of: date
    daily_rate: Decimal  # the rate applied, after the daily cap
    items: tuple[ItemPenalty, ...]
    capped: bool  # the yearly cap reduced the penalty

    @property
    def total(self) -> Decimal:
        return sum((item.penalty for item in self.items), ZERO)


def penalty_owed(
    overdue_items: Sequence[OverdueItem],
    as_of: date,
    *,
    daily_rate: Decimal,
    loan_amount: Decimal,
    is_business_day: Callable[[date], bool],
    caps: PenaltyCaps = NO_CAPS,
    contract_start: date | None = None,
) -> PenaltyResult:
    """The penalty accrued on ``as_of`` on each overdue item, within the caps.

    ``contract_start`` (the contract date) starts the contract years of the yearly cap; it is
    needed only with that cap.
    """
    _validate(overdue_items, daily_rate, loan_amount, caps, contract_start)
    rate = daily_rate if caps.max_daily_rate is None else min(daily_rate, caps.max_daily_rate)
    stop = _accrual_stops_on(overdue_items, caps.stop_after_days_overdue)
    spans = []
    for item in overdue_items:
        first = roll_to_business_day(item.due_date, is_business_day) + ONE_DAY
        last = min(as_of, item.paid_on or as_of)
        if stop is not None:
            last = min(last, stop - ONE_DAY)
        spans.append((item, first, last))

    daily = [item.amount * rate / 100 for item, _, _ in spans]
    exact = [d * _days(first, last) for d, (_, first, last) in zip(daily, spans, strict=True)]
    capped = False
    share = caps.max_total_share_of_loan_per_contract_year
    if share is not None and contract_start is not None:
        exact, capped = _cap_per_contract_year(spans, daily, share * loan_amount, contract_start)

    rounded = _rounded_to_total(exact) if capped else [to_tiyn(amount) for amount in exact]
    return PenaltyResult(
        as_of=as_of,
        daily_rate=rate,
        items=tuple(
            ItemPenalty(item, first, _days(first, last), penalty)
            for (item, first, last), penalty in zip(spans, rounded, strict=True)
        ),
        capped=capped,
    )


def _rounded_to_total(exact: list[Decimal]) -> list[Decimal]:
    """Each amount to the tiyn, so that together they make the exact total rounded once."""
    rounded = [to_tiyn(amount) for amount in exact]
    excess = int((sum(rounded, ZERO) - to_tiyn(sum(exact, ZERO))) / TIYN)
    # Take tiyn back from the items rounded up the most (or give to those rounded down most).
    order = sorted(range(len(exact)), key=lambda i: rounded[i] - exact[i], reverse=excess > 0)
    for index in order[: abs(excess)]:
        rounded[index] -= TIYN if excess > 0 else -TIYN
    return rounded


def _days(first: date, last: date) -> int:
    """Days from ``first`` to ``last``, both included; none when ``last`` is earlier."""
    return max(0, (last - first).days + 1)


def _accrual_stops_on(items: Sequence[OverdueItem], limit: int | None) -> date | None:
    """The first day nothing accrues: the day after any item reaches ``limit`` days overdue."""
    if limit is None:
        return None
    stops = [
        item.due_date + timedelta(days=limit + 1)
        for item in items
        if item.paid_on is None or (item.paid_on - item.due_date).days > limit
    ]
    return min(stops, default=None)


def _cap_per_contract_year(
    spans: list[tuple[OverdueItem, date, date]],
    daily: list[Decimal],
    cap: Decimal,
    contract_start: date,
) -> tuple[list[Decimal], bool]:
    """Scale each contract year's accrual down to ``cap``, pro rata between the items."""
    exact = [ZERO] * len(spans)
    capped = False
    earliest = min((first for _, first, _ in spans), default=contract_start)
    latest = max((last for _, _, last in spans), default=contract_start)
    year = 0
    while (year_start := add_years(contract_start, year)) <= latest:
        year_end = add_years(contract_start, year + 1) - ONE_DAY
        year += 1
        if year_end < earliest:
            continue
        in_year = [
            d * _days(max(first, year_start), min(last, year_end))
            for d, (_, first, last) in zip(daily, spans, strict=True)
        ]
        accrued = sum(in_year, ZERO)
        scale = min(Decimal(1), cap / accrued) if accrued else Decimal(1)
        capped = capped or scale < 1
        exact = [total + part * scale for total, part in zip(exact, in_year, strict=True)]
    return exact, capped


def _validate(
    items: Sequence[OverdueItem],
    daily_rate: Decimal,
    loan_amount: Decimal,
    caps: PenaltyCaps,
    contract_start: date | None,
) -> None:
    if daily_rate < 0:
        raise InvalidPenaltyInput("The daily rate must not be negative.", field="daily_rate")
    if loan_amount <= 0:
        raise InvalidPenaltyInput("The loan amount must be positive.", field="loan_amount")
    if any(item.amount < 0 for item in items):
        raise InvalidPenaltyInput("Overdue amounts must not be negative.", field="overdue_items")
    if any(item.paid_on is not None and item.paid_on < item.due_date for item in items):
        raise InvalidPenaltyInput(
            "An item paid before its due date is not overdue.", field="overdue_items"
        )
    if caps.max_total_share_of_loan_per_contract_year is not None and contract_start is None:
        raise InvalidPenaltyInput(
            "A yearly cap needs the contract date to count contract years from.",
            field="contract_start",
        )
