"""The load's figures: per kind of request and in total, the count, failures, rate and exact
percentiles (from locust's records of each request), and the server's CPU per request."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Row:
    name: str
    count: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float
    mean: float


def summarise(times: dict[str, list[float]], failures: dict[str, int], seconds: float):
    rows = []
    everything: list[float] = []
    for name in sorted(times):
        values = sorted(times[name])
        everything.extend(values)
        rows.append(summary_row(name, values, failures.get(name, 0), seconds))
    total = summary_row("Total", sorted(everything), sum(failures.values()), seconds)
    return rows, total


def summary_row(name: str, values: list[float], failures: int, seconds: float) -> Row:
    return Row(
        name=name,
        count=len(values),
        failures=failures,
        per_second=len(values) / seconds if seconds else 0.0,
        p50=percentile(values, 0.50),
        p95=percentile(values, 0.95),
        p99=percentile(values, 0.99),
        mean=sum(values) / len(values) if values else math.nan,
    )


def print_rows(rows: list[Row], total: Row) -> None:
    print_head()
    for row in [*rows, total]:
        print_row(row)


def print_head(*, rate: bool = True) -> None:
    head = f"  {'request':<28} {'count':>7} {'fail':>5} "
    head += f"{'req/s':>7} " if rate else ""
    print(head + f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")


def print_row(row: Row, *, rate: bool = True) -> None:
    line = f"  {row.name:<28} {row.count:>7,} {row.failures:>5} "
    line += f"{row.per_second:>7.1f} " if rate else ""
    print(line + f"{row.p50:>8.1f} {row.p95:>8.1f} {row.p99:>8.1f} {row.mean:>8.1f}", flush=True)


def load_figures(results: Path, seconds: int) -> tuple[list[Row], Row, dict[int, int], float]:
    data = json.loads(results.read_text())
    window = data.get("stopped", 0) - data.get("started", 0)
    window = window if window > 0 else float(seconds)
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    statuses: dict[int, int] = {}
    for name, milliseconds, ok, status, _started in data["records"]:
        times.setdefault(name, []).append(milliseconds)
        if not ok:
            failures[name] = failures.get(name, 0) + 1
            statuses[status] = statuses.get(status, 0) + 1
    rows, total = summarise(times, failures, window)
    return rows, total, statuses, window


def cpu_used(before: dict, after: dict) -> tuple[float, float]:
    """Seconds each side used in between (a backend that closed in between is not counted)."""
    return tuple(
        sum(cpu - before[kind].get(pid, 0.0) for pid, cpu in after[kind].items())
        for kind in ("gunicorn", "postgres")
    )


def print_cpu(results: Path, samples: list[tuple[float, dict]]) -> None:
    """The server's CPU per request once every browser user has logged in (a login costs
    the password hasher's deliberate half second or so, not traffic)."""
    data = json.loads(results.read_text())
    steady = max(data.get("logins", []), default=data.get("started", 0))
    after = [(at, cpu) for at, cpu in samples if at >= steady]
    if len(after) < 2:
        return
    (first, before), (last, end) = after[0], after[-1]
    gunicorn, postgres = cpu_used(before, end)
    count = sum(1 for record in data["records"] if record[4] >= first)
    used = gunicorn + postgres
    print(
        f"  server CPU over the last {last - first:.0f} s: gunicorn {gunicorn:.1f} s, "
        f"PostgreSQL {postgres:.1f} s for {count:,} requests: {1000 * used / max(count, 1):.0f} ms "
        f"a request, {used / (last - first):.2f} CPUs busy"
    )
