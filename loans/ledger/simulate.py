"""Reads that simulate the close: a loan's figures at the end of any date from its last closed
day on, computed in memory by the close's own per-loan-day function, nothing written."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from core.errors import ConflictError
from core.locking import try_advisory_xact_lock_shared
from core.money import ZERO
from loans.domain.servicing import Position, ScheduleTotals
from loans.ledger.close import CLOSE_LOCK
from loans.ledger.days import (
    DISBURSED,
    LOAN_FIELDS,
    ONE_DAY,
    InForce,
    close_loan_day,
    dates,
    in_force_on,
    keep_waived_in,
    late_lines,
    restated,
    set_oldest_late,
    turning,
    use_rate_in_force,
)
from loans.models import Installment, LedgerEntry, Loan, LoanSnapshot, ScheduleVersion
from loans.selectors import schedule_totals_of


@contextmanager
def close_read():
    """For a read that simulates the close (a quote, a preview): it must never make a posting
    wait. It takes the close's lock only SHARED, as postings do, and only if free at once
    (PostgreSQL also refuses it while the nightly close waits for its turn), so a running
    close answers ``close_running`` instead of waiting. In its own transaction it reads
    at REPEATABLE READ, so its few queries see one state of the loan."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:  # must be the transaction's first statement
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if not try_advisory_xact_lock_shared(CLOSE_LOCK):
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
    (``days.close_loan_day``), so they are the close's to the tiyn; nothing is written. A fixed
    number of queries whatever the date: the loan, its latest snapshot, its instalments of
    every version, its schedule versions, and the ledger dated after the snapshot."""
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
    if loan["schedule_version"] > DISBURSED:  # as the close's ``_versions_in_force`` reads them
        versions = [
            InForce(*row)
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
    for day in dates(first, through):
        in_force = in_force_on(versions, day)
        version = in_force.version if in_force else DISBURSED
        on_day = dict(loan)
        use_rate_in_force(on_day, in_force)
        totals_restated = None
        if in_force is not None and in_force.effective_on == day:
            totals_restated = restated(lines, version, day)
        snapshot, _entries, position, lookup = close_loan_day(
            day, on_day, before, moves[day], turning(lines, version, day), totals_restated
        )
        if lookup:
            set_oldest_late(snapshot, position, late_lines(lines, version, day), day)
        before = _as_stored(snapshot)
        keep_waived_in(lines, day, before)
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
