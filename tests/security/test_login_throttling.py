"""Login throttling (django-axes): 5 failures for a username from one address lock it, the right
password included, until the cool-off ends or an administrator resets it. The API is throttled
per user and per address in production (the test settings turn DRF's throttles off)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Role
from tests.production import production_probe

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"
ATTACKER = "203.0.113.7"


@pytest.fixture
def victim(make_user):
    return make_user(Role.ACCOUNTANT, username="victim", password=PASSWORD)


def log_in(client, password: str, *, address: str = ATTACKER, path: str = "/accounts/login/"):
    return client.post(
        path,
        {"username": "victim", "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def fail_five_times(client) -> None:
    for attempt in range(5):
        response = log_in(client, f"guess-{attempt}")
        assert response.status_code in (200, 429)  # the form again; the 5th is the lockout


def assert_locked(response, client) -> None:
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_after_five_failures_the_right_password_is_refused(client, victim):
    for attempt in range(4):
        assert log_in(client, f"guess-{attempt}").status_code == 200
    assert_locked(log_in(client, "guess-4"), client)
    assert_locked(log_in(client, PASSWORD), client)
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() >= 5
    assert all(event.data == {"username": "victim"} for event in failures)  # no password


def test_the_admin_login_is_locked_too(client, victim):
    victim.is_staff = True
    victim.save()
    fail_five_times(client)
    assert_locked(log_in(client, PASSWORD, path="/admin/login/"), client)


def test_the_lock_ends_after_the_cool_off(client, victim, settings):
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail_five_times(client)
        traveller.shift(timedelta(minutes=14))
        assert_locked(log_in(client, PASSWORD), client)  # an attempt while locked counts too:
        traveller.shift(timedelta(minutes=14))
        assert_locked(log_in(client, PASSWORD), client)  # the cool-off runs from the last one
        traveller.shift(timedelta(minutes=15, seconds=1))
        response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_an_administrator_reset_lifts_the_lock(client, victim):
    fail_five_times(client)
    assert_locked(log_in(client, PASSWORD), client)
    call_command("axes_reset_username", "victim", verbosity=0)
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_address(client, victim, make_user):
    """An attacker elsewhere cannot lock the real user out of their own desk."""
    fail_five_times(client)
    assert log_in(client, PASSWORD, address="198.51.100.20").status_code == 302


# --- the API --------------------------------------------------------------------------------

PROBE = """
import json, django
django.setup()
from django.urls import get_resolver, URLPattern, URLResolver
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

def walk(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns)
        else:
            cls = getattr(p.callback, "cls", None)
            if isinstance(cls, type) and issubclass(cls, APIView):
                yield str(p.pattern), [t.__name__ for t in cls.throttle_classes]

views = dict(walk(get_resolver().url_patterns))
print(json.dumps({"rates": SimpleRateThrottle.THROTTLE_RATES, "views": views}))
"""


@pytest.mark.slow
def test_production_throttles_every_api_view_per_user_and_per_address(tmp_path):
    seen = production_probe(PROBE, tmp_path, ALLOWED_HOSTS="backoffice.example.kz")
    assert seen["rates"] == {"anon": "60/min", "user": "600/min"}
    assert len(seen["views"]) > 50
    unthrottled = {
        route: classes
        for route, classes in seen["views"].items()
        if not {"AnonRateThrottle", "UserRateThrottle"} <= set(classes)
    }
    assert unthrottled == {}


def test_a_user_over_the_rate_gets_429(api_as, monkeypatch):
    """The production classes at a small rate (the test settings have none)."""
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

    from core.api.views import MeView

    cache.clear()
    monkeypatch.setattr(MeView, "throttle_classes", [AnonRateThrottle, UserRateThrottle])
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "5/min", "anon": "2/min"})
    client = api_as(Role.ACCOUNTANT)
    assert [client.get("/api/v1/me/").status_code for _ in range(5)] == [200] * 5
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    cache.clear()
