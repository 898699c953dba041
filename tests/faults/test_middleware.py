"""core.middleware: a lost database answers 503 with Retry-After, never a 500 (no processes)."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.test import RequestFactory

from core.middleware import DatabaseUnavailableMiddleware, _flag_database_errors


def middleware(response=None):
    return DatabaseUnavailableMiddleware(lambda request: response or HttpResponse("ok"))


@pytest.mark.parametrize("error", [OperationalError("server closed"), InterfaceError("closed")])
def test_the_api_gets_its_error_body_and_retry_after(error):
    request = RequestFactory().get("/api/v1/loans/")
    response = middleware().process_exception(request, error)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = json.loads(response.content)
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "database_unavailable"
    assert "server closed" not in response.content.decode()


def test_a_page_gets_a_short_page_without_the_error():
    request = RequestFactory().get("/loans/portfolio/")
    response = middleware().process_exception(request, OperationalError("password=secret"))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in response.content.decode()
    assert "secret" not in response.content.decode()


def test_other_errors_are_left_to_django():
    request = RequestFactory().get("/api/v1/loans/")
    assert middleware().process_exception(request, ValueError("a bug")) is None


def test_a_500_from_a_database_error_below_it_becomes_a_503():
    """Raised in another middleware (a process_view, the session save): Django made it a 500
    and signalled the exception, which the middleware recognises."""
    request = RequestFactory().get("/loans/portfolio/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        _flag_database_errors(sender=None, request=request)
    assert middleware(HttpResponseServerError("boom"))(request).status_code == 503

    other = RequestFactory().get("/loans/portfolio/")
    try:
        raise ValueError("a bug")
    except ValueError:
        _flag_database_errors(sender=None, request=other)
    assert middleware(HttpResponseServerError("boom"))(other).status_code == 500
