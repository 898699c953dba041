"""Shared by the fault tests: OS processes on the test database, killed whatever happens."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of another database on the same server)."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or settings['NAME']}"


def child_environment(**extra: str) -> dict[str, str]:
    """The environment of a Django process on the test database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mfo.settings_test",
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "testserver",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and whatever it started (it leads its own process group)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def spawn():
    """``spawn([...], **popen)``: a process in its own group, killed at the end of the test
    whatever happened."""
    started: list[subprocess.Popen] = []

    def start(command: list[str], **options) -> subprocess.Popen:
        options.setdefault("cwd", ROOT)
        options.setdefault("env", child_environment())
        process = subprocess.Popen(command, start_new_session=True, **options)
        started.append(process)
        return process

    yield start
    for process in started:
        kill(process)


def child(spawn, action: str, arguments: dict, database: str | None = None):
    """tests/faults/child.py running ``action``; it waits for ``release``."""
    environment = child_environment(**({"DATABASE_URL": database} if database else {}))
    return spawn(
        [sys.executable, "-m", "tests.faults.child", action, json.dumps(arguments)],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(process: subprocess.Popen, timeout: float = 90) -> None:
    line = process.stdout.readline()
    assert line.strip() == "ready", process.communicate(timeout=timeout)[1]


def release(process: subprocess.Popen) -> None:
    process.stdin.write("go\n")
    process.stdin.flush()


def answer(process: subprocess.Popen, timeout: float = 180) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def race(spawn):
    """``race([("pay", {...}), ...])`` runs each call in its own OS process (tests/faults/child.py),
    all released at once once every one is connected, and returns their JSON answers in order."""

    def run(calls: list[tuple[str, dict]]) -> list[dict]:
        processes = [child(spawn, action, arguments) for action, arguments in calls]
        for process in processes:
            wait_ready(process)
        for process in processes:  # the barrier: all of them are connected and waiting
            release(process)
        return [answer(process) for process in processes]

    return run
