"""Run code in a fresh interpreter on ``mfo.settings`` as production configures it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# what the test run sets that production would not: dropped before the child starts
TEST_ONLY = {
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
    "CELERY_BROKER_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_probe(code: str, tmp_path: Path, **env: str) -> dict:
    """Run ``python -c code`` with DEBUG off, a secret key and an SQLite file in ``tmp_path``;
    ``code`` prints a JSON object on its last line, which is returned."""
    child = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    child.update(
        DJANGO_SETTINGS_MODULE="mfo.settings",
        SECRET_KEY="p" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
