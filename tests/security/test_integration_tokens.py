"""Integration tokens are scoped (issue 15, item 4): ``create_branch_token`` names one branch or,
for the head office's own integration, grants all branches on the audit's record; an integration
account with neither sees nothing (its reads against two branches: ``test_branch_scope.py``)."""

from __future__ import annotations

import getpass

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from core.branches import ALL_BRANCHES_GROUP, sees_every_branch, user_branch
from core.models import AuditEvent, Branch, BranchStaff
from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def north() -> Branch:
    return Branch.objects.create(
        code="north", name_kk="Солтүстік", name_ru="Север", name_en="North"
    )


def issue(capsys, *args, **options) -> str:
    call_command("create_branch_token", *args, **options)
    return capsys.readouterr().out.strip()


def integration(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_a_token_needs_a_branch_or_the_all_branches_grant(capsys):
    with pytest.raises(CommandError, match="--branch --all-branches"):
        call_command("create_branch_token", "branch-almaty")
    with pytest.raises(CommandError, match="not allowed with"):
        call_command("create_branch_token", "branch-almaty", "--branch", "north", "--all-branches")
    assert not Token.objects.exists()


def test_an_unknown_branch_is_refused_and_nothing_is_created(north):
    with pytest.raises(CommandError, match="There is no branch 'south'"):
        call_command("create_branch_token", "branch-south", branch="south")
    with pytest.raises(CommandError, match="There is no branch '999999'"):
        call_command("create_branch_token", "branch-south", branch="999999")
    assert not Token.objects.exists()
    assert not BranchStaff.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("reference", ["code", "id"])
def test_a_branch_token_works_at_its_branch_only(capsys, north, reference):
    key = issue(capsys, "branch-north", branch=north.code if reference == "code" else str(north.pk))

    user = integration("branch-north")
    assert Token.objects.get(user=user).key == key
    assert user_branch(user) == north
    assert not user.groups.filter(name=ALL_BRANCHES_GROUP).exists()
    scope = AuditEvent.objects.get(action="api.integration_scope_set")
    assert scope.data == {"operator": getpass.getuser(), "from": "none", "to": "branch:north"}


def test_the_all_branches_grant_is_recorded_with_who_gave_it(capsys, monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "ops-aigul")
    key = issue(capsys, "head-office-erp", "--all-branches")

    user = integration("head-office-erp")
    assert Token.objects.get(user=user).key == key
    assert sees_every_branch(user)
    scope = AuditEvent.objects.get(action="api.integration_scope_set")
    assert scope.target_id == str(user.pk)
    assert scope.data == {"operator": "ops-aigul", "from": "none", "to": "all_branches"}
    issued = AuditEvent.objects.get(action="api.token_issued")
    assert issued.data == {"operator": "ops-aigul", "scope": "all_branches"}


def test_without_an_os_account_the_operator_is_the_system(capsys, monkeypatch):
    def no_account():
        raise OSError("no username")

    monkeypatch.setattr(getpass, "getuser", no_account)
    issue(capsys, "head-office-erp", "--all-branches")
    assert AuditEvent.objects.get(action="api.token_issued").data["operator"] == "system"


def test_rescoping_an_integration_drops_its_former_scope_on_the_record(capsys, north):
    key = issue(capsys, "erp", "--all-branches")
    assert issue(capsys, "erp", branch="north") == key  # the same token, now at one branch

    user = integration("erp")
    assert user_branch(user) == north
    assert not user.groups.filter(name=ALL_BRANCHES_GROUP).exists()
    assert issue(capsys, "erp", "--all-branches", "--rotate") != key
    user = integration("erp")
    assert user_branch(user) is None
    assert sees_every_branch(user)
    changes = AuditEvent.objects.filter(action="api.integration_scope_set").order_by("id")
    assert [(e.data["from"], e.data["to"]) for e in changes] == [
        ("none", "all_branches"),
        ("all_branches", "branch:north"),
        ("branch:north", "all_branches"),
    ]


def test_showing_a_token_again_in_the_same_scope_records_no_change(capsys, north):
    key = issue(capsys, "erp", branch="north")
    assert issue(capsys, "erp", branch="north") == key
    assert AuditEvent.objects.filter(action="api.integration_scope_set").count() == 1
    assert AuditEvent.objects.filter(action="api.token_shown").count() == 1


def test_a_staff_account_cannot_be_given_a_token_or_the_grant(make_user, north):
    staff = make_user(Role.ACCOUNTANT, username="acc")
    with pytest.raises(CommandError, match="not a branch-system user"):
        call_command("create_branch_token", "acc", all_branches=True)
    assert not staff.groups.filter(name=ALL_BRANCHES_GROUP).exists()
    assert not Token.objects.filter(user=staff).exists()
