"""IFRS 9 staging by days past due and the provision at the MFO's rate (DOMAIN.md §12). Pure."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

from core.money import to_tiyn


class Stage(IntEnum):
    ONE = 1  # 0–30 days past due
    TWO = 2  # 31–90
    THREE = 3  # over 90


# (last day past due of the stage, stage), as data: the first bound not below the days wins.
STAGE_BOUNDS: tuple[tuple[int, Stage], ...] = ((30, Stage.ONE), (90, Stage.TWO))


def stage_of(days_past_due: int) -> Stage:
    if days_past_due < 0:
        raise ValueError("days past due cannot be negative")
    for bound, stage in STAGE_BOUNDS:
        if days_past_due <= bound:
            return stage
    return Stage.THREE


def stage_range(stage: Stage) -> tuple[int, int | None]:
    """The days past due a stage spans: (first, last), last None for the open-ended stage."""
    first = 0
    for bound, named in STAGE_BOUNDS:
        if named is stage:
            return first, bound
        first = bound + 1
    return first, None


def provision(amount: Decimal, rate_percent: Decimal) -> Decimal:
    """The provision on an exposure at a rate in percent, rounded half-up to the tiyn once."""
    if rate_percent < 0:
        raise ValueError("a provision rate cannot be negative")
    return to_tiyn(amount * rate_percent / 100)


def share_percent(part: Decimal, whole: Decimal) -> Decimal:
    """A part of a whole in percent, to the hundredth half-up (nothing of an empty whole)."""
    if not whole:
        return Decimal("0.00")
    return to_tiyn(part * 100 / whole)  # the same half-up quantum: 0.01
