"""The close of a date, set-based (DOMAIN.md §8): what fell due, is late, accrued, and a
snapshot of every loan.

Per chunk of loans a fixed number of queries (the previous day's snapshots, the day's ledger
sums, the instalments that fell due or ran out of grace), each loan's day computed by
``days.close_loan_day`` over the pure ``loans.domain.servicing``, then bulk inserts. A date is
a function of the previous day's snapshot and the ledger, so running it twice posts nothing the
second time, catching up equals running day by day, and a backdated posting is absorbed by
re-running from its date (``reclose_loan``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum

from core.locking import LockKey, advisory_xact_lock
from loans.domain.servicing import Position, ScheduleTotals
from loans.ledger.days import (
    DISBURSED,
    LOAN_FIELDS,
    ONE_DAY,
    SERVICED,
    InForce,
    close_loan_day,
    dates,
    in_force_on,
    keep_waived,
    late_lines,
    restated,
    set_oldest_late,
    turning,
    use_rate_in_force,
    version_of,
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
from loans.selectors import last_closed_date

CHUNK = 5000
ACCELERATION_AFTER_DAYS = 40  # seed 004 ch.7 §1 p.6: the right arises on the 41st day
CLOSE_LOCK = LockKey.DAILY_CLOSE  # the close's advisory-lock key (core.locking)


@dataclass
class CloseResult:
    business_date: date
    loans: int = 0
    entries_posted: int = 0
    dates: list[date] = field(default_factory=list)


def close_lock(*, shared: bool = False) -> None:
    """The daily close of the portfolio takes the lock alone; closing one loan's days (a
    payment, a change) shares it, so postings on different loans never wait for each other
    (the loan's own row lock orders postings on one loan), only for the nightly close."""
    advisory_xact_lock(CLOSE_LOCK, shared=shared)


def close_lock_shared() -> None:
    """For readers of a date's snapshots (the k1 run) that must not see a close half done."""
    close_lock(shared=True)


def dates_to_close(on: date) -> list[date]:
    """The dates a close of ``on`` runs: missed dates before it first; a date already closed
    again together with every later closed date (after a backdated posting)."""
    last = last_closed_date()
    if last is None:
        return [on]
    if on <= last:
        return dates(on, last)
    return dates(last + ONE_DAY, on)


def close_date(day: date, *, by=None) -> CloseResult:
    """Close ``day`` for the whole portfolio and record the run (``DayClose``)."""
    return _close_one(day, by=by)


def repaid_on(day: date) -> list[int]:
    """The loans the held money repaid in full during the night of ``day``: the use-case
    closes them like a paid-off one."""
    return list(
        LoanSnapshot.objects.filter(
            on=day, loan__status__in=SERVICED, principal=0, interest=0, penalty=0
        ).values_list("loan_id", flat=True)
    )


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
    for day in dates(since, last):
        posted += _close_one(day, loan_ids=[loan_id], record=False).entries_posted
    closed = DayClose.objects.filter(business_date__gte=since, business_date__lte=last)
    # insert-only, so concurrent postings never wait on each other for it
    ReclosedDay.objects.bulk_create(
        [ReclosedDay(on=day) for day in closed.values_list("business_date", flat=True)],
        ignore_conflicts=True,
    )
    return posted


def reclose_if_backdated(loan: Loan, value_date: date) -> None:
    """A posting dated on or before the last closed date re-runs those dates for this loan,
    in the same transaction, so its snapshots and accruals never show the stale figures."""
    closed = last_closed_date()
    if closed is not None and value_date <= closed:
        reclose_loan(loan_id=loan.pk, since=value_date)


def bring_loan_up_to(*, loan_id: int, through: date) -> None:
    """Close the loan's own days not yet closed, through ``through`` (a payment's value date),
    so the payment meets the debts of its value date whenever the nightly close runs: the
    night then recomputes the same figures and posts nothing more."""
    latest = (
        LoanSnapshot.objects.filter(loan_id=loan_id).order_by("-on").values_list("on", flat=True)
    ).first()
    first = latest + ONE_DAY if latest else Loan.objects.get(pk=loan_id).disbursed_on
    for day in dates(first, through):
        _close_one(day, loan_ids=[loan_id], record=False)


def _loans_on(day: date):
    return Loan.objects.filter(
        disbursed_on__lte=day,
        status__in=[*SERVICED, Loan.Status.CLOSED],
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))


@transaction.atomic
def _close_one(
    day: date, *, by=None, loan_ids: list[int] | None = None, record: bool = True
) -> CloseResult:
    close_lock(shared=loan_ids is not None)
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
    for earlier in dates(min(missing.values()), day - ONE_DAY):
        _close_one(earlier, loan_ids=list(missing), record=False)


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
        use_rate_in_force(loan, in_force.get(loan["id"]))
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
    turning_by_loan = {
        loan_id: turning(rows, version_of(in_force, loan_id), day)
        for loan_id, rows in lines.items()
    }
    restated_by_loan = _restated_totals(
        day, {loan_id: v.version for loan_id, v in in_force.items() if v.effective_on == day}
    )
    entries: list[LedgerEntry] = []
    snapshots: list[LoanSnapshot] = []
    need_oldest: dict[int, tuple[LoanSnapshot, Position]] = {}
    for loan in loans:
        snapshot, posted, position, lookup = close_loan_day(
            day,
            loan,
            previous.get(loan["id"]),
            moves[loan["id"]],
            turning_by_loan.get(loan["id"], []),
            restated_by_loan.get(loan["id"]),
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


def _versions_in_force(day: date, in_chunk: dict) -> dict[int, InForce]:
    """For the loans of the chunk whose schedule was ever changed, the version they follow
    on ``day`` (the latest that took effect by then): a re-run of an earlier date reads the
    schedule and the rate of that date, never a later one. Other loans follow version 1."""
    versions: dict[int, list[InForce]] = defaultdict(list)
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
        versions[loan_id].append(InForce(version, effective_on, rate))
    return {loan_id: in_force_on(rows, day) for loan_id, rows in versions.items()}


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
    return {loan_id: restated(rows, versions[loan_id], day) for loan_id, rows in lines.items()}


def _find_oldest_late(
    day: date, pending: dict[int, tuple[LoanSnapshot, Position]], in_force: dict[int, InForce]
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
        late = late_lines(lines[loan_id], version_of(in_force, loan_id), day)
        set_oldest_late(snapshot, position, late, day)


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
    keep_waived(day, loans)
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
