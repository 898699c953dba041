"""Pages that build a PDF or a spreadsheet are throttled per user (issue 15, item 7).

A 600-row calculator PDF took 13.5 s and a year-ahead payoff PDF 8.4 s of a worker; nothing
stopped a user (or a script holding a session) from asking for them in a loop. Every PDF and
export page now counts its requests per user (``HEAVY_PAGE_RATE``, DRF's throttle and cache);
past the rate it answers the 429 page with ``Retry-After``.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.roles import Role

pytestmark = pytest.mark.django_db

CALCULATOR_TERMS = {
    "amount": "5000",
    "annual_rate": "12",
    "term_months": "12",
    "day_count": "30/360",
    "disbursement_date": "2026-01-15",
}


@pytest.fixture(autouse=True)
def two_a_minute(settings):
    cache.clear()
    settings.HEAVY_PAGE_RATE = "2/min"
    yield
    cache.clear()


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()


def test_the_third_calculator_pdf_within_a_minute_is_refused(client_as, make_user):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("calculator-pdf", args=["annuity", "ru"])
    assert [client.get(url, CALCULATOR_TERMS).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(url, CALCULATOR_TERMS))
    # the count is the user's: a colleague at the same desk still prints
    client.force_login(make_user(Role.CREDIT_ADMINISTRATOR))
    assert client.get(url, CALCULATOR_TERMS).status_code == 200


def test_exports_count_against_the_same_rate(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    csv = reverse("portfolio:export", args=["csv"])
    xlsx = reverse("portfolio:export", args=["xlsx"])
    assert client.get(csv).status_code == 200
    assert client.get(xlsx).status_code == 200
    assert_throttled(client.get(csv))


def test_a_role_that_may_not_print_is_refused_without_being_counted(client_as):
    client = client_as(Role.ACCOUNTANT)
    url = reverse("calculator-pdf", args=["annuity", "ru"])
    assert [client.get(url, CALCULATOR_TERMS).status_code for _ in range(3)] == [403] * 3


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


HEAVY_SUFFIXES = (".pdf", ".xlsx", ".csv", ".<str:fmt>")


def test_every_pdf_and_export_page_is_throttled():
    heavy = {
        route: view
        for route, view in _routes(get_resolver().url_patterns)
        if route.endswith(HEAVY_SUFFIXES) and not route.startswith("api/")
    }
    assert len(heavy) >= 18  # contracts, receipts, agreements, demands, payoffs, minutes, k1…
    unthrottled = sorted(
        route for route, view in heavy.items() if not getattr(view, "heavy_page", False)
    )
    assert unthrottled == []
