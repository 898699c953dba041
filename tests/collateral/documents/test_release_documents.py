from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from collateral import services as collateral
from core.models import AuditEvent

from .conftest import (
    AUTHORITY,
    PLEDGOR_IIN,
    PLEDGOR_NAME,
    PURCHASE_CONTRACT_NUMBER,
    REGISTRATION_NUMBER,
    TECH_PASSPORT_NUMBER,
    VIN,
    pdf_text,
)

pytestmark = pytest.mark.django_db

RELEASE_DOCUMENTS = ("release-receipt", "encumbrance-letter")


def _get(browser, user, name, pk, language):
    return browser.as_user(user).get(reverse(f"collateral-documents:{name}", args=[pk, language]))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_receipt_lists_the_originals_returned_with_their_numbers(
    browser, officer, vehicle, release, language
):
    never_held = collateral.title_document_add(
        item_id=vehicle.pk, name="Копия ПТС", number="COPY-ONLY-9", original_received=False,
        by=officer,
    )  # fmt: skip
    release(vehicle)

    response = _get(browser, officer, "release-receipt", vehicle.pk, language)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for value in (
        TECH_PASSPORT_NUMBER,
        PURCHASE_CONTRACT_NUMBER,
        "Свидетельство о регистрации ТС",
        PLEDGOR_NAME,
        PLEDGOR_IIN,
        vehicle.pledge.number,
        timezone.localdate().strftime("%d.%m.%Y"),
    ):
        assert value in text, value
    assert never_held.number not in text  # the MFO never held that original


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_letter_asks_the_authority_to_lift_the_registered_encumbrance(
    browser, officer, vehicle, release, language
):
    release(vehicle)

    response = _get(browser, officer, "encumbrance-letter", vehicle.pk, language)

    assert response.status_code == 200
    text = pdf_text(response.content)
    for value in (
        AUTHORITY,
        REGISTRATION_NUMBER,
        "20.01.2026",
        vehicle.pledge.number,
        VIN,
        PLEDGOR_NAME,
        PLEDGOR_IIN,
    ):
        assert value in text, value


@pytest.mark.parametrize("name", RELEASE_DOCUMENTS)
def test_release_documents_are_not_drawn_up_before_the_release(browser, officer, vehicle, name):
    response = _get(browser, officer, name, vehicle.pk, "ru")

    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="collateral.document_printed").exists()


def test_no_letter_when_no_encumbrance_was_registered(browser, officer, land, release):
    release(land)

    response = _get(browser, officer, "encumbrance-letter", land.pk, "kk")

    assert response.status_code == 409


def test_no_receipt_when_the_mfo_held_no_originals(browser, officer, land, release):
    release(land)

    response = _get(browser, officer, "release-receipt", land.pk, "kk")

    assert response.status_code == 409
