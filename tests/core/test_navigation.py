from __future__ import annotations

import pytest
from django.urls import reverse

from core.roles import Role
from shell import navigation
from shell.navigation import NavItem, navigation_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (
            Role.COLLECTOR,
            {"home", "servicing:collection-queue"},
            {"servicing:disbursement-queue", "servicing:contracts-to-draw", "audit-list"},
        ),
        (
            Role.ACCOUNTANT,
            {"servicing:disbursement-queue"},
            {"servicing:collection-queue", "servicing:contracts-to-draw"},
        ),
        (
            Role.CREDIT_ADMINISTRATOR,
            {"servicing:contracts-to-draw"},
            {"servicing:collection-queue", "servicing:disbursement-queue"},
        ),
        (Role.MONITORING_MANAGER, {"servicing:collection-queue"}, {"servicing:contracts-to-draw"}),
        (
            Role.ADMINISTRATOR,
            {
                "servicing:contracts-to-draw",
                "servicing:disbursement-queue",
                "servicing:collection-queue",
            },
            set(),
        ),
    ],
)
def test_loan_operations_menu_by_role(client_as, role, visible, hidden):
    html = client_as(role).get(reverse("home")).content.decode()
    for name in visible:
        assert f'data-nav="{name}"' in html
    for name in hidden:
        assert f'data-nav="{name}"' not in html


def test_collector_has_a_home_page_with_its_queues(client_as):
    response = client_as(Role.COLLECTOR).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-role="collector"' in html
    assert "Promises to pay due today" in html


def test_menu_leaves_out_a_page_that_is_not_installed(make_user, monkeypatch):
    missing = NavItem("Nowhere", "nowhere:list", frozenset({Role.ACCOUNTANT}))
    monkeypatch.setattr(navigation, "NAVIGATION", (*navigation.NAVIGATION, missing))
    names = {item.url_name for item in navigation_for(make_user(Role.ACCOUNTANT))}
    assert "nowhere:list" not in names
    assert "home" in names


def test_every_role_with_a_queue_has_its_rows_importable():
    from django.utils.module_loading import import_string

    for queues in navigation.WORK_QUEUES.values():
        for queue in queues:
            if queue.rows:
                assert callable(import_string(queue.rows))
