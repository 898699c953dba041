"""Celery through the real Redis broker and a real worker started here (not eager)."""

from __future__ import annotations

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from core.tasks import ping
from mfo.celery import app


@pytest.mark.slow
def test_task_round_trip_through_redis_and_a_worker():
    assert not app.conf.task_always_eager
    assert app.conf.broker_url.startswith("redis://")
    token = uuid.uuid4().hex
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay(token)
        assert result.get(timeout=20) == token
        assert result.status == "SUCCESS"


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks
