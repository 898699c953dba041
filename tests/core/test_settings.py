"""Settings are read from the environment; each case starts a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE, [c for c, _ in s.LANGUAGES], "
    "s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'])"
)


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _OURS}
    clean.update(DJANGO_SETTINGS_MODULE="mfo.settings", **env)
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


_OURS = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests' conftest sets it for Playwright
}


def test_production_mode_refuses_to_start_without_secret_key():
    result = _run([sys.executable, "-c", PROBE], DEBUG="off")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_mode_has_the_embedded_defaults():
    result = _run([sys.executable, "-c", PROBE], DEBUG="on")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "True Asia/Almaty ru ['kk', 'ru', 'en'] True django.db.backends.sqlite3"
    )


def test_a_broker_url_turns_eager_mode_off():
    result = _run([sys.executable, "-c", PROBE], DEBUG="on", CELERY_BROKER_URL="redis://x:6379/0")
    assert result.stdout.split()[-2] == "False"


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="off",
        SECRET_KEY="k" * 20 + "-production-like-secret-with-50-plus-chars-" + "z" * 10,
        ALLOWED_HOSTS="backoffice.example.kz",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
