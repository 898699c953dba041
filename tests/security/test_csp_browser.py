"""In Chromium, the pages under the Content-Security-Policy break nothing: no violation is
reported on the pages with forms, charts and the Swagger UI, and the Swagger UI renders."""

from __future__ import annotations

import pytest

from core.roles import Role

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_kept_connections():
    """The live server's request threads close their connection after each request, so the
    test database can be dropped at the end (a kept one, CONN_MAX_AGE, would hold it open)."""
    from django.db import connections

    saved = connections.settings["default"]["CONN_MAX_AGE"]
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = saved


@pytest.fixture
def admin(reference_data, make_user):
    """Made before Playwright starts: the ORM under its event loop would open a connection of
    its own, which would keep the test database from being dropped."""
    user = make_user(Role.ADMINISTRATOR, Role.RISK_MANAGER)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def page(admin, no_kept_connections, live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            page.violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-Secret-123")
    page.click("form:not(.langs) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_pages_and_the_swagger_ui_run_under_the_policy(page, live_server, admin):
    log_in(page, live_server, admin)
    for path in (
        "/",
        "/applications/applicants/new/",
        "/risk/",
        "/loans/calculator/",
        "/admin/auth/user/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # the schema was fetched and drawn
    assert page.violations == []
