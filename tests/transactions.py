"""A block of test work undone at its end, in which the durable use-cases still run.

The loan use-cases are ``transaction.atomic(durable=True)`` (STYLE.md, ``loans.services``):
inside any other atomic block they raise ``RuntimeError`` instead of committing with the
caller's transaction. Django lets a durable block nest in one place only: the block its
``TestCase`` (and pytest-django's ``db`` fixture) opens around each test, marked
``_from_testcase = True``; there the durable block becomes a savepoint. A test that runs
services and then undoes its work (each hypothesis example on a fresh loan, each fuzzed
request, a module's shared demo data) opens the same kind of block: ``rolled_back()``, not a
bare ``transaction.atomic()`` with ``set_rollback(True)``, which would make every durable
service inside it raise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


def testcase_atomic() -> transaction.Atomic:
    """An atomic block marked as Django's ``TestCase`` marks its own per-test block."""
    block = transaction.atomic()
    block._from_testcase = True
    return block


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the body in a ``testcase_atomic()`` block and roll it back at the end (also when
    the body raises)."""
    with testcase_atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
