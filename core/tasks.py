from __future__ import annotations

from celery import shared_task


@shared_task
def ping(echo: str = "beat") -> str:
    """Echoes its argument: proves that the broker and a worker are alive."""
    return echo
