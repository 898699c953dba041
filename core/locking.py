"""Every PostgreSQL advisory-lock key of the back office, in one place (as pretix keeps its key
spaces in ``base/services/locking.py``), so two jobs can never pick the same number by chance.

The locks are transaction-scoped (``pg_advisory_xact_lock``): they end with the transaction that
took them. SQLite (the quick start) serialises writers itself, so there they are no-ops.
"""

from __future__ import annotations

from enum import IntEnum

from django.db import connection


class LockKey(IntEnum):
    DAILY_CLOSE = 6001  # one daily close at a time; postings share it
    PRUDENTIAL_RUN = 6002  # one k1 run at a time
    NORMS_RUN = 6003  # one prudential-norms run at a time


def advisory_xact_lock(key: LockKey, *, shared: bool = False) -> None:
    """Wait for the lock ``key`` until the end of the current transaction."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [int(key)])


def try_advisory_xact_lock_shared(key: LockKey) -> bool:
    """Take ``key`` shared if nobody holds or waits for it exclusively; never wait."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [int(key)])
        return bool(cursor.fetchone()[0])
