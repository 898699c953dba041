"""The k1 benchmark on a small seed in the test database: its run and its SQL agree."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from loans.models import DayClose

BENCH = Path(__file__).resolve().parents[2] / "bench"
ON = date(2026, 3, 2)


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_prudential", BENCH / "prudential.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]
    sys.path.remove(str(BENCH))


def test_the_run_gives_the_plain_aggregates_share(bench, db):
    bench.seeding.seed(loans=300, on=ON)
    on = ON - timedelta(days=1)
    assert DayClose.objects.filter(business_date=on).exists()

    timing = bench.timed_run(on)

    assert timing.loans == 300
    assert timing.mm90_loans > 0  # the seed has borrowers who stopped paying
    assert timing.run_share == timing.sql_share > 0
