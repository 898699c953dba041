"""Collateral pages in the browser: a secured application and helpers built on the services."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Stage
from collateral import services as collateral

APPLICANT_IIN = "900101300017"  # the borrower of tests.fixtures.lending
OTHER_IIN = "850512400708"  # born 1985-05-12, female
BIN = "180340000015"
VEHICLE = {
    "description": "Toyota Hilux",
    "vin": "JTFST22P700123456",
    "make": "Toyota",
    "make_country": "JP",
    "year_of_manufacture": timezone.localdate().year - 2,
    "free_of_third_party_rights": True,
    "free_of_budget_arrears": True,
}


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages in English, so that messages can be asserted as written."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def secured(new_application, advance):
    """A secured application (5,000,000 KZT, product minimum coverage 1) open for collateral."""
    return advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def vehicle(secured, officer):
    def make(**changes):
        return collateral.collateral_item_register(
            application_id=secured.pk, kind="vehicle", data={**VEHICLE, **changes}, by=officer
        )

    return make


def appraise(item, by, value: str = "10000000", on=None):
    """Vehicles have the liquidity coefficient 0.6: 10,000,000 gives a pledge value of 6,000,000."""
    return collateral.appraisal_record(
        item_id=item.pk,
        appraiser="TOO Bagalau",
        licence="LIC-001",
        appraised_on=on or timezone.localdate(),
        market_value=Decimal(value),
        by=by,
    )


def item_url(name: str, item) -> str:
    return reverse(f"collateral:{name}", args=[item.pk])


def form_html(page: str, name: str) -> str:
    """The HTML of the form marked ``data-form="name"`` on a page."""
    found = re.search(rf'<form[^>]*data-form="{name}".*?</form>', page, re.S)
    assert found, f"no form {name!r} on the page"
    return found.group(0)


def error_beside(page: str, form: str, field: str) -> str:
    """The error shown beside ``field`` inside the form ``form``; fails when there is none."""
    found = re.search(rf'data-error-for="{field}">([^<]*)</span>', form_html(page, form), re.S)
    assert found, f"no error beside {field!r} in form {form!r}"
    return html.unescape(found.group(1))
