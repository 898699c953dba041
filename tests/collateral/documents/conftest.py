"""Collateral with everything its documents print, set up through the services."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from applications.models import Application, Stage
from collateral import services as collateral

PLEDGOR_NAME = "Әлиева Гүлнұр Серікқызы"
PLEDGOR_IIN = "850512401232"
GUARANTOR_NAME = "Жұмабеков Нұрлан Қайратұлы"
GUARANTOR_IIN = "781103304561"
VIN = "JTFST22P700123456"
CADASTRAL_NUMBER = "20-311-004-123"
AUTHORITY = "СпецЦОН г. Алматы"
REGISTRATION_NUMBER = "R-2026-0457"
REGISTERED_ON = date(2026, 1, 20)
APPRAISER = "ТОО «Бағалау Орталығы»"
LICENCE = "ЛИЦ-0001234"
TECH_PASSPORT_NUMBER = "KZ02AB123456"
PURCHASE_CONTRACT_NUMBER = "ДКП-77/2024"
POLICY_NUMBER = "POL-555-2026"


def pdf_text(content: bytes) -> str:
    """The text of every page, with runs of whitespace (also no-break spaces) as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def money(value: str, language: str) -> str:
    """An amount as the document's language writes it, spaced as ``pdf_text`` leaves it."""
    with translation.override(language):
        written = formats.number_format(Decimal(value), 2, force_grouping=True)
    return " ".join(written.split())


@pytest.fixture
def browser(client):
    """The test client in English, switched between users with ``browser.as_user(user)``."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def as_user(user):
        client.logout()
        client.force_login(user)
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def secured(new_application, advance):
    """A secured application of 5,000,000 KZT for 36 months at 6 %, open for collateral."""
    return advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )


def pledge_vehicle(application, officer):
    """A car pledged by a third party: titles, appraisal, registered encumbrance, insurance."""
    item = collateral.collateral_item_register(
        application_id=application.pk,
        kind="vehicle",
        data={
            "description": "Toyota Hilux",
            "vin": VIN,
            "make": "Toyota",
            "make_country": "JP",
            "year_of_manufacture": timezone.localdate().year - 2,
            "free_of_third_party_rights": True,
            "free_of_budget_arrears": True,
        },
        pledgor={"is_borrower": False, "name": PLEDGOR_NAME, "identifier": PLEDGOR_IIN},
        by=officer,
    )
    collateral.title_document_add(
        item_id=item.pk,
        name="Свидетельство о регистрации ТС",
        number=TECH_PASSPORT_NUMBER,
        by=officer,
    )
    collateral.title_document_add(
        item_id=item.pk, name="Договор купли-продажи", number=PURCHASE_CONTRACT_NUMBER, by=officer
    )
    collateral.appraisal_record(
        item_id=item.pk,
        appraiser=APPRAISER,
        licence=LICENCE,
        appraised_on=timezone.localdate(),
        market_value=Decimal("10000000"),  # pledge value 6,000,000 at 0.6
        by=officer,
    )
    collateral.insurance_add(
        item_id=item.pk,
        insurer="АО «Сақтандыру»",
        policy_number=POLICY_NUMBER,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=365),
        sum_insured=Decimal("10000000"),
        mfo_is_beneficiary=True,
        by=officer,
    )
    collateral.pledge_agreement_register(
        item_id=item.pk,
        encumbrance="registered",
        authority=AUTHORITY,
        registered_on=REGISTERED_ON,
        registration_number=REGISTRATION_NUMBER,
        signed_on=timezone.localdate(),
        by=officer,
    )
    item.refresh_from_db()
    return item


@pytest.fixture
def vehicle(secured, officer):
    return pledge_vehicle(secured, officer)


@pytest.fixture
def land(secured, officer):
    """A plot of land the borrower pledges, appraised, its agreement not yet registered."""
    item = collateral.collateral_item_register(
        application_id=secured.pk,
        kind="land",
        data={
            "description": "Земельный участок 0,12 га",
            "cadastral_number": CADASTRAL_NUMBER,
            "address": "Алматы, мкр. Таугүл, 15",
            "region": "almaty_city",
            "state_registered": True,
            "free_of_third_party_rights": True,
            "free_of_budget_arrears": True,
        },
        by=officer,
    )
    collateral.appraisal_record(
        item_id=item.pk,
        appraiser=APPRAISER,
        licence=LICENCE,
        appraised_on=timezone.localdate(),
        market_value=Decimal("12500000"),  # pledge value 6,250,000 at 0.5
        by=officer,
    )
    collateral.pledge_agreement_register(item_id=item.pk, encumbrance="not_registered", by=officer)
    item.refresh_from_db()
    return item


@pytest.fixture
def guarantee(secured, officer):
    return collateral.guarantee_add(
        application_id=secured.pk,
        guarantor_name=GUARANTOR_NAME,
        identifier=GUARANTOR_IIN,
        amount=Decimal("1500000"),
        by=officer,
    )


@pytest.fixture
def release(officer):
    """Release an item as at the loan's closure (the loan itself is not modelled yet)."""

    def run(item):
        Application.objects.filter(pk=item.application_id).update(stage=Stage.DECLINED)
        collateral.collateral_release(item_id=item.pk, by=officer)
        item.refresh_from_db()
        return item

    return run
