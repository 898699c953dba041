"""One seeded loan's life up to the benchmark date, as the desk and the nightly close would
have left it: its ledger entries, its snapshot of D - 1, its instalments' statuses and its
acceleration flag, computed with the same pure domain functions as the close. A punctual
borrower's life is written down at once (``on_time_history``); any other is replayed event by
event (``Replay``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from bench.common import ONE_DAY
from core.money import ZERO, to_tiyn
from lending.domain.dates import add_years
from lending.domain.daycount import days_between, year_basis
from loans.domain.allocation import Component as Debt
from loans.domain.allocation import allocate
from loans.domain.ledger import Component, Kind
from loans.domain.servicing import (
    Accruals,
    InstallmentDue,
    Position,
    accrue_day,
    accrued_not_due,
    debts_due,
    late_amounts,
    oldest_late,
)

from .terms import Line, Portfolio, schedule_totals

ACCELERATION_AFTER = 40  # as loans.ledger.close.ACCELERATION_AFTER_DAYS

# Ledger kinds and components, and the instalment statuses, as the rows store them.
DISBURSEMENT, REPAYMENT = Kind.DISBURSEMENT.value, Kind.REPAYMENT.value
HELD_APPLIED = Kind.HELD_APPLIED.value
INTEREST_ACCRUAL = Kind.INTEREST_ACCRUAL.value
OVERDUE_INTEREST_ACCRUAL = Kind.OVERDUE_INTEREST_ACCRUAL.value
PENALTY_ACCRUAL = Kind.PENALTY_ACCRUAL.value
PRINCIPAL, INTEREST, PENALTY, HELD = (c.value for c in Component)
PENDING, PAID, OVERDUE = "pending", "paid", "overdue"
PENDING, PAID, OVERDUE = "pending", "paid", "overdue"
# Which ledger component each part of an allocation repays (as loans.ledger.posting).
LEDGER_COMPONENT = {
    Debt.OVERDUE_PRINCIPAL: PRINCIPAL,
    Debt.CURRENT_PRINCIPAL: PRINCIPAL,
    Debt.OVERDUE_INTEREST: INTEREST,
    Debt.CURRENT_INTEREST: INTEREST,
    Debt.PENALTY: PENALTY,
}


@dataclass
class History:
    """One loan's life up to the benchmark date, as rows to copy."""

    entries: list[tuple] = field(default_factory=list)  # (value_date, kind, component, amount)
    snapshot: dict = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    flagged_on: date | None = None


def payment_days(
    lines: tuple[Line, ...], disbursed_on: date, on: date, habit: tuple[int, int] | None, rng
) -> dict[int, date]:
    """When the borrower pays each instalment (only those paid by ``on``)."""
    if habit is None:  # stopped paying: on time up to a random instalment already due
        due = [line for line in lines if line.due_date < on]
        stop = rng.randrange(len(due)) if due else 0
        return {line.number: line.due_date for line in due[:stop]}
    days = {}
    for line in lines:
        delay = rng.randint(*habit) if habit != (0, 0) else 0
        paid = line.due_date + timedelta(days=delay)
        if paid > on:
            break
        days[line.number] = max(paid, max(days.values(), default=paid))
    return days


class Replay:
    """One loan replayed as the desk and the close would have run it, event by event.

    The close of each day (``loans.ledger.days.close_loan_day``) posts the scheduled interest
    on a due date and the change of the rounded penalty and overdue interest; between two
    events (a due date, the day after a grace date, a payment, an anniversary) only those
    accruals move, by the same amount every day, so a stretch is accrued at once and posted as
    one entry per kind.
    The borrower pays an instalment with what is then owed on it plus the overdue interest
    and the penalty posted so far, split by ``allocate`` in the legal order. A loan paying on
    the benchmark date has that day closed by its payment, as ``payment_post`` does.
    """

    def __init__(self, portfolio: Portfolio, amount: Decimal, disbursed_on: date, lines):
        self.on, self.lines, self.amount = portfolio.on, lines, amount
        self.terms = replace(portfolio.terms_base, start=disbursed_on)
        self.basis = Decimal(100 * year_basis(self.terms.day_count))
        self.entries: list[tuple] = [(disbursed_on, DISBURSEMENT, PRINCIPAL, amount)]
        self.balance = {PRINCIPAL: amount, INTEREST: ZERO, PENALTY: ZERO, HELD: ZERO}
        self.interest_accrued = ZERO
        self.accruals = Accruals()
        self.posted = {
            INTEREST_ACCRUAL: ZERO,
            OVERDUE_INTEREST_ACCRUAL: ZERO,
            PENALTY_ACCRUAL: ZERO,
        }

    @property
    def position(self):
        b = self.balance
        return Position(
            amount=self.amount,
            principal=b[PRINCIPAL],
            interest=b[INTEREST],
            penalty=b[PENALTY],
            held=-b[HELD],
            interest_accrued=self.interest_accrued,
        )

    def move(self, day: date, kind: str, component: str, amount: Decimal) -> None:
        if amount:
            self.entries.append((day, kind, component, amount))
            self.balance[component] += amount
            if kind in (INTEREST_ACCRUAL, OVERDUE_INTEREST_ACCRUAL):
                self.interest_accrued += amount

    def post_accruals(self, day: date, interest_due: Decimal) -> None:
        """What the close posts: each accrual's target less what is already posted."""
        targets = {
            INTEREST_ACCRUAL: interest_due,
            OVERDUE_INTEREST_ACCRUAL: self.accruals.overdue_interest_posted,
            PENALTY_ACCRUAL: self.accruals.penalty_posted,
        }
        for kind, target in targets.items():
            if target > self.posted[kind]:
                component = PENALTY if kind == PENALTY_ACCRUAL else INTEREST
                self.move(day, kind, component, target - self.posted[kind])
                self.posted[kind] = target

    def repay(self, day: date, totals, money: Decimal, kind: str = REPAYMENT) -> Decimal:
        """Split ``money`` over the debts due; returns what is left over."""
        split = allocate(money, debts_due(self.position, totals))
        for debt, part in split.parts.items():
            if part:
                self.move(day, kind, LEDGER_COMPONENT[debt], -part)
        return split.unapplied

    def accrue_stretch(self, first: date, last: date) -> None:
        """The close of ``first`` .. ``last``, days on which nothing but the accruals moved."""
        late_principal, late_interest = late_amounts(
            self.position, schedule_totals(self.lines, last)
        )
        if not (late_principal or late_interest):
            return
        days = (last - first).days + 1
        penalty = (late_principal + late_interest) * self.terms.penalty_rate / 100 * days
        principal_days = self.accruals.late_principal_days + late_principal * days_between(
            first - ONE_DAY, last, self.terms.day_count
        )
        exact = self.accruals.penalty_exact + penalty
        self.accruals = replace(
            self.accruals,
            late_principal_days=principal_days,
            overdue_interest_posted=to_tiyn(principal_days * self.terms.annual_rate / self.basis),
            penalty_exact=exact,
            penalty_exact_this_year=self.accruals.penalty_exact_this_year + penalty,
            penalty_posted=to_tiyn(exact),
        )
        self.post_accruals(last, self.posted[INTEREST_ACCRUAL])

    def pay(self, day: date, totals, line: Line) -> None:
        """At the desk, after the loan's day is closed (``payment_post`` closes it first): the
        instalment, the overdue interest and the penalty posted so far; then, as the re-close
        of the day does, the held money meets what is due."""
        position = self.position
        interest = line.cumulative_interest + self.posted[OVERDUE_INTEREST_ACCRUAL]
        money = (
            max(ZERO, line.cumulative_principal - position.principal_repaid)
            + min(max(ZERO, interest - position.interest_repaid), max(position.interest, ZERO))
            + max(position.penalty, ZERO)
        )
        if money > 0:
            self.move(day, REPAYMENT, HELD, -self.repay(day, totals, money))
            self.apply_held(day, totals)

    def close(self, day: date, totals, late: tuple[Decimal, Decimal]) -> None:
        self.accruals = accrue_day(
            self.terms,
            self.accruals,
            on=day,
            late_principal=late[0],
            late_interest=late[1],
            late_since=None,  # only the stop after N days late needs it; business loans have none
        )
        self.post_accruals(day, totals.interest_due)
        self.apply_held(day, totals)

    def apply_held(self, day: date, totals) -> None:
        held = -self.balance[HELD]
        if held > 0:
            applied = held - self.repay(day, totals, held, HELD_APPLIED)
            self.move(day, HELD_APPLIED, HELD, applied)

    def run(self, pays: dict[int, date]) -> History:
        disbursed_on = self.terms.start
        snapshot_day = self.on - ONE_DAY
        paying = {day: number for number, day in pays.items()}
        by_number = {line.number: line for line in self.lines}
        events = {self.on, snapshot_day, *pays.values()}
        for line in self.lines:
            events.update((line.due_date, line.grace_date + ONE_DAY))
        events.update(add_years(disbursed_on, years) for years in range(1, 4))
        result = History()
        if snapshot_day == disbursed_on:
            self.snapshot(snapshot_day, result)
        previous = disbursed_on
        for day in sorted(d for d in events if disbursed_on < d <= self.on):
            if (day - previous).days > 1:
                self.accrue_stretch(previous + ONE_DAY, day - ONE_DAY)
            if day == self.on and day not in paying:
                break  # the close of the benchmark date is what is timed
            totals = schedule_totals(self.lines, day)
            self.close(day, totals, late_amounts(self.position, totals))
            if day in paying:
                self.pay(day, totals, by_number[paying[day]])
            if day == snapshot_day:
                self.snapshot(day, result)
            previous = day
        result.entries = self.entries
        return result

    def snapshot(self, day: date, result: History) -> None:
        result.snapshot, result.statuses, result.flagged_on = snapshot_of(
            self.lines, self.position, self.accruals, self.terms, day
        )


def snapshot_of(lines, position, accruals, terms, day: date):
    """The snapshot the close leaves, the instalments' statuses and the acceleration flag."""
    totals = schedule_totals(lines, day)
    due = debts_due(position, totals)
    late_since = None
    if sum(late_amounts(position, totals), ZERO) > 0:
        late = [
            InstallmentDue(x.due_date, x.grace_date, x.cumulative_principal, x.cumulative_interest)
            for x in lines
            if x.grace_date < day
        ]
        oldest = oldest_late(late, position, day)
        late_since = oldest.due_date if oldest else None
    days_past_due = (day - late_since).days if late_since else 0
    snapshot = {
        "on": day,
        "principal": position.principal,
        "interest": position.interest,
        "penalty": position.penalty,
        "held": position.held,
        "overdue_principal": due[Debt.OVERDUE_PRINCIPAL],
        "overdue_interest": due[Debt.OVERDUE_INTEREST],
        "accrued_interest": accrued_not_due(position, totals, terms, day),
        "days_past_due": days_past_due,
        "late_since": late_since,
        "interest_accrued_total": position.interest_accrued,
        "principal_due": totals.principal_due,
        "interest_due": totals.interest_due,
        "principal_late": totals.principal_late,
        "interest_late": totals.interest_late,
        "last_due_date": totals.last_due_date,
        "scheduled_interest_posted": totals.interest_due,
        "late_principal_days": accruals.late_principal_days,
        # one rate over the loan's life: the rate-weighted base is the days times the rate
        "overdue_interest_base": accruals.late_principal_days * terms.annual_rate,
        "overdue_interest_posted": accruals.overdue_interest_posted,
        "penalty_exact": accruals.penalty_exact,
        "penalty_exact_this_year": accruals.penalty_exact_this_year,
        "penalty_posted": accruals.penalty_posted,
    }
    # as loans.ledger.close._mark_installments leaves them
    principal, interest = position.principal_repaid, position.interest_repaid
    statuses = []
    for x in lines:
        if x.due_date > day:
            statuses.append(PENDING)
        elif x.cumulative_principal <= principal and x.cumulative_interest <= interest:
            statuses.append(PAID)
        else:
            statuses.append(OVERDUE if x.grace_date < day else PENDING)
    flagged_on = (
        late_since + timedelta(days=ACCELERATION_AFTER + 1)
        if days_past_due > ACCELERATION_AFTER
        else None
    )
    return snapshot, statuses, flagged_on


def on_time_history(portfolio: Portfolio, amount: Decimal, disbursed_on: date, lines) -> History:
    """What ``Replay`` gives for a borrower who pays every instalment on its due date, fast:
    no late amount ever, so no penalty or overdue interest; each due date the interest accrues
    and the instalment is repaid."""
    on, snapshot_day = portfolio.on, portfolio.on - ONE_DAY
    entries = [(disbursed_on, DISBURSEMENT, PRINCIPAL, amount)]
    paid = None
    for line in lines:
        if line.due_date > on:
            break
        if line.interest:
            entries.append((line.due_date, INTEREST_ACCRUAL, INTEREST, line.interest))
        if line.principal:
            entries.append((line.due_date, REPAYMENT, PRINCIPAL, -line.principal))
        if line.interest:
            entries.append((line.due_date, REPAYMENT, INTEREST, -line.interest))
        if line.due_date <= snapshot_day:
            paid = line
    principal = paid.cumulative_principal if paid else ZERO
    interest = paid.cumulative_interest if paid else ZERO
    position = Position(amount=amount, principal=amount - principal, interest_accrued=interest)
    terms = replace(portfolio.terms_base, start=disbursed_on)
    result = History(entries=entries)
    result.snapshot, result.statuses, result.flagged_on = snapshot_of(
        lines, position, Accruals(), terms, snapshot_day
    )
    return result


def history(portfolio: Portfolio, amount: Decimal, disbursed_on: date, lines, pays) -> History:
    if all(pays.get(x.number) == x.due_date for x in lines if x.due_date <= portfolio.on):
        return on_time_history(portfolio, amount, disbursed_on, lines)
    return Replay(portfolio, amount, disbursed_on, lines).run(pays)
