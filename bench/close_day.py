"""How fast the daily close (loans/services/closing.py) runs over a large portfolio.

    python bench/close_day.py [--loans 100000] [--days 1] [--date YYYY-MM-DD]
                              [--database-url postgres://postgres@127.0.0.1:5432/mfo_bench]
                              [--reuse] [--commit]

Against a dedicated PostgreSQL database (created and migrated when missing; its loans are
replaced at every seeding), it seeds with COPY, in batches, N active 24-month annuity loans
disbursed over the two years before the benchmark date D, as the services and the nightly
close would have left them at the end of D - 1: the instalments, the ledger (disbursement,
interest on the due dates, repayments, the late payers' penalty and overdue interest, those
summed per stretch of days) and each loan's snapshot of D - 1, computed with the same pure
domain functions as the close. Borrowers: 85 % pay on the due date, 8 % 1-30 days late,
4 % 31-90 days late, 3 % stopped paying. The repayments of D itself are posted too, as the
desk would have before the night's run (each closing its loan's day first, as payment_post
does). The seed is bench/seed/portfolio.py.

Then it times ``close_day(on=D)`` (and the next dates with --days) and a re-run of the last
date, which posts nothing. The closes run in one transaction that is rolled back at the end
(the deferred foreign-key checks are forced inside the timing), so that the same seed can be
timed again with --reuse; --commit keeps what they posted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, transaction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_URL, cpu_seconds, format_seconds, load_average, setup_django
from bench.seed.portfolio import describe_mix, seed, seeded_already, vacuum


@dataclass
class Timed:
    on: date
    seconds: float
    loans: int
    entries_posted: int
    sql_seconds: float
    queries: int
    python_cpu: float  # this process
    database_cpu: float | None  # the PostgreSQL backend serving it, when it runs on this host

    @property
    def per_second(self) -> float:
        return self.loans / self.seconds if self.seconds else 0.0


def timed_close(on: date) -> Timed:
    """``close_day(on=...)``, with the deferred constraint checks it triggers, timed."""
    from loans.services import close_day

    sql = {"seconds": 0.0, "queries": 0}

    def measure(execute, query, params, many, context):
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - started
            sql["queries"] += 1

    backend = _backend_cpu()
    database_cpu, python_cpu = backend(), time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(measure):
        result = close_day(on=on)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks a commit would run
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    seconds = time.perf_counter() - started
    after = backend()
    return Timed(
        on=on,
        seconds=seconds,
        loans=result.loans,
        entries_posted=result.entries_posted,
        sql_seconds=sql["seconds"],
        queries=sql["queries"],
        python_cpu=time.process_time() - python_cpu,
        database_cpu=None if after is None else after - database_cpu,
    )


def _backend_cpu():
    """A function giving the CPU seconds of this connection's PostgreSQL backend, or None:
    on a busy machine the wall-clock time says more about the neighbours than about the close."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return lambda: cpu_seconds(pid)


def run_closes(on: date, days: int, *, commit: bool = False) -> list[Timed]:
    """Close ``on`` and the next ``days`` - 1 dates, then re-run the last one."""
    runs = []
    with transaction.atomic():
        for offset in range(days):
            runs.append(timed_close(on + timedelta(days=offset)))
        runs.append(timed_close(on + timedelta(days=days - 1)))
        if not commit:
            transaction.set_rollback(True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=1, help="consecutive dates to close")
    parser.add_argument("--date", type=date.fromisoformat, default=date.today())
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="time the existing seed if it fits")
    parser.add_argument("--commit", action="store_true", help="keep what the closes post")
    args = parser.parse_args()
    setup_django(args.database_url)

    print(f"Daily close of {args.date}, {args.loans:,} loans ({describe_mix()})")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load_average()}")
    if args.reuse and seeded_already(args.loans, args.date):
        vacuum()
        print("  seed: reused")
    else:
        seeded = seed(loans=args.loans, on=args.date)
        print(
            f"  seeded in {seeded.seconds:.1f} s: {seeded.installments:,} instalments, "
            f"{seeded.entries:,} ledger entries ({seeded.entries_on_close_date:,} on "
            f"{args.date}), {seeded.snapshots:,} snapshots, {seeded.late_loans:,} loans late"
        )
    runs = run_closes(args.date, args.days, commit=args.commit)
    print(f"  load average after: {load_average()}")
    for number, run in enumerate(runs):
        label = "re-run" if number == len(runs) - 1 else "close"
        print(
            f"  {label:>6} {run.on}: {run.seconds:7.1f} s  {run.per_second:7.0f} loans/s  "
            f"{run.loans:,} loans  {run.entries_posted:,} entries posted  "
            f"(SQL {run.sql_seconds:.1f} s in {run.queries:,} queries; CPU: Python "
            f"{run.python_cpu:.1f} s, PostgreSQL {format_seconds(run.database_cpu)})"
        )


if __name__ == "__main__":
    main()
