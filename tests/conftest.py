from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from rest_framework.test import APIClient

from core.branches import ALL_BRANCHES_GROUP
from core.roles import Role

# An applicant, applications at any stage, a complete package: shared by the app test suites.
pytest_plugins = ["tests.fixtures.lending"]


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Messages built outside a request are asserted in English; requests pick their own."""
    with translation.override("en"):
        yield


@pytest.fixture
def make_user(db, django_user_model):
    """``make_user(Role.RISK_MANAGER)`` -> a saved user in that role's group.

    A branch-system user is the head office's integration, with the all-branches grant
    (``create_branch_token --all-branches``), unless ``all_branches=False``: an integration
    with no branch and no grant sees nothing (``core.branches``)."""
    counter = iter(range(1, 10_000))

    def make(
        *roles: Role,
        username: str | None = None,
        password: str = "pw-Secret-123",
        all_branches: bool = True,
    ):
        user = django_user_model.objects.create_user(
            username=username or f"user{next(counter)}", password=password
        )
        names = [role.value for role in roles]
        if Role.BRANCH_SYSTEM in roles and all_branches:
            names.append(ALL_BRANCHES_GROUP)
            Group.objects.get_or_create(name=ALL_BRANCHES_GROUP)
        user.groups.set(Group.objects.filter(name__in=names))
        return user

    return make


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_as(client, make_user):
    """A browser client logged in as a new user of the given role."""

    def login(*roles: Role):
        user = make_user(*roles)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_as(api_client, make_user):
    def login(*roles: Role):
        api_client.force_authenticate(make_user(*roles))
        return api_client

    return login


@pytest.fixture
def reference_data(db):
    """The rows data migrations seed (roles, regulatory values, the head office): a
    transactional test's flush removes them, so the transactional tests seed them again."""
    from django.apps import apps

    class TodaysApps:
        """The registry as the migrations knew it: ``loans.Branch`` now lives in core."""

        @staticmethod
        def get_model(app_label, model_name):
            if (app_label, model_name) == ("loans", "Branch"):
                app_label = "core"
            return apps.get_model(app_label, model_name)

    for module, function in (
        ("core.migrations.0002_role_groups", "create_groups"),
        ("core.migrations.0004_seed_regulatory_values", "seed"),
        ("core.migrations.0006_collector_role", "create_group"),
        ("core.migrations.0007_retention_key", "seed_retention"),
        ("core.migrations.0008_overdue_stop_scope", "seed_overdue_stop_scope"),
        ("loans.migrations.0005_ledger_immutable_head_office", "head_office"),
        ("collateral.migrations.0002_collateral_types", "seed"),  # liquidity coefficients
    ):
        getattr(importlib.import_module(module), function)(TodaysApps, None)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright's sync API: one per test process,
    shared by every browser test (a second sync Playwright in the same thread is refused).
    Missing, the test fails (CI installs it with apt-get): never a skip."""
    import os
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright runs an event loop in the test thread from here on; the ORM calls the tests
    # make around it are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()
