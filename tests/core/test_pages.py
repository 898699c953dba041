from __future__ import annotations

import pytest
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_renders_with_language_switcher(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    for code in ("KK", "RU", "EN"):
        assert f">{code}</button>" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.RISK_MANAGER, {"audit-list", "api-docs"}, {"admin:index"}),
        (Role.CREDIT_ADMINISTRATOR, {"api-docs"}, {"audit-list", "admin:index"}),
        (Role.ACCOUNTANT, {"home"}, {"audit-list", "admin:index", "api-docs"}),
        (Role.ADMINISTRATOR, {"audit-list", "admin:index"}, set()),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_use(client_as, role, visible, hidden):
    html = client_as(role).get(reverse("home")).content.decode()
    for name in visible:
        assert f'data-nav="{name}"' in html
    for name in hidden:
        assert f'data-nav="{name}"' not in html


@pytest.mark.parametrize(
    ("role", "queue_title"),
    [
        (Role.ACCOUNTANT, "Signed contracts to disburse"),
        (Role.COMMITTEE_MEMBER, "Applications on the committee agenda"),
        (Role.MONITORING_MANAGER, "Collateral inspections due"),
    ],
)
def test_home_page_shows_the_role_work_queue(client_as, role, queue_title):
    client = client_as(role)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert queue_title in html
    assert f'data-role="{role.value}"' in html
    assert 'data-role="risk_manager"' not in html


def test_wrong_role_gets_the_403_page(client_as):
    response = client_as(Role.CREDIT_ADMINISTRATOR).get(reverse("audit-list"))
    assert response.status_code == 403
    assert "403" in response.content.decode()
    assert 'class="topbar"' in response.content.decode()  # same look as every page


def test_unknown_page_gets_the_404_page(client_as):
    response = client_as(Role.ACCOUNTANT).get("/no-such-page/")
    assert response.status_code == 404
    assert 'class="topbar"' in response.content.decode()


def test_branch_system_cannot_log_in_to_the_browser(client, make_user):
    make_user(Role.BRANCH_SYSTEM, username="branch1", password="pw-Secret-123")
    response = client.post(reverse("login"), {"username": "branch1", "password": "pw-Secret-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_branch_system_session_is_refused_on_pages(client_as):
    assert client_as(Role.BRANCH_SYSTEM).get(reverse("home")).status_code == 403


def test_login_logout_and_password_change(client, make_user):
    make_user(Role.ACCOUNTANT, username="acc", password="pw-Secret-123")
    response = client.post(reverse("login"), {"username": "acc", "password": "pw-Secret-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-Secret-123",
            "new_password1": "Another-pass-456",
            "new_password2": "Another-pass-456",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    assert (
        client.post(
            reverse("login"), {"username": "acc", "password": "Another-pass-456"}
        ).status_code
        == 302
    )


def test_session_expires_after_idle_timeout(client_as, settings):
    client = client_as(Role.ACCOUNTANT)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60


def test_failed_logins_lock_the_account(client, make_user):
    make_user(Role.ACCOUNTANT, username="victim", password="pw-Secret-123")
    for _ in range(5):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "victim", "password": "pw-Secret-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("kk", "Жұмыс кезегі"),
        ("ru", "Очередь работ"),
        ("en", "Work queue"),
    ],
)
def test_home_page_is_translated(client_as, language, text):
    client = client_as(Role.ACCOUNTANT)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert text in html
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "1\xa0234\xa0567,89"), ("ru", "1\xa0234\xa0567,89"), ("en", "1,234,567.89")],
)
def test_amounts_are_formatted_for_the_language(language, expected):
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    with translation.override(language):
        rendered = Template('{{ amount|floatformat:"2g" }}').render(
            Context({"amount": Decimal("1234567.89")})
        )
    assert rendered == expected
