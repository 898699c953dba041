"""The world the API fuzzer hits: the demo data, and one user with a DRF token per role.

Seeding the demo takes seconds, so it is done once per test module (per xdist worker) inside
an outer transaction that is rolled back at the end: each test's own transaction (pytest-django's
``db``) nests in it as a savepoint, and each fuzzed request in a savepoint of its own.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from applications.models import Applicant, Application
from collateral.models import CollateralItem
from core.branches import ALL_BRANCHES_GROUP
from core.models import AuditEvent
from core.roles import Role
from loans.models import Loan, Restructuring
from prudential.models import ActionPlan, Alert, K1Run, ReturnNotice
from tests.transactions import rolled_back

# Which table a path's ``{id}`` names, by the path's prefix (the longest prefix wins).
ID_SOURCES = {
    "/api/v1/applicants/": Applicant,
    "/api/v1/applications/": Application,
    "/api/v1/audit-events/": AuditEvent,
    "/api/v1/collateral/items/": CollateralItem,
    "/api/v1/loans/": Loan,
    "/api/v1/prudential/action-plans/": ActionPlan,
    "/api/v1/prudential/alerts/": Alert,
    "/api/v1/prudential/return-notices/": ReturnNotice,
    "/api/v1/restructurings/": Restructuring,
}


@dataclass
class FuzzWorld:
    tokens: dict[Role, str]
    ids: dict[str, list[str]]
    k1_dates: list[str]
    payments: dict[str, list[str]]
    versions: dict[str, list[int]]
    _turns: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[role]}"}

    def real_path_parameters(
        self, role: Role | str, path: str, generated: dict, *, keep_generated: bool = True
    ) -> dict:
        """The generated path parameters with seeded ids in their place.

        Successive cases of an operation walk through every seeded object (every loan state,
        every application stage); one case in eight keeps the generated id, to see the 404s.
        """
        seed = zlib.crc32(repr(sorted(generated.items())).encode())
        if keep_generated and seed % 8 == 0:
            return generated
        turn = self._turns[role, path]
        self._turns[role, path] += 1
        chosen = dict(generated)
        if "id" in chosen:
            prefix = max((p for p in ID_SOURCES if path.startswith(p)), key=len, default=None)
            ids = self.ids.get(prefix, [])
            if ids:
                chosen["id"] = _typed(ids[turn % len(ids)], generated["id"])
        if "date" in chosen and self.k1_dates:
            chosen["date"] = self.k1_dates[turn % len(self.k1_dates)]
        loan = str(chosen.get("id"))
        if "payment_id" in chosen and self.payments.get(loan):
            chosen["payment_id"] = self.payments[loan][seed % len(self.payments[loan])]
        if "version" in chosen and self.versions.get(loan):
            chosen["version"] = _typed(
                self.versions[loan][seed % len(self.versions[loan])], generated["version"]
            )
        return chosen

    def first_path_parameters(self, path: str, parameters) -> dict:
        """A seeded object for each path parameter of the operation."""
        generated = {parameter.name: "1" for parameter in parameters}
        self._turns.pop(("first", path), None)
        return self.real_path_parameters("first", path, generated, keep_generated=False)


def _typed(value, like):
    return int(value) if isinstance(like, int) and not isinstance(like, bool) else str(value)


def _build_world() -> FuzzWorld:
    call_command("seed_demo", stdout=StringIO())
    User = get_user_model()
    tokens = {}
    for role in Role:
        user = User.objects.create_user(username=f"fuzz.{role.value}", password=None)
        user.groups.set([Group.objects.get(name=role.value)])
        if role == Role.BRANCH_SYSTEM:  # the head office's integration: reaches the seeded files
            user.groups.add(Group.objects.get_or_create(name=ALL_BRANCHES_GROUP)[0])
        tokens[role] = Token.objects.create(user=user).key
    ids = {
        prefix: [str(pk) for pk in model.objects.order_by("pk").values_list("pk", flat=True)]
        for prefix, model in ID_SOURCES.items()
    }
    payments: dict[str, list[str]] = defaultdict(list)
    versions: dict[str, list[int]] = defaultdict(list)
    for loan in Loan.objects.prefetch_related("payments", "schedule_versions"):
        payments[str(loan.pk)] = [str(p.pk) for p in loan.payments.order_by("pk")]
        versions[str(loan.pk)] = sorted(v.version for v in loan.schedule_versions.all())
    k1_dates = [d.isoformat() for d in K1Run.objects.order_by("on").values_list("on", flat=True)]
    return FuzzWorld(
        tokens=tokens, ids=ids, k1_dates=k1_dates, payments=payments, versions=versions
    )


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The demo data and the users, in a transaction rolled back after the module (one the
    durable loan services may run in: ``tests.transactions``)."""
    outer = rolled_back()
    with django_db_blocker.unblock():
        outer.__enter__()
        world = _build_world()
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            outer.__exit__(None, None, None)


@pytest.fixture
def wsgi_in_test_transaction(settings):
    """Requests through the WSGI handler keep the test's connection and transaction.

    Django's handler closes "old" connections when a request starts and ends; inside a test's
    transaction that would end it (Django's own test client disconnects the same receivers).
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def pytest_collection_modifyitems(config, items):
    """Fuzz only the roles an operation lets in: the others have their own one-request test
    (``test_role_without_access_is_refused``)."""
    kept = []
    for item in items:
        label = getattr(item, "operation_label", None)
        callspec = getattr(item, "callspec", None)
        access = getattr(item.module, "ACCESS", None) if label and callspec else None
        if access is not None and callspec.params.get("role") not in access[label]:
            continue
        kept.append(item)
    items[:] = kept
