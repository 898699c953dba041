"""Gunicorn's access and error logs (its own handlers, not LOGGING) carry no personal data:
gunicorn.conf.py logs paths without query strings or referrers, and masks IINs and phones."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IIN = "900101300017"
PHONE = "+77015551234"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float = 60, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, TimeoutError):
        return 0  # not listening yet


@pytest.fixture
def gunicorn(tmp_path):
    """Gunicorn as the Dockerfile starts it, from the repository root (so it reads the config)."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mfo.settings_test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "mfo.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _get(f"http://127.0.0.1:{port}/accounts/login/"):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_the_access_log_has_no_query_string_referrer_or_iin(gunicorn):
    url, log = gunicorn
    assert _get(f"{url}/no-such-page/{IIN}/?q={PHONE.replace('+', '%2B')}") == 404
    assert _get(f"{url}/accounts/login/?next=/{IIN}/", Referer=f"{url}/?q={IIN}") == 200
    time.sleep(0.5)  # the access line is written after the response
    text = log.read_text()
    assert '"GET /no-such-page/**********17/ HTTP/1.1" 404' in text
    assert '"GET /accounts/login/ HTTP/1.1" 200' in text
    assert IIN not in text
    assert "7015551234" not in text
    assert "?q=" not in text
