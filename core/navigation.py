"""A line of a home page's work queue: what an app's queue function returns.

The menu and the queues themselves are assembled by the shell (``shell.navigation``), which
names each app's ``rows(user)`` function; the apps build their rows with ``QueueRow`` only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueueRow:
    """One line of a work queue: what to open, a short description, and whether it is late."""

    label: str
    url: str
    detail: str = ""
    overdue: bool = False
