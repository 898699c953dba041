"""The load benchmark runs end to end: a few seconds, two users, a handful of loans.

It seeds the test database in place (the test's flush empties it again), starts gunicorn and
locust, and must print its figures with no failed request. Timings are not asserted: this
machine is shared.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_load_bench_prints_its_figures_without_failures(reference_data):
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    connection.close()
    command = [
        sys.executable,
        "bench/load.py",
        "--database-url",
        url,
        "--settings",
        "mfo.settings_test",  # no collected static files, a fast password hasher
        "--no-demo",
        "--loans",
        "30",
        "--transactions",
        "6",
        "--heavy-days",
        "20",
        "--seconds",
        "6",
        "--users",
        "2",
        "--workers",
        "1",
        "--reads",
        "2",
    ]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout

    assert re.search(r"failures: 0 of [1-9][\d,]* requests", out), out
    total = re.search(r"^  Total +([\d,]+) +0 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$", out, re.M)
    assert total, out
    # both kinds of user got through: a token on the API, a session on the pages
    assert re.search(r"^  API \w", out, re.M) and re.search(r"^  Page \w", out, re.M), out
    # the single-loan reads, each answered 200 every time
    reads = out.split("One loan read 2 times in a row:")[1]
    for name in ("API loan detail", "API ledger, 500 a page", "Page loan (whole ledger)"):
        assert re.search(rf"^  {re.escape(name)} +2 +0 ", reads, re.M), reads
    # and the query counts of the loan with 6 payments beside those of an ordinary loan
    counts = out.split("SQL queries per request:")[1]
    assert re.search(r"\(6 payments", counts), counts
    assert re.search(r"^  Page loan \(whole ledger\) +\d+ / \d+", counts, re.M), counts
