"""Models that changed app keep their tables, rows and permissions: the product catalogue moved
from loans to lending, branches and their staff from loans to core (state-only migrations)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("core", "0008_overdue_stop_scope"),
    ("applications", "0004_identity_corrections"),
    ("loans", "0013_product_rate_without_fixed_ceiling"),
    ("lending", None),
]
AFTER = [
    ("core", "0009_branch_from_loans"),
    ("lending", "0001_initial"),
    ("applications", "0006_branch_to_core"),
    ("loans", "0015_branch_to_core"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.fixture
def migrated_back(transactional_db, reference_data):
    old = _migrate(BEFORE)
    yield old
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _content_type(apps, app_label, model):
    return apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model
    )[0]


def test_branches_staff_and_products_survive_the_move(migrated_back):
    old = migrated_back
    user = old.get_model("auth", "User").objects.create(username="almaty.officer")
    branch = old.get_model("loans", "Branch").objects.create(
        code="almaty", name_kk="Алматы", name_ru="Алматы", name_en="Almaty"
    )
    old.get_model("loans", "BranchStaff").objects.create(user=user, branch=branch)
    product = old.get_model("loans", "Product").objects.create(
        code="almaty-secured",
        name_kk="Кепілді",
        name_ru="Залоговый",
        name_en="Secured",
        min_amount=100_000,
        max_amount=5_000_000,
        min_term_months=3,
        max_term_months=36,
        min_rate=20,
        max_rate=56,
        gesv_cap=56,
        day_count="actual/365",
    )
    for purpose in ("fixed_assets", "working_capital"):
        product.purposes.create(purpose=purpose, max_term_months=24)
    purposes = ["fixed_assets", "working_capital"]
    branch_type = _content_type(old, "loans", "branch")
    product_type = _content_type(old, "loans", "product")
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=product_type, codename="change_product", defaults={"name": "Can change"}
    )[0]
    group = old.get_model("auth", "Group").objects.create(name="catalogue editors")
    group.permissions.add(permission)

    new = _migrate(AFTER)

    moved_branch = new.get_model("core", "Branch").objects.get(pk=branch.pk)
    assert (moved_branch.code, moved_branch.name_en) == ("almaty", "Almaty")
    staff = new.get_model("core", "BranchStaff").objects.get(user_id=user.pk)
    assert staff.branch_id == branch.pk
    moved_product = new.get_model("lending", "Product").objects.get(pk=product.pk)
    assert moved_product.code == "almaty-secured"
    assert sorted(moved_product.purposes.values_list("purpose", flat=True)) == purposes
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert content_types.get(pk=branch_type.pk).app_label == "core"
    assert content_types.get(pk=product_type.pk).app_label == "lending"
    assert not content_types.filter(app_label="loans", model__in=["branch", "product"]).exists()
    regrouped = new.get_model("auth", "Group").objects.get(pk=group.pk)
    assert list(regrouped.permissions.values_list("content_type__app_label", "codename")) == [
        ("lending", "change_product")
    ]
