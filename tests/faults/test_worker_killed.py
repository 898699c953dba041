"""A Celery worker killed (SIGKILL) in the middle of the nightly jobs, then a new one started:
the daily close and the k1 run end exactly as an undisturbed run on the same data.

A real worker process (tests/faults/celery_worker.py: ``celery -A mfo worker``, solo pool, its
own queue and Redis key prefix) on the test database runs ``loans.tasks.close_day_task`` over
a month of a seeded portfolio (bench/close_day.py's COPY seed). It is killed once the database
shows some dates closed and not all; the task, acknowledged only when it ends (``acks_late``),
comes back to the next worker after ``CELERY_VISIBILITY_TIMEOUT`` (3 s here). The same for
``prudential.tasks.k1_nightly_task``, killed once its first date's run is stored. A twin
database, copied from the test database right after the seed, runs both jobs in one process
without interruption; every stored row that the jobs write is then compared.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from psycopg import sql
from redis import Redis

from loans.models import DayClose
from prudential.models import K1Run

from .conftest import (
    ROOT,
    answer,
    child,
    child_environment,
    database_url,
    kill,
    release,
    wait_ready,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ON = date(2026, 3, 22)  # the seed is the end of 21 March; the close runs 22-31 March
DAYS = 10
THROUGH = ON + timedelta(days=DAYS - 1)
LOANS = 500
VISIBILITY_TIMEOUT = "3"

# Every table the two jobs write; ids, timestamps and ids of runs are left out of the rows.
TABLES = [
    "loans_loan",
    "loans_installment",
    "loans_ledgerentry",
    "loans_loansnapshot",
    "loans_dayclose",
    "loans_reclosedday",
    "prudential_k1run",
    "prudential_alert",
    "prudential_normsrun",
    "prudential_actionplan",
    "prudential_returnnotice",
    "core_auditevent",
]
VOLATILE = {"id", "at", "run_id", "target_id"}
K1_LOANS = (
    "SELECT r.on, l.loan_id, l.principal, l.interest, l.days_past_due, l.written_off "
    "FROM prudential_k1loan l JOIN prudential_k1run r ON r.id = l.run_id"
)


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("bench_close_day", ROOT / "bench/close_day.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture
def twin_database():
    """``twin()`` copies the test database (nobody may be connected to it) and gives the
    copy's URL; the copy is dropped at the end."""
    source = connection.settings_dict["NAME"]
    name = f"{source}_twin"
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    admin.execute(drop)

    def twin() -> str:
        connection.close()
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(source)
            )
        )
        return database_url(name)

    yield twin
    admin.execute(drop)
    admin.close()


@pytest.fixture
def broker():
    """This test's queue and Redis key prefix, a client app that sends to them, and the keys
    removed at the end."""
    run = uuid.uuid4().hex[:12]
    prefix, queue = f"faults-{run}:", f"faults-{run}"
    sender = Celery(
        "faults", broker=settings.CELERY_BROKER_URL, backend=settings.CELERY_RESULT_BACKEND
    )
    sender.conf.broker_transport_options = {"global_keyprefix": prefix}
    yield SimpleNamespace(prefix=prefix, queue=queue, sender=sender)
    sender.close()
    redis = Redis.from_url(settings.CELERY_BROKER_URL)
    for key in redis.scan_iter(match=f"{prefix}*"):
        redis.delete(key)
    redis.close()


class Workers:
    """Start real workers on the test's queue, one log file for all of them."""

    def __init__(self, spawn, broker, log: Path):
        self.spawn, self.broker, self.log = spawn, broker, log

    def start(self) -> subprocess.Popen:
        with self.log.open("ab") as log:
            return self.spawn(
                [sys.executable, "-m", "tests.faults.celery_worker", self.broker.queue],
                env=child_environment(
                    CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
                    FAULTS_KEY_PREFIX=self.broker.prefix,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def kill_when(self, worker: subprocess.Popen, running, timeout: float = 180) -> None:
        """SIGKILL the worker as soon as ``running()`` (read from the database) is true."""
        deadline = time.monotonic() + timeout
        while not running():
            assert worker.poll() is None, f"the worker ended:\n{self.tail()}"
            assert time.monotonic() < deadline, f"the job never got going:\n{self.tail()}"
            time.sleep(0.02)
        kill(worker)


def _row(row: dict) -> str:
    kept = {k: v for k, v in row.items() if k not in VOLATILE and not k.endswith("_at")}
    return json.dumps(kept, sort_keys=True, default=str)


def stored(url: str) -> dict[str, Counter]:
    """What the jobs leave in a database, row by row, as comparable text."""
    state = {}
    with psycopg.connect(url) as db:
        for table in TABLES:
            query = sql.SQL("SELECT to_jsonb(t) FROM {} t").format(sql.Identifier(table))
            state[table] = Counter(_row(row) for (row,) in db.execute(query))
        state["prudential_k1loan"] = Counter(
            json.dumps(row, default=str) for row in db.execute(K1_LOANS)
        )
    return state


def differences(one: dict[str, Counter], other: dict[str, Counter]) -> dict:
    return {
        table: {
            "only after the kill": list((one[table] - other[table]).elements())[:3],
            "only undisturbed": list((other[table] - one[table]).elements())[:3],
        }
        for table in one
        if one[table] != other[table]
    }


def test_a_worker_killed_during_the_close_and_the_k1_run_ends_as_an_undisturbed_run(
    reference_data, bench, twin_database, broker, spawn, tmp_path
):
    bench.seed(loans=LOANS, on=ON)
    twin = twin_database()
    undisturbed = child(
        spawn,
        "nightly",
        {"close_through": THROUGH.isoformat(), "k1_through": THROUGH.isoformat()},
        database=twin,
    )
    wait_ready(undisturbed)
    release(undisturbed)  # it runs meanwhile, on its own copy
    workers = Workers(spawn, broker, tmp_path / "workers.log")
    seeded = DayClose.objects.count()

    # the close: killed once two dates are closed and before the last one
    first = workers.start()
    close = broker.sender.send_task(
        "loans.tasks.close_day_task", kwargs={"on": THROUGH.isoformat()}, queue=broker.queue
    )
    workers.kill_when(first, lambda: DayClose.objects.count() >= seeded + 2)
    closed_when_killed = DayClose.objects.count() - seeded
    assert closed_when_killed < DAYS, "the close ended before the worker was killed"

    second = workers.start()
    # redelivered: it goes on from the date the kill interrupted (rolled back), none twice
    resumed = close.get(timeout=120)["dates"]
    assert resumed[0] == (ON + timedelta(days=closed_when_killed)).isoformat(), workers.tail()
    assert resumed[-1] == THROUGH.isoformat()
    assert DayClose.objects.count() - seeded == DAYS

    # the k1 run: killed once the first date's run is stored
    k1 = broker.sender.send_task(
        "prudential.tasks.k1_nightly_task", kwargs={"on": THROUGH.isoformat()}, queue=broker.queue
    )
    workers.kill_when(second, lambda: K1Run.objects.exists())
    done_when_killed = K1Run.objects.filter(status=K1Run.Status.DONE).count()

    third = workers.start()
    k1.get(timeout=120)
    kill(third)
    reference = answer(undisturbed, timeout=120)

    assert len(reference["close"]["dates"]) == DAYS
    assert done_when_killed < len(reference["k1"]["runs"]), "k1 ended before the kill"
    assert K1Run.objects.filter(status=K1Run.Status.DONE).count() == len(reference["k1"]["runs"])
    connection.close()
    assert differences(stored(database_url()), stored(twin)) == {}
