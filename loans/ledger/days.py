"""One loan's day, as the close computes it: the arithmetic shared by the close of a date
(``close``: the rows its queries selected for the day) and ``simulate`` (all the loan's rows,
in memory), so both follow one rule. Writes nothing, but for ``keep_waived``, which stays
beside its in-memory twin ``keep_waived_in``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery

from core.money import ZERO
from lending.domain.daycount import DayCount, days_between
from loans.domain.allocation import Component as Debt
from loans.domain.allocation import allocate
from loans.domain.ledger import Component, Kind
from loans.domain.servicing import (
    Accruals,
    AccrualTerms,
    InstallmentDue,
    Position,
    ScheduleTotals,
    StopScope,
    accrue_day,
    accrued_not_due,
    debts_due,
    interest_stopped,
    interest_waived,
    late_amounts,
    oldest_late,
)
from loans.ledger.posting import by_component
from loans.models import Installment, LedgerEntry, Loan, LoanSnapshot

ONE_DAY = timedelta(days=1)
DISBURSED = 1  # the schedule version fixed at disbursement
SERVICED = (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)
ACCRUAL = {
    Kind.INTEREST_ACCRUAL: "scheduled_interest_posted",
    Kind.OVERDUE_INTEREST_ACCRUAL: "overdue_interest_posted",
    Kind.PENALTY_ACCRUAL: "penalty_posted",
}
# The loan's fields a day's close reads.
LOAN_FIELDS = (
    "id",
    "amount",
    "annual_rate",
    "day_count",
    "penalty_rate_daily",
    "penalty_year_cap",
    "penalty_stop_days",
    "overdue_stop_scope",
    "disbursed_on",
    "schedule_version",
)


def dates(first: date, last: date) -> list[date]:
    """Every date from ``first`` through ``last``."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def accrual_terms(loan: dict) -> AccrualTerms:
    return AccrualTerms(
        annual_rate=loan["annual_rate"],
        day_count=DayCount(loan["day_count"]),
        penalty_rate=loan["penalty_rate_daily"],
        penalty_year_cap=loan["penalty_year_cap"],
        stop_after_days=loan["penalty_stop_days"],
        start=loan["disbursed_on"],
        stop_scope=StopScope(loan["overdue_stop_scope"] or StopScope.PENALTY_AND_INTEREST),
    )


@dataclass
class _Day:
    """One loan's day in the making: its position and what the close posts."""

    loan: dict
    position: Position
    entries: list[LedgerEntry] = field(default_factory=list)

    def post(self, day: date, kind: Kind, component: Component, amount: Decimal) -> None:
        if amount == 0:
            return
        self.entries.append(
            LedgerEntry(
                loan_id=self.loan["id"],
                value_date=day,
                kind=kind,
                component=component,
                amount=amount,
                reason="" if amount > 0 or kind is Kind.HELD_APPLIED else RECOMPUTED,
            )
        )
        self.position = _moved(self.position, component, amount, kind)


RECOMPUTED = "Recomputed by the daily close after a backdated posting"


def _moved(position: Position, component: Component, amount: Decimal, kind: Kind) -> Position:
    values = {
        "principal": position.principal,
        "interest": position.interest,
        "penalty": position.penalty,
        "held": position.held,
        "interest_accrued": position.interest_accrued,
    }
    if component is Component.HELD:
        values["held"] -= amount
    else:
        values[component.value] += amount
    if kind in (Kind.INTEREST_ACCRUAL, Kind.OVERDUE_INTEREST_ACCRUAL):
        values["interest_accrued"] += amount
    return Position(amount=position.amount, **values)


@dataclass(frozen=True)
class InForce:
    version: int
    effective_on: date
    annual_rate: Decimal


# The per-loan choices of a day, pure, shared by the close (rows its queries selected for the
# day) and ``simulate_loan_through`` (all the loan's rows, in memory): one rule for both.


def version_of(in_force: dict[int, InForce], loan_id: int) -> int:
    return in_force[loan_id].version if loan_id in in_force else DISBURSED


def in_force_on(versions: list[InForce], day: date) -> InForce | None:
    """Of a loan's schedule versions (by number), the latest that took effect by ``day``."""
    in_force = None
    for version in versions:
        if version.effective_on <= day:
            in_force = version
    return in_force


def use_rate_in_force(loan: dict, in_force: InForce | None) -> None:
    if in_force is not None:  # the rate of the schedule in force that day
        loan["annual_rate"] = in_force.annual_rate


def turning(lines: list[dict], version: int, day: date) -> list[dict]:
    """The lines of ``version`` (by number) falling due on ``day`` or late from it."""
    return [
        line
        for line in lines
        if line["version"] == version
        and (line["due_date"] == day or line["grace_date"] == day - ONE_DAY)
    ]


def restated(lines: list[dict], version: int, day: date) -> ScheduleTotals:
    """The totals of the day before ``day`` read from the lines of ``version`` (by number)."""
    totals = ScheduleTotals()
    for row in lines:
        if row["version"] != version or row["due_date"] >= day:
            continue
        charged = row["cumulative_interest"] - row["cumulative_interest_waived"]
        totals = replace(
            totals,
            principal_due=row["cumulative_principal"],
            interest_due=charged,
            last_due_date=row["due_date"],
        )
        if row["grace_date"] < day - ONE_DAY:
            totals = replace(
                totals, principal_late=row["cumulative_principal"], interest_late=charged
            )
    return totals


def late_lines(lines: list[dict], version: int, day: date) -> list[InstallmentDue]:
    """The lines of ``version`` past their grace date on ``day``, for ``oldest_late``."""
    return [
        InstallmentDue(
            due_date=row["due_date"],
            grace_date=row["grace_date"],
            cumulative_principal=row["cumulative_principal"],
            cumulative_interest=row["cumulative_interest"] - row["cumulative_interest_waived"],
        )
        for row in lines
        if row["version"] == version and row["grace_date"] < day
    ]


def set_oldest_late(
    snapshot: LoanSnapshot, position: Position, lines: list[InstallmentDue], day: date
) -> None:
    oldest = oldest_late(lines, position, day)
    snapshot.late_since = oldest.due_date if oldest else None
    snapshot.days_past_due = (day - oldest.due_date).days if oldest else 0


def close_loan_day(day, loan, before, moves, turning, restated=None):
    """One loan's ``day`` from the snapshot of the day ``before`` (a row as stored, or None),
    the day's ledger ``moves`` and instalment lines ``turning`` (due or late from ``day``) and,
    on the day a new schedule version takes effect, the totals it ``restated``: the snapshot
    to store, the entries the close posts, the position, and whether the oldest late line is
    still to be looked up."""
    terms = accrual_terms(loan)
    before = before or {}
    zero = ZERO
    prev = Position(
        amount=loan["amount"],
        principal=before.get("principal", zero),
        interest=before.get("interest", zero),
        penalty=before.get("penalty", zero),
        held=before.get("held", zero),
        interest_accrued=before.get("interest_accrued_total", zero),
    )
    totals = ScheduleTotals(
        principal_due=before.get("principal_due", zero),
        interest_due=before.get("interest_due", zero),
        principal_late=before.get("principal_late", zero),
        interest_late=before.get("interest_late", zero),
        last_due_date=before.get("last_due_date"),
    )
    if restated is not None:
        totals = restated
    due_before = totals  # what was due at the end of the previous day
    # The full stop after days overdue: a day on which no interest accrues counts against the
    # scheduled interest of the instalment whose period it is in (DOMAIN.md §12).
    waived = before.get("interest_waived", zero)
    stopped_days = before.get("period_stopped_days", 0)
    if day > terms.start and interest_stopped(terms, day, before.get("late_since")):
        stopped_days += days_between(day - ONE_DAY, day, terms.day_count)
    new_late = []
    for line in turning:
        if line["due_date"] == day:
            waived += interest_waived(line["interest"], line["days"], stopped_days)
            stopped_days = 0
            totals = replace(
                totals,
                principal_due=line["cumulative_principal"],
                interest_due=line["cumulative_interest"] - waived,
                last_due_date=day,
            )
        if line["grace_date"] == day - ONE_DAY:
            new_late.append(line)
            charged = line["cumulative_interest"] - line["cumulative_interest_waived"]
            totals = replace(
                totals,
                principal_late=max(totals.principal_late, line["cumulative_principal"]),
                interest_late=max(totals.interest_late, charged),
            )
    accruals_before = Accruals(
        scheduled_interest_posted=before.get("scheduled_interest_posted", zero),
        late_principal_days=before.get("late_principal_days", zero),
        overdue_interest_base=before.get("overdue_interest_base", zero),
        overdue_interest_posted=before.get("overdue_interest_posted", zero),
        penalty_exact=before.get("penalty_exact", zero),
        penalty_exact_this_year=before.get("penalty_exact_this_year", zero),
        penalty_posted=before.get("penalty_posted", zero),
    )
    # Day D's charges are on what was late at the end of D − 1: instalments past their grace
    # date, measured against the interest due then (an instalment falling due on D is not
    # posted yet, and must not pass for the current part of the unpaid interest).
    late_basis = replace(
        totals,
        principal_due=due_before.principal_due,
        interest_due=due_before.interest_due,
        last_due_date=due_before.last_due_date,
    )
    late_principal, late_interest = late_amounts(prev, late_basis)
    accruals = accrue_day(
        terms,
        accruals_before,
        on=day,
        late_principal=late_principal,
        late_interest=late_interest,
        late_since=before.get("late_since"),
    )
    # The schedule's interest is posted as it falls due: its target is the cumulative due.
    accruals = replace(accruals, scheduled_interest_posted=totals.interest_due)

    # The day's ledger so far: postings by people, and by an earlier run of this date.
    work = _Day(loan, prev)
    already = dict.fromkeys(ACCRUAL, zero)
    repaid_today = False
    for row in moves:
        kind, component = Kind(row["kind"]), Component(row["component"])
        work.position = _moved(work.position, component, row["total"], kind)
        if kind in ACCRUAL:
            already[kind] += row["total"]
        elif row["total"] < 0 and component in (Component.PRINCIPAL, Component.INTEREST):
            repaid_today = True
    for kind, name in ACCRUAL.items():
        component = Component.PENALTY if kind is Kind.PENALTY_ACCRUAL else Component.INTEREST
        target = getattr(accruals, name) - getattr(accruals_before, name)
        work.post(day, kind, component, target - already[kind])

    # A recomputation can leave a component overpaid: that money is the borrower's, held.
    for component in (Component.PENALTY, Component.INTEREST, Component.PRINCIPAL):
        overpaid = -getattr(work.position, component.value)
        if overpaid > 0:
            work.post(day, Kind.HELD_APPLIED, component, overpaid)
            work.post(day, Kind.HELD_APPLIED, Component.HELD, -overpaid)
    # Held money pays what fell due (DOMAIN.md §9: held for the next instalment).
    if work.position.held > 0:
        split = allocate(work.position.held, debts_due(work.position, totals))
        for component, part in by_component(split.parts).items():
            work.post(day, Kind.HELD_APPLIED, component, -part)
        if split.applied:
            work.post(day, Kind.HELD_APPLIED, Component.HELD, split.applied)
            repaid_today = True

    position = work.position
    due = debts_due(position, totals)
    still_late = sum(late_amounts(position, totals), zero) > 0
    late_since = None
    lookup = False
    if still_late:
        if before.get("late_since") and not repaid_today:
            late_since = before["late_since"]
        elif not before.get("late_since") and new_late:
            late_since = min(line["due_date"] for line in new_late)
        else:
            lookup = True
    snapshot = LoanSnapshot(
        loan_id=loan["id"],
        on=day,
        principal=position.principal,
        interest=position.interest,
        penalty=position.penalty,
        held=position.held,
        overdue_principal=due[Debt.OVERDUE_PRINCIPAL],
        overdue_interest=due[Debt.OVERDUE_INTEREST],
        accrued_interest=accrued_not_due(position, totals, terms, day, stopped_days),
        days_past_due=(day - late_since).days if late_since else 0,
        late_since=late_since,
        interest_accrued_total=position.interest_accrued,
        principal_due=totals.principal_due,
        interest_due=totals.interest_due,
        principal_late=totals.principal_late,
        interest_late=totals.interest_late,
        last_due_date=totals.last_due_date,
        scheduled_interest_posted=accruals.scheduled_interest_posted,
        late_principal_days=accruals.late_principal_days,
        overdue_interest_base=accruals.overdue_interest_base,
        overdue_interest_posted=accruals.overdue_interest_posted,
        penalty_exact=accruals.penalty_exact,
        penalty_exact_this_year=accruals.penalty_exact_this_year,
        penalty_posted=accruals.penalty_posted,
        interest_waived=waived,
        period_stopped_days=stopped_days,
    )
    return snapshot, work.entries, position, lookup


def keep_waived(day: date, loans) -> None:
    """Each instalment falling due on ``day`` keeps the day's total of waived scheduled
    interest, so that what it charges is known line by line; a re-run may change it back."""
    waived = LoanSnapshot.objects.filter(loan=OuterRef("loan"), on=day).values("interest_waived")
    falling_due = Installment.objects.filter(loan__in=loans, version__gte=DISBURSED, due_date=day)
    falling_due.filter(
        Q(cumulative_interest_waived__gt=0)
        | Exists(LoanSnapshot.objects.filter(loan=OuterRef("loan"), on=day, interest_waived__gt=0))
    ).update(cumulative_interest_waived=Subquery(waived[:1]))


def keep_waived_in(lines: list[dict], day: date, snapshot: dict) -> None:
    """``keep_waived`` in memory: the lines falling due on ``day`` keep the day's waived
    scheduled interest."""
    for line in lines:
        if line["due_date"] == day:
            line["cumulative_interest_waived"] = snapshot["interest_waived"]
