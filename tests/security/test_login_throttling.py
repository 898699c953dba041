"""Login throttling (django-axes): 5 failures for a username from one client address lock that
pair, the right password included, for the cool-off counted from the 5th failure (attempts during
the lock do not extend it) or until an administrator resets it. Behind the trusted proxies the
client address is read from X-Forwarded-For (``TRUSTED_PROXY_COUNT``), never without them. The
API is throttled per user and per address in production (the test settings turn DRF's throttles
off)."""

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
COLLEAGUE = "198.51.100.20"
PROXY = "10.0.0.2"  # the TLS proxy, as the app sees every request that came through it


@pytest.fixture
def victim(make_user):
    return make_user(Role.ACCOUNTANT, username="victim", password=PASSWORD)


def log_in(
    client,
    password: str,
    *,
    address: str = ATTACKER,
    path: str = "/accounts/login/",
    forwarded_for: str | None = None,
):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return client.post(
        path,
        {"username": "victim", "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
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
        traveller.shift(timedelta(minutes=14, seconds=59))
        assert_locked(log_in(client, PASSWORD), client)
        traveller.shift(timedelta(seconds=2))
        response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_failures_during_the_lock_do_not_extend_it(client, victim):
    """Otherwise whoever keeps guessing keeps the real user out for as long as they like."""
    locked_at = timezone.now()
    with time_machine.travel(locked_at, tick=False) as traveller:
        fail_five_times(client)  # the 5th failure locks the pair for 15 minutes from now
        for minutes in (1, 5, 10, 14):
            traveller.move_to(locked_at + timedelta(minutes=minutes))
            assert_locked(log_in(client, f"still-guessing-{minutes}"), client)
            assert_locked(log_in(client, PASSWORD), client)
        traveller.move_to(locked_at + timedelta(minutes=15, seconds=1))
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


# --- behind the TLS proxy: the client address -----------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    """What ``TRUSTED_PROXY_COUNT=1`` sets (checked against settings.py by the probe below)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0


def through_proxy(client, password: str, *, client_address: str, forged: str = ""):
    """A login posted through the proxy, which appends the address it was reached from."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return log_in(client, password, address=PROXY, forwarded_for=chain)


def test_behind_the_proxy_someone_elses_failures_do_not_lock_the_user_out(
    client, victim, behind_one_proxy
):
    """Everyone reaches the app from the proxy's address: the lock is on the client's."""
    for attempt in range(5):
        through_proxy(client, f"guess-{attempt}", client_address=ATTACKER)
    assert_locked(through_proxy(client, PASSWORD, client_address=ATTACKER), client)

    response = through_proxy(client, PASSWORD, client_address=COLLEAGUE)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_behind_the_proxy_what_a_client_writes_into_x_forwarded_for_is_not_trusted(
    client, victim, behind_one_proxy
):
    """An attacker who makes up a new address for each guess is still one address, and cannot
    pass for the real user's to lock them out."""
    for attempt in range(5):
        forged = f"192.0.2.{attempt + 1}"
        through_proxy(client, f"guess-{attempt}", client_address=ATTACKER, forged=forged)
    assert_locked(
        through_proxy(client, PASSWORD, client_address=ATTACKER, forged="192.0.2.99"), client
    )
    client.logout()
    for attempt in range(5):  # posing as the colleague locks only the attacker's own address
        through_proxy(client, f"again-{attempt}", client_address=ATTACKER, forged=COLLEAGUE)
    assert through_proxy(client, PASSWORD, client_address=COLLEAGUE).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, victim, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0  # the default
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
    for attempt in range(5):
        log_in(client, f"guess-{attempt}", forwarded_for=f"192.0.2.{attempt + 1}")
    assert_locked(log_in(client, PASSWORD, forwarded_for=COLLEAGUE), client)
    # and a header naming the locked address does not lock out another one
    response = log_in(client, PASSWORD, address=COLLEAGUE, forwarded_for=ATTACKER)
    assert response.status_code == 302


def test_without_a_trusted_proxy_the_anonymous_api_rate_ignores_x_forwarded_for():
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework.throttling import AnonRateThrottle

    throttle = AnonRateThrottle()
    idents = {
        throttle.get_ident(
            Request(
                APIRequestFactory().get(
                    "/api/v1/me/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=forged
                )
            )
        )
        for forged in ("192.0.2.1", "192.0.2.2", COLLEAGUE)
    }
    assert idents == {ATTACKER}


SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from rest_framework.settings import api_settings
print(json.dumps({
    "order": settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
    "ipware_count": settings.AXES_IPWARE_PROXY_COUNT,
    "strict": settings.IPWARE_STRICT,
    "renew": settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT,
    "drf": api_settings.NUM_PROXIES,
}))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (None, {"order": ["REMOTE_ADDR"], "ipware_count": 0, "drf": 0}),
        ("1", {"order": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"], "ipware_count": 0, "drf": 1}),
        ("2", {"order": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"], "ipware_count": 1, "drf": 2}),
    ],
)
def test_the_proxy_count_comes_from_the_environment(tmp_path, monkeypatch, count, expected):
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    extra = {"TRUSTED_PROXY_COUNT": count} if count is not None else {}
    seen = production_probe(SETTINGS_PROBE, tmp_path, **extra)
    assert seen == {**expected, "strict": False, "renew": False}


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
