"""How fast the nightly k1 run (prudential/services.k1_run) is over a large portfolio.

    python bench/prudential.py [--loans 100000] [--date YYYY-MM-DD]
                               [--database-url postgres://postgres@127.0.0.1:5432/mfo_bench]
                               [--reuse]

It seeds the portfolio the way bench/close_day.py does (bench/seed/portfolio.py: N loans with
their instalments, ledger and the snapshot of D - 1; --reuse keeps an existing seed of the same
size and date), then times ``k1_run(on=D - 1)`` next to one plain SQL aggregate over the same
snapshots that computes the same share: their ratio shows how close the run is to the
database's own speed (the run also copies the loans behind MM90, writes its warnings and the
audit event). Both run in a transaction rolled back afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_URL, ONE_DAY, setup_django
from bench.seed import portfolio as seeding  # the close benchmark's portfolio

PLAIN_SQL = """
SELECT SUM(principal + interest + accrued_interest) FILTER (WHERE days_past_due > 90),
       SUM(principal + interest + accrued_interest),
       COUNT(*)
FROM loans_loansnapshot WHERE "on" = %s
"""


@dataclass(frozen=True)
class Timing:
    on: date
    loans: int
    run_seconds: float
    sql_seconds: float
    run_share: Decimal
    sql_share: Decimal
    mm90_loans: int


def timed_run(on: date) -> Timing:
    """k1 for ``on`` and the plain aggregate, timed, in a transaction rolled back."""
    from django.db import connection, transaction

    from prudential.models import K1Loan
    from prudential.services import k1_run

    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(PLAIN_SQL, [on])
            mm90, portfolio, loans = cursor.fetchone()
        sql_seconds = time.perf_counter() - started
        started = time.perf_counter()
        run = k1_run(on=on)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks a commit would run
        run_seconds = time.perf_counter() - started
        timing = Timing(
            on=on,
            loans=loans,
            run_seconds=run_seconds,
            sql_seconds=sql_seconds,
            run_share=run.share,
            sql_share=round((mm90 or 0) * 100 / portfolio, 8) if portfolio else Decimal(0),
            mm90_loans=K1Loan.objects.filter(run=run).count(),
        )
        transaction.set_rollback(True)
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--date", type=date.fromisoformat, default=date.today())
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="time the existing seed if it fits")
    args = parser.parse_args()
    setup_django(args.database_url)
    on = args.date - ONE_DAY
    print(f"k1 run of {on}, {args.loans:,} loans")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if args.reuse and seeding.seeded_already(args.loans, args.date):
        seeding.vacuum()
        print("  seed: reused")
    else:
        seeded = seeding.seed(loans=args.loans, on=args.date)
        seeding.vacuum()
        print(f"  seeded in {seeded.seconds:.1f} s, {seeded.late_loans:,} loans late")
    timing = timed_run(on)
    ratio = timing.run_seconds / timing.sql_seconds if timing.sql_seconds else float("nan")
    print(
        f"  k1 run:    {timing.run_seconds:7.2f} s  share {timing.run_share:.4f} %  "
        f"{timing.mm90_loans:,} loans in MM90"
    )
    print(f"  plain SQL: {timing.sql_seconds:7.2f} s  share {timing.sql_share:.4f} %")
    print(f"  ratio run / SQL: {ratio:.1f}")


if __name__ == "__main__":
    main()
