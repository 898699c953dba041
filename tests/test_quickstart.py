"""The embedded default must not rot: SQLite, eager Celery, demo data, a real dev server."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_quick_start_on_sqlite_migrates_seeds_logs_in_and_serves_home(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DEBUG="on", DJANGO_SETTINGS_MODULE="mfo.settings")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage = [sys.executable, "manage.py"]

    def run(*args: str) -> str:
        result = subprocess.run(
            [*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("migrate", "--noinput")
    seeded = run("seed_demo")
    logins = dict(re.findall(r"^\s+credit_administrator\s+(\S+)\s+(\S+)$", seeded, re.M))
    assert len(logins) == 1
    assert "efg-standard" in seeded
    username, password = next(iter(logins.items()))
    assert "token " in seeded  # the branch system gets an API token, not a password

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_serving(f"{base}/healthz", server)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_page = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"}
        ).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=form)
        request.add_header("Referer", f"{base}/accounts/login/")
        home = opener.open(request)
        assert home.geturl() == f"{base}/"
        html = home.read().decode()
        assert 'data-role="credit_administrator"' in html
        assert opener.open(f"{base}/static/css/app.css").status == 200
        assert opener.open(f"{base}/healthz").read() == (
            b'{"status": "ok", "database": "ok", "broker": "eager"}'
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
