"""A business rule that reaches a page's edge unhandled is a page with its status, not a 500."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import path

from core.errors import ConflictError
from core.permissions import role_required
from core.roles import Role
from lending.domain.dates import add_months
from mfo.urls import urlpatterns as project_urls

pytestmark = pytest.mark.django_db


@role_required(Role.CREDIT_ADMINISTRATOR)
def far_ahead(request):
    add_months(date(9950, 6, 1), 600, field="on")


@role_required(Role.CREDIT_ADMINISTRATOR)
def conflict(request):
    raise ConflictError("Already disbursed.", field="status")


urlpatterns = [path("far-ahead/", far_ahead), path("conflict/", conflict), *project_urls]


@pytest.fixture
def client(client_as, settings):
    settings.ROOT_URLCONF = __name__
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_date_pushed_out_of_the_calendar_is_a_400_page_naming_the_field(client):
    response = client.get("/far-ahead/")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="on"' in html
    assert "9950-06-01 shifted by 600 months falls outside the calendar" in html


def test_a_domain_error_keeps_its_status(client):
    response = client.get("/conflict/")
    assert response.status_code == 409
    assert "Already disbursed." in response.content.decode()
