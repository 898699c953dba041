"""How many annuity schedules with their GESV the domain code computes per second.

    python bench/calc.py [seconds-per-case]

Pure Python, no Django: builds a schedule and solves its GESV, over and over, for a few
seconds per case, with amounts varied so no two solves are the same.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lending.domain.daycount import DayCount
from lending.domain.gesv import gesv_of_schedule
from lending.domain.schedule import LoanTerms, Method, build_schedule

CASES = [
    ("36 instalments", 36, DayCount.ACTUAL_360, Decimal("24")),
    ("360 instalments", 360, DayCount.ACTUAL_365, Decimal("12")),
]


def terms(index: int, months: int, day_count: DayCount, rate: Decimal) -> LoanTerms:
    return LoanTerms(
        amount=Decimal(1_000_000 + 137 * index),
        annual_rate=rate,
        term_months=months,
        method=Method.ANNUITY,
        day_count=day_count,
        disbursement_date=date(2025, 1, 1 + index % 28),
    )


def run(months: int, day_count: DayCount, rate: Decimal, seconds: float) -> dict[str, float]:
    schedule_times, gesv_times = [], []
    deadline = time.perf_counter() + seconds
    index = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        schedule = build_schedule(terms(index, months, day_count, rate))
        built = time.perf_counter()
        gesv_of_schedule(schedule)
        solved = time.perf_counter()
        schedule_times.append(built - started)
        gesv_times.append(solved - built)
        index += 1
    total = sum(schedule_times) + sum(gesv_times)
    return {
        "count": index,
        "per_second": index / total,
        "schedule_ms": statistics.median(schedule_times) * 1000,
        "gesv_ms": statistics.median(gesv_times) * 1000,
        "gesv_max_ms": max(gesv_times) * 1000,
    }


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    print(f"Annuity schedule + GESV, {seconds:g} s per case (medians per loan)")
    for label, months, day_count, rate in CASES:
        result = run(months, day_count, rate, seconds)
        print(
            f"{label:>16}: {result['per_second']:8.1f} loans/s   "
            f"schedule {result['schedule_ms']:6.2f} ms   GESV {result['gesv_ms']:6.2f} ms "
            f"(max {result['gesv_max_ms']:.2f} ms, {result['count']} loans)"
        )


if __name__ == "__main__":
    main()
