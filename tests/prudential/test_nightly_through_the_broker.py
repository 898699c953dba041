"""The beat's k1 entry, sent through the real Redis broker to a real worker (not eager)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from loans.models import DayClose
from mfo.celery import app
from prudential.models import K1Run


@pytest.mark.slow
def test_the_nightly_k1_entry_runs_through_the_broker(transactional_db, reference_data):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "k1_nightly" in e["task"]]
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    DayClose.objects.create(business_date=friday)
    DayClose.objects.create(business_date=saturday)  # not a business day, not a month end
    queue = f"k1-{uuid.uuid4().hex}"  # this test's own queue: parallel runs share the broker
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
        ):
            result = app.send_task(entry["task"], kwargs={"on": saturday.isoformat()}, queue=queue)
            assert result.get(timeout=30) == {
                "runs": [friday.isoformat()],
                "norms": [],  # no monthly figures entered yet
                "failed": [],
                "deadlines_missed": 0,
            }
    finally:
        # a worker's queue selection is kept on the app: later workers would consume only it
        app.amqp.queues._consume_from = None
    assert list(K1Run.objects.values_list("on", "status")) == [(friday, "done")]
