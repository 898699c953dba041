"""One loan's day: what falls due, is late, accrues, where held money goes (DOMAIN.md §6–§9).

The daily close and the payment posting both call these functions, so that a payment at the
desk and the night's run see the same debts. Conventions (README "Servicing"):

* An instalment is *due* from its due date and *late* from the day after its grace date (the
  due date, or the next business day when it falls on a day off, DOMAIN.md §6). Days past due
  count from the due date of the oldest late instalment.
* Principal and scheduled interest are repaid oldest instalment first, so cumulative sums tell
  which instalments are paid: principal repaid = amount − principal balance; interest repaid =
  interest accrued − interest balance (interest payments settle the scheduled interest first).
* Day D's penalty and overdue interest are charged on what was late and unpaid at the end of
  D − 1, so a payment on D still pays day D's charge (as ``penalties.penalty_owed`` counts).
* Accruals are kept exact and posted as the change in their rounded cumulative total, so the
  tiyn never drift however many days they are spread over, and re-running a day posts nothing.
Pure: plain values in, plain values out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.money import ZERO, to_tiyn
from lending.domain.dates import add_years
from lending.domain.daycount import DayCount, days_between, year_basis
from loans.domain.allocation import Component as Debt

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ScheduleTotals:
    """Cumulative scheduled amounts on a date, from the first instalment."""

    principal_due: Decimal = ZERO  # of instalments due on or before the date
    interest_due: Decimal = ZERO
    principal_late: Decimal = ZERO  # of instalments whose grace date is before the date
    interest_late: Decimal = ZERO
    last_due_date: date | None = None  # the latest due date on or before the date


@dataclass(frozen=True)
class Position:
    """A loan's balances, and what has been repaid, at one moment."""

    amount: Decimal  # disbursed principal
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    held: Decimal = ZERO  # the borrower's money held for the next instalment, positive
    interest_accrued: Decimal = ZERO  # all interest ever charged

    @property
    def principal_repaid(self) -> Decimal:
        return self.amount - self.principal

    @property
    def interest_repaid(self) -> Decimal:
        return self.interest_accrued - self.interest


def _clamp(value: Decimal, upper: Decimal) -> Decimal:
    return max(ZERO, min(value, upper))


def debts_due(position: Position, totals: ScheduleTotals) -> dict[Debt, Decimal]:
    """What a payment on the date of ``totals`` may repay, by the allocation's components.

    Nothing not yet due is a debt: money above these is held (DOMAIN.md §9).
    """
    principal = max(position.principal, ZERO)
    interest = max(position.interest, ZERO)
    overdue_principal = _clamp(totals.principal_late - position.principal_repaid, principal)
    due_principal = _clamp(totals.principal_due - position.principal_repaid, principal)
    # Unpaid interest is the newest first: the scheduled interest still within its grace
    # date (accrued last) is current, whatever is older is overdue.
    current_interest = _clamp(totals.interest_due - totals.interest_late, interest)
    return {
        Debt.OVERDUE_PRINCIPAL: overdue_principal,
        Debt.OVERDUE_INTEREST: interest - current_interest,
        Debt.PENALTY: max(position.penalty, ZERO),
        Debt.CURRENT_PRINCIPAL: due_principal - overdue_principal,
        Debt.CURRENT_INTEREST: current_interest,
    }


def late_amounts(position: Position, totals: ScheduleTotals) -> tuple[Decimal, Decimal]:
    """Principal and scheduled interest late and unpaid: what penalty is charged on."""
    principal = _clamp(totals.principal_late - position.principal_repaid, position.principal)
    overdue_interest = debts_due(position, totals)[Debt.OVERDUE_INTEREST]
    # Interest payments settle the scheduled interest first (it accrued first), so what is
    # left of it unpaid bears the penalty; interest on late principal does not.
    interest = _clamp(totals.interest_late - position.interest_repaid, overdue_interest)
    return principal, interest


class StopScope(StrEnum):
    """What the legal stop after N consecutive days overdue stops (DOMAIN.md §12): a dated
    regulatory choice between two readings of the Law, fixed in the contract."""

    PENALTY = "penalty"  # penalties only; interest of every kind goes on
    PENALTY_AND_INTEREST = "penalty_and_interest"  # penalties and all interest, scheduled too


@dataclass(frozen=True)
class AccrualTerms:
    """What a loan's daily accrual depends on, fixed by its contract."""

    annual_rate: Decimal  # percent a year
    day_count: DayCount
    penalty_rate: Decimal  # percent of the late amount a day, after the legal daily cap
    penalty_year_cap: Decimal | None  # penalty per contract year, KZT; None: no cap
    stop_after_days: int | None  # past this many days late the stop below applies
    start: date  # the disbursement date: contract years count from it
    stop_scope: StopScope = StopScope.PENALTY_AND_INTEREST


def accrual_stopped(terms: AccrualTerms, on: date, late_since: date | None) -> bool:
    """Whether day ``on`` is past the legal number of consecutive days overdue."""
    return (
        terms.stop_after_days is not None
        and late_since is not None
        and (on - late_since).days > terms.stop_after_days
    )


def interest_stopped(terms: AccrualTerms, on: date, late_since: date | None) -> bool:
    """Whether no interest of any kind accrues on ``on`` (the full-stop reading)."""
    return terms.stop_scope is StopScope.PENALTY_AND_INTEREST and accrual_stopped(
        terms, on, late_since
    )


def interest_waived(line_interest: Decimal, line_days: int, stopped_days: int) -> Decimal:
    """The part of an instalment's scheduled interest not charged because every interest was
    stopped on ``stopped_days`` of its ``line_days``: pro rata, to the tiyn."""
    if stopped_days <= 0 or line_days <= 0:
        return ZERO
    if stopped_days >= line_days:
        return line_interest
    return min(line_interest, to_tiyn(line_interest * stopped_days / line_days))


@dataclass(frozen=True)
class Accruals:
    """Cumulative accruals of a loan; the ``*_posted`` ones are what the ledger holds."""

    scheduled_interest_posted: Decimal = ZERO
    late_principal_days: Decimal = ZERO  # Σ late principal × days, exact
    # Σ late principal × days × the rate in force that day (% a year), exact: a change of rate
    # (restructuring) applies from its date on, never to interest already earned.
    overdue_interest_base: Decimal = ZERO
    overdue_interest_posted: Decimal = ZERO
    penalty_exact: Decimal = ZERO
    penalty_exact_this_year: Decimal = ZERO
    penalty_posted: Decimal = ZERO


def accrue_day(
    terms: AccrualTerms,
    before: Accruals,
    *,
    on: date,
    late_principal: Decimal,
    late_interest: Decimal,
    late_since: date | None,
) -> Accruals:
    """The accruals at the end of ``on``: ``before`` (the end of the previous day) plus the day's.

    ``late_principal``/``late_interest`` were late and unpaid at the end of the previous day;
    ``late_since`` is the due date of the oldest of them. The ``*_posted`` totals are the
    rounded exact totals; the caller posts their change.
    """
    if on <= terms.start:
        return before
    stopped = accrual_stopped(terms, on, late_since)
    no_interest = interest_stopped(terms, on, late_since)
    this_year = before.penalty_exact_this_year
    if on > terms.start and _is_anniversary(terms.start, on):
        this_year = ZERO
    penalty_today = ZERO
    days = 0
    if not stopped:
        penalty_today = (late_principal + late_interest) * terms.penalty_rate / 100
        if terms.penalty_year_cap is not None:
            penalty_today = min(penalty_today, max(ZERO, terms.penalty_year_cap - this_year))
    if not no_interest:  # interest on late principal: stopped only by the full-stop reading
        days = days_between(on - ONE_DAY, on, terms.day_count)
    principal_days = before.late_principal_days + late_principal * days
    base = before.overdue_interest_base + late_principal * days * terms.annual_rate
    penalty_exact = before.penalty_exact + penalty_today
    return replace(
        before,
        late_principal_days=principal_days,
        overdue_interest_base=base,
        overdue_interest_posted=to_tiyn(base / (100 * year_basis(terms.day_count))),
        penalty_exact=penalty_exact,
        penalty_exact_this_year=this_year + penalty_today,
        penalty_posted=to_tiyn(penalty_exact),
    )


def _is_anniversary(start: date, on: date) -> bool:
    years = on.year - start.year
    return years >= 1 and add_years(start, years) == on


@dataclass(frozen=True)
class InstallmentDue:
    """One instalment's cumulative totals, for finding the oldest unpaid one."""

    due_date: date
    grace_date: date
    cumulative_principal: Decimal
    cumulative_interest: Decimal


def oldest_late(
    installments: list[InstallmentDue], position: Position, on: date
) -> InstallmentDue | None:
    """The oldest instalment late on ``on`` and not fully repaid, oldest first."""
    for line in sorted(installments, key=lambda item: item.due_date):
        if line.grace_date >= on:
            return None
        if (
            line.cumulative_principal > position.principal_repaid
            or line.cumulative_interest > position.interest_repaid
        ):
            return line
    return None


def accrued_not_due(
    position: Position,
    totals: ScheduleTotals,
    terms: AccrualTerms,
    on: date,
    stopped_days: int = 0,
) -> Decimal:
    """Interest earned since the last due date on the principal not yet due (for reports);
    ``stopped_days`` of that period earned none (the full stop after days overdue)."""
    since = totals.last_due_date or terms.start
    not_due = max(ZERO, position.amount - max(totals.principal_due, position.principal_repaid))
    if on <= since or not not_due:
        return ZERO
    days = days_between(since, on, terms.day_count)
    earned = to_tiyn(not_due * terms.annual_rate * days / (100 * year_basis(terms.day_count)))
    # as the instalment falling due would waive it, were it due on ``on``
    return earned - interest_waived(earned, days, stopped_days)


class Bucket(StrEnum):
    """Overdue buckets by days past due (collection work, DOMAIN.md §8)."""

    CURRENT = "current"
    DPD_1_30 = "1-30"
    DPD_31_60 = "31-60"
    DPD_61_90 = "61-90"
    DPD_90_PLUS = "90+"


# (upper bound of days past due, bucket), as data: the first bound not below the days wins.
BUCKET_BOUNDS: tuple[tuple[int, Bucket], ...] = (
    (0, Bucket.CURRENT),
    (30, Bucket.DPD_1_30),
    (60, Bucket.DPD_31_60),
    (90, Bucket.DPD_61_90),
)


def bucket_of(days_past_due: int) -> Bucket:
    for bound, bucket in BUCKET_BOUNDS:
        if days_past_due <= bound:
            return bucket
    return Bucket.DPD_90_PLUS


class LineState(StrEnum):
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    OVERDUE = "overdue"
    DUE = "due"  # due, still within its grace date
    NOT_DUE = "not_due"


@dataclass(frozen=True)
class LineProgress:
    number: int
    principal_paid: Decimal
    interest_paid: Decimal
    state: LineState


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    due_date: date
    grace_date: date
    principal: Decimal
    interest: Decimal


def schedule_progress(
    lines: list[ScheduleLine], principal_repaid: Decimal, interest_repaid: Decimal, on: date
) -> list[LineProgress]:
    """How much of each instalment is paid, oldest first, and whether it is late on ``on``."""
    progress = []
    principal_left, interest_left = principal_repaid, interest_repaid
    for line in sorted(lines, key=lambda item: item.number):
        principal_paid = min(principal_left, line.principal)
        interest_paid = min(max(interest_left, ZERO), line.interest)
        principal_left -= principal_paid
        interest_left -= interest_paid
        paid = principal_paid + interest_paid
        if paid == line.principal + line.interest:
            state = LineState.PAID
        elif line.grace_date < on:
            state = LineState.OVERDUE
        elif line.due_date <= on:
            state = LineState.DUE
        elif paid:
            state = LineState.PARTLY_PAID
        else:
            state = LineState.NOT_DUE
        progress.append(LineProgress(line.number, principal_paid, interest_paid, state))
    return progress
