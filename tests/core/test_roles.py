from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group

from core.roles import Role, user_roles

role_groups = importlib.import_module("core.migrations.0002_role_groups")
LATER_ROLES = {"collector"}  # core.migrations.0006_collector_role


def test_migrations_create_a_group_for_every_role():
    assert set(role_groups.ROLE_GROUPS) | LATER_ROLES == {role.value for role in Role}


@pytest.mark.django_db
def test_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.django_db
def test_superuser_counts_as_administrator(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="x-Secret-1")
    assert Role.ADMINISTRATOR in user_roles(user)


@pytest.mark.django_db
def test_inactive_user_has_no_role(make_user):
    user = make_user(Role.ACCOUNTANT)
    user.is_active = False
    assert user_roles(user) == frozenset()
