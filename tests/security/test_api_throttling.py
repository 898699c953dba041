"""Anonymous callers are throttled too (issue 15, item 7).

DRF checks throttles after authentication and permissions, so a request without valid
credentials was refused with 401 before any throttle counted it: 65 unauthenticated requests,
no 429, and bad tokens could be tried as fast as the server answered. Now the refusal is
counted at the anonymous rate, per client address, and over it the answer is 429 with
``Retry-After`` in the API's error body.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.api.views import MeView
from core.roles import Role
from loans.api.views import ScheduleCalculatorView
from tests.production import production_probe

pytestmark = pytest.mark.django_db

RATES = {"anon": "3/min", "user": "5/min"}


@pytest.fixture
def production_throttles(monkeypatch):
    """The production throttle classes at small rates (the test settings have none)."""
    cache.clear()
    for view in (MeView, ScheduleCalculatorView):
        monkeypatch.setattr(view, "throttle_classes", [AnonRateThrottle, UserRateThrottle])
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", RATES)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", RATES)
    yield
    cache.clear()


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "throttled" and body["errors"] == {}
    assert body["detail"]


def test_requests_without_credentials_are_throttled(api_client, production_throttles):
    statuses = [api_client.get("/api/v1/me/").status_code for _ in range(3)]
    assert statuses == [401] * 3
    assert_throttled(api_client.get("/api/v1/me/"))
    # the count is per address, not per endpoint
    assert_throttled(api_client.post("/api/v1/calculator/schedule/", {}, format="json"))


def test_bad_tokens_are_throttled(api_client, production_throttles):
    for attempt in range(3):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token guess-{attempt:036d}")
        assert api_client.get("/api/v1/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Token guess-4")
    assert_throttled(api_client.get("/api/v1/me/"))


def test_another_address_is_counted_apart(api_client, production_throttles):
    for _ in range(4):
        api_client.get("/api/v1/me/", REMOTE_ADDR="203.0.113.7")
    assert_throttled(api_client.get("/api/v1/me/", REMOTE_ADDR="203.0.113.7"))
    assert api_client.get("/api/v1/me/", REMOTE_ADDR="198.51.100.20").status_code == 401


def test_an_authenticated_user_keeps_the_user_rate(api_as, production_throttles):
    client = api_as(Role.ACCOUNTANT)
    assert [client.get("/api/v1/me/").status_code for _ in range(5)] == [200] * 5
    assert_throttled(client.get("/api/v1/me/"))


PROBE = """
import json, django
django.setup()
from django.test import Client

client = Client()
statuses, retry_after = [], None
for _ in range(65):
    response = client.get("/api/v1/me/", secure=True)
    statuses.append(response.status_code)
    retry_after = retry_after or response.headers.get("Retry-After")
body = response.json()
print(json.dumps({"statuses": statuses, "retry_after": retry_after, "code": body["code"]}))
"""


@pytest.mark.slow
def test_production_settings_throttle_65_unauthenticated_requests(tmp_path):
    seen = production_probe(PROBE, tmp_path, ALLOWED_HOSTS="testserver")
    assert seen["statuses"][:60] == [401] * 60  # 60 a minute from one address
    assert seen["statuses"][60:] == [429] * 5
    assert int(seen["retry_after"]) > 0
    assert seen["code"] == "throttled"


def test_the_schema_documents_the_429_of_every_operation(api_as):
    schema = api_as(Role.BRANCH_SYSTEM).get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
