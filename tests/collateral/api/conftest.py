from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Stage
from collateral import services as collateral
from core.identifiers import check_digit

ITEMS = "/api/v1/collateral/items/"
GUARANTEES = "/api/v1/collateral/guarantees/"
COVERAGE = "/api/v1/collateral/coverage/"
DUE = "/api/v1/collateral/inspections/due/"

BORROWER_IIN = "900101300017"  # the applicant of tests.fixtures.lending
ENTITY_BIN = "180340000015"

VEHICLE = {
    "kind": "vehicle",
    "description": "Toyota Hilux",
    "vin": "JTFST22P700123456",
    "make": "Toyota",
    "make_country": "JP",
    "year_of_manufacture": timezone.localdate().year - 2,
    "free_of_third_party_rights": True,
    "free_of_budget_arrears": True,
}


def iin_for(born: date, *, sex_digit: int = 3, serial: int = 1) -> str:
    """A valid IIN of a person born on ``born`` (3/4: 1900s)."""
    while True:
        first = f"{born:%y%m%d}{sex_digit}{serial:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
        serial += 1


def item_url(item_id: int, action: str = "") -> str:
    return f"{ITEMS}{item_id}/" + (f"{action}/" if action else "")


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.json()
    return response.json()


def refused(response, status: int, field: str, code: str | None = None) -> str:
    """The one message of a refusal, after checking its status, body and field."""
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert list(body["errors"]) == [field], body
    if code:
        assert body["code"] == code
    (message,) = body["errors"][field]
    return message


@pytest.fixture
def client_for(make_user):
    """A new API client per call, so that two roles can act in one test; answers in English."""

    def make(*roles, user=None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(user or make_user(*roles))
        return client

    return make


@pytest.fixture
def secured(new_application, advance):
    """A secured application at the application stage (5,000,000 KZT; coverage of 1 required)."""
    return advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )


@pytest.fixture
def vehicle(secured, officer):
    """A vehicle registered by the service, pledged by the borrower; not yet appraised."""
    fields = {key: value for key, value in VEHICLE.items() if key != "kind"}
    return collateral.collateral_item_register(
        application_id=secured.pk, kind="vehicle", data=fields, by=officer
    )


@pytest.fixture
def appraised(vehicle, officer):
    """The vehicle with its title document and an appraisal of 10,000,000 (pledge 6,000,000)."""
    collateral.title_document_add(item_id=vehicle.pk, name="Техпаспорт", by=officer)
    collateral.appraisal_record(
        item_id=vehicle.pk,
        appraiser="ТОО Бағалау",
        licence="ЛИЦ-001",
        appraised_on=timezone.localdate(),
        market_value=Decimal("10000000"),
        by=officer,
    )
    return vehicle
