"""The database restarted under load: requests fail cleanly (503) and recover by themselves.

The machine's PostgreSQL is shared with other test runs, so only the test database "restarts":
from an admin connection it stops taking connections and its sessions are terminated, then it
takes them again. Meanwhile threads keep asking a live server for a page and for the API.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from psycopg import sql
from rest_framework.authtoken.models import Token

from core.roles import Role
from loans.models import Loan

from .conftest import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGE, API = "/loans/portfolio/", "/api/v1/loans/"
THREADS = 4


@dataclass
class Answer:
    phase: str  # when the request started: before, outage, restoring, after
    path: str
    status: int
    content_type: str
    retry_after: str | None
    body: str


class Load:
    """Threads asking for the page and the API in turn until stopped."""

    def __init__(self, base: str, headers: dict[str, dict[str, str]]):
        self.base, self.headers = base, headers
        self.phase = "before"
        self.answers: list[Answer] = []
        self.failures: list[str] = []  # no answer at all (a reset connection, a timeout)
        self.in_flight: Counter = Counter()  # requests under way, by the phase they started in
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(THREADS)]

    def _run(self) -> None:
        paths = [PAGE, API]
        turn = 0
        while not self.stop.is_set():
            path = paths[turn % 2]
            turn += 1
            with self.lock:
                phase = self.phase
                self.in_flight[phase] += 1
            try:
                answer = self._ask(phase, path)
            finally:
                with self.lock:
                    self.in_flight[phase] -= 1
            if answer is not None:
                with self.lock:
                    self.answers.append(answer)
            time.sleep(0.02)

    def _ask(self, phase: str, path: str) -> Answer | None:
        request = urllib.request.Request(self.base + path, headers=self.headers[path])
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return Answer(
                    phase,
                    path,
                    response.status,
                    response.headers["Content-Type"],
                    response.headers["Retry-After"],
                    response.read().decode(),
                )
        except urllib.error.HTTPError as error:
            return Answer(
                phase,
                path,
                error.code,
                error.headers["Content-Type"],
                error.headers["Retry-After"],
                error.read().decode(),
            )
        except OSError as error:
            with self.lock:
                self.failures.append(f"{phase} {path}: {error!r}")
            return None

    def drain(self, phase: str, timeout: float = 60) -> None:
        """Wait until no request that started in ``phase`` is still under way."""
        deadline = time.monotonic() + timeout
        while self.in_flight[phase] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.in_flight[phase]

    def count(self, phase: str, status: int, path: str) -> int:
        with self.lock:
            return sum(
                a.phase == phase and a.status == status and a.path == path for a in self.answers
            )

    def wait_for(self, phase: str, status: int, at_least: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.count(phase, status, path) >= at_least for path in (PAGE, API)):
                return
            time.sleep(0.05)
        raise AssertionError(f"not {at_least} × {status} during {phase}: {self.answers[-10:]}")


@pytest.fixture
def admin_connection():
    """A connection to the server's maintenance database, and the test database's name; the
    test database takes connections again at the end whatever happened."""
    name = connection.settings_dict["NAME"]
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    yield admin, name
    admin.execute(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))
    )
    admin.close()
    connection.close()  # this process's own session was terminated too: reconnect for teardown


def _outage(admin, name: str) -> None:
    admin.execute(
        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name))
    )
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )


def test_requests_during_a_database_outage_get_a_clean_503_and_succeed_after_it(
    reference_data, live_server, make_user, client, admin_connection
):
    admin, name = admin_connection
    user = make_user(Role.ACCOUNTANT)
    token = Token.objects.create(user=user).key
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    headers = {
        PAGE: {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "Accept-Language": "en"},
        API: {"Authorization": f"Token {token}", "Accept-Language": "en"},
    }
    load = Load(live_server.url, headers)
    for thread in load.threads:
        thread.start()
    try:
        load.wait_for("before", 200, at_least=2)
        _outage(admin, name)
        load.phase = "outage"
        load.wait_for("outage", 503, at_least=3)
        load.phase = "restoring"  # a request started from now on may meet either
        load.drain("outage")  # those that started during the outage meet only the outage
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name))
        )
        load.phase = "after"
        load.wait_for("after", 200, at_least=3)
    finally:
        load.stop.set()
        for thread in load.threads:
            thread.join(timeout=30)

    assert load.failures == []
    # whatever the moment, an answer is the page or a clean refusal: never a 500
    assert {a.status for a in load.answers} == {200, 503}, Counter(
        (a.phase, a.path, a.status) for a in load.answers
    )
    # a request that started while the database refused connections could only be refused
    assert {a.status for a in load.answers if a.phase == "outage"} == {503}
    # once it is back, every request that started after it succeeds
    assert {a.status for a in load.answers if a.phase == "after"} == {200}
    for answer in (a for a in load.answers if a.status == 503):
        assert answer.retry_after == "30"
        assert "Traceback" not in answer.body
        if answer.path == API:
            assert answer.content_type == "application/json"
            assert json.loads(answer.body) == {
                "detail": "The service is temporarily unavailable. Please try again in a minute.",
                "code": "database_unavailable",
                "errors": {},
            }
        else:
            assert answer.content_type.startswith("text/html")
            assert "Temporarily unavailable" in answer.body
            assert len(answer.body) < 1000

    # a connection kept from before the outage (CONN_MAX_AGE) is dropped at the next request's
    # start (CONN_HEALTH_CHECKS) and the request connects again
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert not connection.is_usable()  # terminated with the others
    close_old_connections()
    assert Loan.objects.count() == 0
