"""What lets a task survive its worker: acknowledged at the end, redelivered after a timeout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from loans.tasks import close_day_task
from mfo.celery import app
from prudential.tasks import k1_nightly_task, k1_run_task

from .conftest import ROOT, child_environment


@pytest.mark.parametrize("task", [close_day_task, k1_nightly_task, k1_run_task])
def test_the_nightly_tasks_are_acknowledged_only_when_they_end(task):
    assert task.acks_late
    assert app.conf.task_reject_on_worker_lost  # a pool process killed: back on the queue
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_visibility_timeout_comes_from_the_environment(db):
    assert app.conf.broker_transport_options["visibility_timeout"] == 3600
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from mfo.celery import app; "
            "print(app.conf.broker_transport_options['visibility_timeout'])",
        ],
        cwd=ROOT,
        env=child_environment(CELERY_VISIBILITY_TIMEOUT="7"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "7"
