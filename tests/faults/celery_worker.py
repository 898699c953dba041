"""A real Celery worker for the fault tests: ``python -m tests.faults.celery_worker <queue>``.

The same as ``celery -A mfo worker -P solo -Q <queue>`` (settings from the environment, the
test database in ``DATABASE_URL``, ``CELERY_VISIBILITY_TIMEOUT`` a few seconds), with two
broker options for the test: the Redis keys carry ``FAULTS_KEY_PREFIX``, so that this test's
unacknowledged messages are its own (other runs share Redis database 15), and the worker looks
for messages to redeliver every second instead of every 100.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    queue = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mfo.settings_test")
    import django

    django.setup()
    from mfo.celery import app

    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "global_keyprefix": os.environ["FAULTS_KEY_PREFIX"],
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            f"--queues={queue}",
            f"--hostname=faults-{queue}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    main()
