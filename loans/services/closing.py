"""The daily close: what fell due, is late, accrued, and a snapshot of every loan (DOMAIN.md §8).

Set-based: per chunk of loans a fixed number of queries (the previous day's snapshots, the
day's ledger sums, the instalments that fell due or ran out of grace), the arithmetic in the
pure ``loans.domain.servicing``, then bulk inserts. A date is a function of the previous
day's snapshot and the ledger, so running it twice posts nothing the second time, catching up
equals running day by day, and a backdated posting is absorbed by re-running from its date.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from core.errors import ConflictError
from core.money import ZERO
from loans.domain.allocation import Component as Debt
from loans.domain.allocation import allocate
from loans.domain.daycount import DayCount, days_between
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
from loans.models import (
    DayClose,
    Installment,
    LedgerEntry,
    Loan,
    LoanSnapshot,
    ReclosedDay,
    ScheduleVersion,
)
from loans.selectors import last_closed_date, schedule_totals_of

ONE_DAY = timedelta(days=1)
CHUNK = 5000
ACCELERATION_AFTER_DAYS = 40  # seed 004 ch.7 §1 p.6: the right arises on the 41st day
CLOSE_LOCK = 6_0_0_1  # one daily close at a time (PostgreSQL advisory lock key)
ACCRUAL = {
    Kind.INTEREST_ACCRUAL: "scheduled_interest_posted",
    Kind.OVERDUE_INTEREST_ACCRUAL: "overdue_interest_posted",
    Kind.PENALTY_ACCRUAL: "penalty_posted",
}
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
DISBURSED = 1  # the schedule version fixed at disbursement
SERVICED = (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)


@dataclass
class CloseResult:
    business_date: date
    loans: int = 0
    entries_posted: int = 0
    dates: list[date] = field(default_factory=list)


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def close_day(*, on: date, by=None) -> CloseResult:
    """Close ``on``; missed dates before it are closed first, and a date already closed is
    re-run together with every later closed date (after a backdated posting)."""
    last = last_closed_date()
    if last is None:
        dates = [on]
    elif on <= last:
        dates = _dates(on, last)
    else:
        dates = _dates(last + ONE_DAY, on)
    total = CloseResult(business_date=on)
    for day in dates:
        # A date and the settling of the loans its night repaid commit together: a worker
        # killed between the two would leave the date closed and those loans open for good.
        with transaction.atomic():
            result = _close_one(day, by=by)
            _close_repaid(day)
        total.loans = result.loans
        total.entries_posted += result.entries_posted
        total.dates.append(day)
    return total


def _close_repaid(day: date) -> None:
    """Loans the held money repaid in full during the night are closed like a paid-off one."""
    from loans.services.closure import loan_settle

    repaid = LoanSnapshot.objects.filter(
        on=day, loan__status__in=SERVICED, principal=0, interest=0, penalty=0
    ).values_list("loan_id", flat=True)
    for loan_id in repaid:
        loan_settle(loan_id=loan_id, on=day, by=None)


def close_through(*, through: date, by=None) -> CloseResult:
    """The nightly run: every date not yet closed, up to ``through``, in order."""
    last = last_closed_date()
    if last is not None and last >= through:
        return CloseResult(business_date=through)
    return close_day(on=through, by=by)


@transaction.atomic
def reclose_loan(*, loan_id: int, since: date, through: date | None = None) -> int:
    """Re-run one loan's closed days from ``since`` (after a posting dated ``since``): through
    the last closed date, or the loan's own latest snapshot if a payment closed further
    (or only through ``through``)."""
    latest = (
        LoanSnapshot.objects.filter(loan_id=loan_id).order_by("-on").values_list("on", flat=True)
    )
    last = max(filter(None, [last_closed_date(), latest.first()]), default=None)
    if through is not None and last is not None:
        last = min(last, through)
    if last is None or since > last:
        return 0
    posted = 0
    for day in _dates(since, last):
        posted += _close_one(day, loan_ids=[loan_id], record=False).entries_posted
    closed = DayClose.objects.filter(business_date__gte=since, business_date__lte=last)
    # insert-only, so concurrent postings never wait on each other for it
    ReclosedDay.objects.bulk_create(
        [ReclosedDay(on=day) for day in closed.values_list("business_date", flat=True)],
        ignore_conflicts=True,
    )
    return posted


def close_lock_shared() -> None:
    """For readers of a date's snapshots (the k1 run) that must not see a close half done."""
    _lock(shared=True)


def bring_loan_up_to(*, loan_id: int, through: date) -> None:
    """Close the loan's own days not yet closed, through ``through`` (a payment's value date),
    so the payment meets the debts of its value date whenever the nightly close runs: the
    night then recomputes the same figures and posts nothing more."""
    latest = (
        LoanSnapshot.objects.filter(loan_id=loan_id).order_by("-on").values_list("on", flat=True)
    ).first()
    first = latest + ONE_DAY if latest else Loan.objects.get(pk=loan_id).disbursed_on
    for day in _dates(first, through):
        _close_one(day, loan_ids=[loan_id], record=False)


def _lock(*, shared: bool = False) -> None:
    """The daily close of the portfolio takes the lock alone; closing one loan's days (a
    payment, a change) shares it, so postings on different loans never wait for each other
    (the loan's own row lock orders postings on one loan), only for the nightly close."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [CLOSE_LOCK])


def _loans_on(day: date):
    return Loan.objects.filter(
        disbursed_on__lte=day,
        status__in=[*SERVICED, Loan.Status.CLOSED],
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))


@transaction.atomic
def _close_one(
    day: date, *, by=None, loan_ids: list[int] | None = None, record: bool = True
) -> CloseResult:
    _lock(shared=loan_ids is not None)
    loans = _loans_on(day)
    if loans_ids := loan_ids:
        loans = loans.filter(id__in=loans_ids)
    _fill_gaps(loans, day)
    result = CloseResult(business_date=day)
    last_id = 0
    while True:
        chunk = list(loans.filter(id__gt=last_id).order_by("id").values(*LOAN_FIELDS)[:CHUNK])
        if not chunk:
            break
        result.entries_posted += _close_chunk(day, chunk, by)
        result.loans += len(chunk)
        last_id = chunk[-1]["id"]
    _mark_installments(day, loans)
    if record:
        close, _created = DayClose.objects.get_or_create(business_date=day)
        close.loans, close.entries_posted = result.loans, result.entries_posted
        close.runs += 1
        close.run_by = by if getattr(by, "is_authenticated", False) else None
        close.save()
    return result


def _fill_gaps(loans, day: date) -> None:
    """Loans disbursed before ``day`` with no snapshot of the day before (a backdated
    disbursement, a book migrated in) are closed from their first day, all together."""
    missing = dict(
        loans.filter(disbursed_on__lt=day)
        .exclude(Exists(LoanSnapshot.objects.filter(loan=OuterRef("pk"), on=day - ONE_DAY)))
        .values_list("id", "disbursed_on")
    )
    if not missing:
        return
    for earlier in _dates(min(missing.values()), day - ONE_DAY):
        _close_one(earlier, loan_ids=list(missing), record=False)


def _terms(loan: dict) -> AccrualTerms:
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


def _close_chunk(day: date, loans: list[dict], by) -> int:
    first, last = loans[0]["id"], loans[-1]["id"]
    in_chunk = {"loan_id__gte": first, "loan_id__lte": last}
    previous = {
        row["loan_id"]: row
        for row in LoanSnapshot.objects.filter(on=day - ONE_DAY, **in_chunk).values()
    }
    moves: dict[int, list[dict]] = defaultdict(list)
    for row in (
        LedgerEntry.objects.filter(value_date=day, **in_chunk)
        .values("loan_id", "component", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        moves[row["loan_id"]].append(row)
    in_force = _versions_in_force(day, in_chunk)
    for loan in loans:
        _use_rate_in_force(loan, in_force.get(loan["id"]))
    lines: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Installment.objects.filter(version__gte=DISBURSED, **in_chunk)
        .filter(Q(due_date=day) | Q(grace_date=day - ONE_DAY))
        .values(
            "loan_id",
            "version",
            "due_date",
            "grace_date",
            "days",
            "interest",
            "cumulative_principal",
            "cumulative_interest",
            "cumulative_interest_waived",
        )
        .order_by("number")
    ):
        lines[row["loan_id"]].append(row)
    turning = {
        loan_id: _turning(rows, _version_of(in_force, loan_id), day)
        for loan_id, rows in lines.items()
    }
    restated = _restated_totals(
        day, {loan_id: v.version for loan_id, v in in_force.items() if v.effective_on == day}
    )
    entries: list[LedgerEntry] = []
    snapshots: list[LoanSnapshot] = []
    need_oldest: dict[int, tuple[LoanSnapshot, Position]] = {}
    for loan in loans:
        snapshot, posted, position, lookup = _close_loan(
            day,
            loan,
            previous.get(loan["id"]),
            moves[loan["id"]],
            turning.get(loan["id"], []),
            restated.get(loan["id"]),
        )
        entries.extend(posted)
        snapshots.append(snapshot)
        if lookup:
            need_oldest[loan["id"]] = (snapshot, position)
    _find_oldest_late(day, need_oldest, in_force)
    for entry in entries:
        entry.posted_by = by if getattr(by, "is_authenticated", False) else None
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    LoanSnapshot.objects.filter(on=day, **in_chunk).delete()
    LoanSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    _flag_acceleration(day, first, last, snapshots)
    return len(entries)


@dataclass(frozen=True)
class _InForce:
    version: int
    effective_on: date
    annual_rate: Decimal


def _versions_in_force(day: date, in_chunk: dict) -> dict[int, _InForce]:
    """For the loans of the chunk whose schedule was ever changed, the version they follow
    on ``day`` (the latest that took effect by then): a re-run of an earlier date reads the
    schedule and the rate of that date, never a later one. Other loans follow version 1."""
    versions: dict[int, list[_InForce]] = defaultdict(list)
    for loan_id, version, effective_on, rate in (
        ScheduleVersion.objects.filter(
            version__gte=DISBURSED,
            effective_on__lte=day,
            loan__schedule_version__gt=DISBURSED,
            **in_chunk,
        )
        .order_by("loan_id", "version")
        .values_list("loan_id", "version", "effective_on", "annual_rate")
    ):
        versions[loan_id].append(_InForce(version, effective_on, rate))
    return {loan_id: _in_force_on(rows, day) for loan_id, rows in versions.items()}


def _version_of(in_force: dict[int, _InForce], loan_id: int) -> int:
    return in_force[loan_id].version if loan_id in in_force else DISBURSED


# The per-loan choices of a day, pure, shared by the close (rows its queries selected for the
# day) and ``simulate_loan_through`` (all the loan's rows, in memory): one rule for both.


def _in_force_on(versions: list[_InForce], day: date) -> _InForce | None:
    """Of a loan's schedule versions (by number), the latest that took effect by ``day``."""
    in_force = None
    for version in versions:
        if version.effective_on <= day:
            in_force = version
    return in_force


def _use_rate_in_force(loan: dict, in_force: _InForce | None) -> None:
    if in_force is not None:  # the rate of the schedule in force that day
        loan["annual_rate"] = in_force.annual_rate


def _turning(lines: list[dict], version: int, day: date) -> list[dict]:
    """The lines of ``version`` (by number) falling due on ``day`` or late from it."""
    return [
        line
        for line in lines
        if line["version"] == version
        and (line["due_date"] == day or line["grace_date"] == day - ONE_DAY)
    ]


def _restated(lines: list[dict], version: int, day: date) -> ScheduleTotals:
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


def _late_lines(lines: list[dict], version: int, day: date) -> list[InstallmentDue]:
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


def _set_oldest_late(
    snapshot: LoanSnapshot, position: Position, lines: list[InstallmentDue], day: date
) -> None:
    oldest = oldest_late(lines, position, day)
    snapshot.late_since = oldest.due_date if oldest else None
    snapshot.days_past_due = (day - oldest.due_date).days if oldest else 0


def _restated_totals(day: date, versions: dict[int, int]) -> dict[int, ScheduleTotals]:
    """On the day a new schedule version takes effect, the totals of the day before are read
    from its rows (a change of terms may reschedule principal that was late), not carried."""
    if not versions:
        return {}
    lines: dict[int, list[dict]] = {loan_id: [] for loan_id in versions}
    for row in (
        Installment.objects.filter(loan_id__in=list(versions), due_date__lt=day)
        .values(
            "loan_id",
            "version",
            "due_date",
            "grace_date",
            "cumulative_principal",
            "cumulative_interest",
            "cumulative_interest_waived",
        )
        .order_by("loan_id", "number")
    ):
        lines[row["loan_id"]].append(row)
    return {loan_id: _restated(rows, versions[loan_id], day) for loan_id, rows in lines.items()}


def _close_loan(day, loan, before, moves, turning, restated=None):
    terms = _terms(loan)
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
        for component, part in _by_component(split.parts).items():
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


def _by_component(parts) -> dict[Component, Decimal]:
    from loans.services.payments import LEDGER_COMPONENT

    totals: dict[Component, Decimal] = {}
    for debt, part in parts.items():
        if part:
            component = LEDGER_COMPONENT[debt]
            totals[component] = totals.get(component, ZERO) + part
    return totals


def _find_oldest_late(
    day: date, pending: dict[int, tuple[LoanSnapshot, Position]], in_force: dict[int, _InForce]
) -> None:
    """Where repayments moved the oldest unpaid instalment: one query for all such loans."""
    if not pending:
        return
    lines: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Installment.objects.filter(
            loan_id__in=list(pending), version__gte=DISBURSED, grace_date__lt=day
        )
        .values(
            "loan_id",
            "version",
            "due_date",
            "grace_date",
            "cumulative_principal",
            "cumulative_interest",
            "cumulative_interest_waived",
        )
        .order_by("loan_id", "number")
    ):
        lines[row["loan_id"]].append(row)
    for loan_id, (snapshot, position) in pending.items():
        late = _late_lines(lines[loan_id], _version_of(in_force, loan_id), day)
        _set_oldest_late(snapshot, position, late, day)


def _flag_acceleration(day: date, first: int, last: int, snapshots: list[LoanSnapshot]) -> None:
    """Flag loans more than 40 days late (early repayment may be demanded); unflag cured ones."""
    late = [s.loan_id for s in snapshots if s.days_past_due > ACCELERATION_AFTER_DAYS]
    in_chunk = Loan.objects.filter(
        id__gte=first, id__lte=last, id__in=[s.loan_id for s in snapshots]
    )
    in_chunk.filter(id__in=late, acceleration_flagged_on__isnull=True).update(
        acceleration_flagged_on=day
    )
    in_chunk.exclude(id__in=late).filter(acceleration_flagged_on__isnull=False).update(
        acceleration_flagged_on=None
    )


def _mark_installments(day: date, loans) -> None:
    """Instalments late and unpaid are overdue; those the repayments cover are paid. Those
    falling due keep the scheduled interest waived so far (the full stop after days overdue)."""
    _keep_waived(day, loans)
    current = Installment.objects.filter(
        loan__in=loans, version=F("loan__schedule_version"), due_date__lte=day
    )
    current.filter(status=Installment.Status.PENDING, grace_date__lt=day).update(
        status=Installment.Status.OVERDUE
    )
    covered = LoanSnapshot.objects.filter(
        loan=OuterRef("loan"),
        on=day,
        principal__lte=OuterRef("loan__amount") - OuterRef("cumulative_principal"),
        interest__lte=F("interest_accrued_total")
        - OuterRef("cumulative_interest")
        + OuterRef("cumulative_interest_waived"),
    )
    current.exclude(status=Installment.Status.PAID).filter(Exists(covered)).update(
        status=Installment.Status.PAID
    )


def _keep_waived(day: date, loans) -> None:
    """Each instalment falling due on ``day`` keeps the day's total of waived scheduled
    interest, so that what it charges is known line by line; a re-run may change it back."""
    waived = LoanSnapshot.objects.filter(loan=OuterRef("loan"), on=day).values("interest_waived")
    falling_due = Installment.objects.filter(loan__in=loans, version__gte=DISBURSED, due_date=day)
    falling_due.filter(
        Q(cumulative_interest_waived__gt=0)
        | Exists(LoanSnapshot.objects.filter(loan=OuterRef("loan"), on=day, interest_waived__gt=0))
    ).update(cumulative_interest_waived=Subquery(waived[:1]))


# --- reads that simulate the close --------------------------------------------------------


@contextmanager
def close_read():
    """For a read that simulates the close (a quote, a preview): it must never make a posting
    wait. It takes the close's lock only SHARED, as postings do, and only if free at once
    (PostgreSQL also refuses it while the nightly close waits for its turn), so a running
    close answers ``close_running`` instead of waiting. In its own transaction it reads
    at REPEATABLE READ, so its few queries see one state of the loan."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:  # must be the transaction's first statement
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [CLOSE_LOCK])
                if not cursor.fetchone()[0]:
                    raise ConflictError(
                        _("The daily close is running; the quote is ready when it finishes."),
                        field="on",
                        code="close_running",
                    )
        yield


class Simulation(NamedTuple):
    position: Position  # at the end of the date, as ``loan_position(loan, on=...)`` reads it
    totals: ScheduleTotals  # of the current schedule, as ``schedule_totals`` reads it
    snapshot: LoanSnapshot | None  # unsaved: what the close would store for the date


def simulate_loan_through(*, loan_id: int, through: date) -> Simulation:
    """The loan's figures at the end of ``through`` (its latest snapshot's date or later) as if
    its days were closed to it, computed in memory with the close's own per-loan-day function
    (``_close_loan``), so they are the close's to the tiyn; nothing is written. A fixed number
    of queries whatever the date: the loan, its latest snapshot, its instalments of every
    version, its schedule versions, and the ledger dated after the snapshot."""
    loan = Loan.objects.values(*LOAN_FIELDS).get(pk=loan_id)
    latest = LoanSnapshot.objects.filter(loan_id=loan_id).order_by("-on").values().first()
    first = latest["on"] + ONE_DAY if latest else loan["disbursed_on"]
    if through < first - ONE_DAY or loan["disbursed_on"] is None:
        raise ValueError(f"loan {loan_id} is closed through {first - ONE_DAY}, not {through}")
    lines = list(
        Installment.objects.filter(loan_id=loan_id, version__gte=DISBURSED)
        .order_by("version", "number")
        .values()
    )
    versions = []
    if loan["schedule_version"] > DISBURSED:  # as ``_versions_in_force`` reads them
        versions = [
            _InForce(*row)
            for row in ScheduleVersion.objects.filter(loan_id=loan_id, version__gte=DISBURSED)
            .order_by("version")
            .values_list("version", "effective_on", "annual_rate")
        ]
    moves: dict[date, list[dict]] = defaultdict(list)
    for row in (
        LedgerEntry.objects.filter(loan_id=loan_id, value_date__gte=first, value_date__lte=through)
        .values("value_date", "component", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        moves[row.pop("value_date")].append(row)
    before = latest
    snapshot = LoanSnapshot(**latest) if latest else None
    for day in _dates(first, through):
        in_force = _in_force_on(versions, day)
        version = in_force.version if in_force else DISBURSED
        on_day = dict(loan)
        _use_rate_in_force(on_day, in_force)
        restated = None
        if in_force is not None and in_force.effective_on == day:
            restated = _restated(lines, version, day)
        snapshot, _entries, position, lookup = _close_loan(
            day, on_day, before, moves[day], _turning(lines, version, day), restated
        )
        if lookup:
            _set_oldest_late(snapshot, position, _late_lines(lines, version, day), day)
        before = _as_stored(snapshot)
        _keep_waived_in(lines, day, before)
    before = before or {}
    position = Position(
        amount=loan["amount"],
        principal=before.get("principal", ZERO),
        interest=before.get("interest", ZERO),
        penalty=before.get("penalty", ZERO),
        held=before.get("held", ZERO),
        interest_accrued=before.get("interest_accrued_total", ZERO),
    )
    current = [line for line in lines if line["version"] == loan["schedule_version"]]
    return Simulation(position, schedule_totals_of(current, on=through), snapshot)


def _as_stored(snapshot: LoanSnapshot) -> dict:
    """The snapshot as the next day's close reads it back (``.values()``): each amount rounded
    to its column's scale, as PostgreSQL's numeric stores it (half away from zero)."""
    row = {}
    for column in LoanSnapshot._meta.concrete_fields:
        value = getattr(snapshot, column.attname)
        if isinstance(value, Decimal) and column.decimal_places is not None:
            value = value.quantize(Decimal(1).scaleb(-column.decimal_places), ROUND_HALF_UP)
        row[column.attname] = value
    return row


def _keep_waived_in(lines: list[dict], day: date, snapshot: dict) -> None:
    """``_keep_waived`` in memory: the lines falling due on ``day`` keep the day's waived
    scheduled interest."""
    for line in lines:
        if line["due_date"] == day:
            line["cumulative_interest_waived"] = snapshot["interest_waived"]
