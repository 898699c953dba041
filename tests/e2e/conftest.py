"""Browser end-to-end tests: the headless Debian Chromium of the test session (``browser`` in
tests/conftest.py), driven by Playwright against pytest-django's live server
(see ``test_lifecycle.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where the screenshots go: ``$E2E_ARTIFACTS``, else test-artifacts/e2e in the repo."""
    path = Path(os.environ.get("E2E_ARTIFACTS") or REPO_ROOT / "test-artifacts" / "e2e")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def eager_tasks(settings):
    """What a page enqueues (the k1 run) runs in the request, as without a broker."""
    from mfo.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
