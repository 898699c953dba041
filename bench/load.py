"""Mixed traffic against gunicorn on PostgreSQL, then the read of one loan with 1,000 payments.

    python bench/load.py [--seconds 60] [--users 20] [--workers 4] [--threads 1]
                         [--loans 5000] [--transactions 1000] [--reads 200] [--reuse]
                         [--database-url postgres://postgres@127.0.0.1:5432/mfo_bench_load]
                         [--wait 0.1-0.5] [--keep DIR] [--no-demo] [--heavy-days 690]
                         [--settings mfo.settings]

1. A PostgreSQL database of its own (created and migrated; dropped and made again unless
   --reuse finds it prepared): the demo data (``seed_demo``), N active loans with their
   schedules, ledgers and snapshots copied in by ``bench/seed/portfolio.py``'s seed, and one
   loan of 5,000,000 KZT whose borrower paid about every day for two years: 1,000 payments posted
   through ``payment_post`` (so its ledger holds the accruals and allocations they caused).
2. gunicorn (``mfo.wsgi:application``, N sync workers, or gthread with --threads) on a free
   port of 127.0.0.1 with production settings: DEBUG off, a SECRET_KEY, ALLOWED_HOSTS
   127.0.0.1, the real Redis broker; only SECURE_SSL_REDIRECT is off (plain HTTP on
   loopback; a TLS proxy redirects in production). Static files are collected once.
3. locust, headless, for --seconds with --users users (``bench/load_locustfile.py``): loans
   listed, opened and their schedules read over the API with a token and as pages with a
   session, payments posted (unique Idempotency-Key, today's value date: each must be 201),
   the calculator over the API and as a page. Every answer outside 2xx is a failure.
   Prints requests per second and p50/p95/p99 per kind of request and in total, and the CPU
   the server (gunicorn and its PostgreSQL backends) used per request.
4. The loan with 1,000 payments read --reads times in a row, one request at a time (API
   detail, ledger, payments, schedule; its page), with the SQL queries each request makes,
   counted in this process, beside those of an ordinary loan: the same count means no N+1.

Everything it started is stopped at the end, on Ctrl-C and on error.

The pieces: bench/seed/load_data.py (the database), bench/traffic/ (the users, the processes,
the figures, the reads of one loan), bench/common.py (the database URL, the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_name, load_average, machine, setup_django
from bench.seed.load_data import HEAVY_DAYS, heavy_loan, prepare
from bench.traffic.accounts import load_config, logins
from bench.traffic.figures import load_figures, print_cpu, print_head, print_rows
from bench.traffic.processes import (
    Processes,
    collect_static,
    run_locust,
    server_environment,
    start_gunicorn,
)
from bench.traffic.reads import ordinary_loan, query_counts, single_loan_reads, size

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mfo_bench_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"


def _stop_on_sigterm(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long locust runs")
    parser.add_argument("--users", type=int, default=20, help="simulated users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread workers")
    parser.add_argument("--loans", type=int, default=5_000, help="bench loans besides the demo")
    parser.add_argument("--transactions", type=int, default=1_000, help="the heavy loan's payments")
    parser.add_argument("--heavy-days", type=int, default=HEAVY_DAYS, help="its age, days")
    parser.add_argument("--reads", type=int, default=200, help="sequential reads of that loan")
    parser.add_argument("--wait", default="0.1-0.5", help="think time of a user, seconds: min-max")
    parser.add_argument("--reuse", action="store_true", help="keep the database if prepared")
    parser.add_argument("--no-demo", dest="demo", action="store_false", help="skip seed_demo")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker-url", default=os.environ.get("LOAD_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--settings", default="mfo.settings", help="the server's settings module")
    parser.add_argument("--keep", metavar="DIR", help="keep locust's CSV and the logs there")
    args = parser.parse_args()
    wait = tuple(float(x) for x in args.wait.split("-"))
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    secret_key = secrets.token_urlsafe(48)
    env = server_environment(args, secret_key)
    # This process reads and seeds the same database with the same settings; its test client
    # (the query counts) calls itself "testserver" but asks for 127.0.0.1.
    os.environ.update(
        {k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "SECURE_SSL_REDIRECT")}
    )
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    setup_django(args.database_url)
    from django.db import connection

    from loans.models import Loan

    on = date.today()
    print(f"Load on {database_name(args.database_url)}, {date.today()}: {machine()}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    kind = f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
    print(
        f"  PostgreSQL {postgres}, Python {sys.version.split()[0]}; gunicorn {args.workers} "
        f"{kind}; {args.users} users, think time {args.wait} s, {args.seconds} s; "
        f"load average {load_average()}"
    )
    prepare(args, on)
    heavy = heavy_loan()
    accounts = logins(args.users, secrets.token_urlsafe(12))
    run_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mfo-load-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    results = run_dir / "requests.json"
    config = load_config(on, heavy.pk, accounts, results, wait)
    (run_dir / "config.json").write_text(json.dumps(config))
    active = Loan.objects.filter(status=Loan.Status.ACTIVE).count()
    print(
        f"  portfolio: {active:,} active loans ({len(config['pay_loans']):,} taking payments), "
        f"{Loan.objects.count():,} loans in all"
    )
    collect_static(env)
    connection.close()  # not held open while the server works

    processes = Processes()
    try:
        url = start_gunicorn(processes, args, env, run_dir)
        print(f"  gunicorn up at {url}; locust for {args.seconds} s ...", flush=True)
        server = processes.running[-1].pid
        code, samples = run_locust(processes, args, url, run_dir / "config.json", run_dir, server)
        if not results.exists():
            raise SystemExit(f"locust wrote no results (exit {code}); see {run_dir}/locust.log")
        rows, total, statuses, window = load_figures(results, args.seconds)
        print(f"\nMixed traffic: {window:.1f} s, load average after {load_average()}")
        print_rows(rows, total)
        by_status = ", ".join(f"HTTP {s or 'none'}: {n}" for s, n in sorted(statuses.items()))
        print(
            f"  failures: {total.failures} of {total.count:,} requests"
            + (f" ({by_status})" if by_status else "")
        )
        print_cpu(results, samples)

        payments = heavy.payments.count()
        print(
            f"\nOne loan read {args.reads} times in a row: {heavy.number} ({payments:,} payments)"
        )
        print_head(rate=False)
        single_loan_reads(url, heavy.pk, accounts, args.reads)
    finally:
        processes.stop_all()
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    ordinary = ordinary_loan(heavy.pk, on)
    counts = query_counts(heavy.pk, ordinary.pk, accounts)
    print(f"\nSQL queries per request: {size(heavy)} / {size(ordinary)}")
    for name, heavy_count, ordinary_count in counts:
        print(f"  {name:<28} {heavy_count:>4} / {ordinary_count:<4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
