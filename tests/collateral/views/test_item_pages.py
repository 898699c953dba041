"""The credit administrator registers and documents collateral in the browser."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from collateral.models import (
    Appraisal,
    CollateralItem,
    Guarantee,
    Insurance,
    PledgeAgreement,
    Pledgor,
    TitleDocument,
)
from core.models import AuditEvent
from core.roles import Role
from tests.collateral.views.conftest import (
    APPLICANT_IIN,
    BIN,
    OTHER_IIN,
    VEHICLE,
    appraise,
    error_beside,
    form_html,
    item_url,
)

pytestmark = pytest.mark.django_db


def _item_post(**changes) -> dict:
    data = {
        "kind": "vehicle",
        "description": VEHICLE["description"],
        "vin": VEHICLE["vin"],
        "make": VEHICLE["make"],
        "make_country": "jp",
        "year_of_manufacture": str(VEHICLE["year_of_manufacture"]),
        "free_of_third_party_rights": "on",
        "free_of_budget_arrears": "on",
        "pledgor": "borrower",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_register_document_appraise_encumber_and_insure_an_item(officer_client, secured):
    client = officer_client
    today = timezone.localdate()
    page = reverse("collateral:application", args=[secured.pk])
    html = client.get(page).content.decode()
    create = reverse("collateral:item-create", args=[secured.pk])
    assert f'href="{create}"' in html

    assert client.get(create).status_code == 200
    response = client.post(create, _item_post(cadastral_number="should be dropped"))
    item = CollateralItem.objects.get(application=secured)
    assert response.status_code == 302
    assert response.url == item_url("item", item)
    assert item.make_country == "JP"
    assert item.cadastral_number == ""  # a vehicle keeps only the vehicle fields
    assert item.pledgor.applicant_id == secured.applicant_id
    assert item.pledgor.identifier == APPLICANT_IIN

    html = client.get(item_url("item", item)).content.decode()
    reasons = re.findall(r"<li data-reason>([^<]*)</li>", html)
    assert "The original title documents are not held." in reasons
    assert "The item has not been appraised." in reasons
    assert len(reasons) == 2

    response = client.post(
        item_url("title-document-add", item),
        {"name": "Vehicle registration certificate", "number": "AB123", "original_received": "on"},
    )
    assert response.status_code == 302
    document = TitleDocument.objects.get(item=item)
    assert document.original_received_at is not None

    response = client.post(
        item_url("appraisal-record", item),
        {
            "appraiser": "TOO Bagalau",
            "licence": "LIC-001",
            "appraised_on": today.isoformat(),
            "market_value": "10000000",
        },
    )
    assert response.status_code == 302
    appraisal = Appraisal.objects.get(item=item)
    assert appraisal.pledge_value == Decimal("6000000.00")

    response = client.post(
        item_url("pledge-register", item),
        {
            "signed_on": today.isoformat(),
            "encumbrance": "registered",
            "authority": "SpecCON Almaty",
            "registered_on": today.isoformat(),
            "registration_number": "R-77",
        },
    )
    assert response.status_code == 302
    agreement = PledgeAgreement.objects.get(item=item)
    assert agreement.encumbrance == PledgeAgreement.Encumbrance.REGISTERED
    assert agreement.registration_number == "R-77"

    response = client.post(
        item_url("insurance-add", item),
        {
            "insurer": "Kompetenz",
            "policy_number": "P-1",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "sum_insured": "10000000",
            "mfo_is_beneficiary": "on",
        },
    )
    assert response.status_code == 302
    assert Insurance.objects.get(item=item).policy_number == "P-1"

    html = client.get(item_url("item", item)).content.decode()
    assert "data-eligible" in html and "data-reason" not in html
    assert 'data-original="held"' in html
    assert "6,000,000.00" in html
    assert 'data-encumbrance="registered"' in html
    assert 'data-policy="P-1"' in html
    assert f"data-identifier>{APPLICANT_IIN}<" in html  # the credit administrator sees it whole

    html = client.get(page).content.decode()
    assert 'data-coverage="1.2000"' in html  # 6,000,000 over 5,000,000
    assert "120.00 %" in html


def test_an_appraisal_older_than_six_months_is_refused_beside_its_date(
    officer_client, secured, vehicle
):
    item = vehicle()
    too_old = timezone.localdate(secured.created_at) - timedelta(days=200)
    response = officer_client.post(
        item_url("appraisal-record", item),
        {
            "appraiser": "TOO Bagalau",
            "licence": "LIC-001",
            "appraised_on": too_old.isoformat(),
            "market_value": "10000000",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "more than 6 months older than the application" in error_beside(
        html, "appraisal", "appraised_on"
    )
    assert f'value="{too_old.isoformat()}"' in form_html(html, "appraisal")  # kept for fixing
    assert not Appraisal.objects.exists()


def test_a_registered_encumbrance_without_its_number_is_refused(officer_client, vehicle):
    item = vehicle()
    response = officer_client.post(
        item_url("pledge-register", item),
        {
            "encumbrance": "registered",
            "authority": "SpecCON Almaty",
            "registered_on": timezone.localdate().isoformat(),
            "registration_number": "",
        },
    )
    assert response.status_code == 400
    assert "needs the authority, the date and the number" in error_beside(
        response.content.decode(), "pledge", "registration_number"
    )
    assert not PledgeAgreement.objects.exists()


def test_a_third_party_pledgor_with_a_bad_iin_is_refused_and_nothing_is_written(
    officer_client, secured
):
    response = officer_client.post(
        reverse("collateral:item-create", args=[secured.pk]),
        _item_post(
            pledgor="third_party",
            pledgor_name="Brother of the borrower",
            pledgor_identifier="9001 0130 0018",  # wrong control digit
        ),
    )
    assert response.status_code == 400
    assert error_beside(response.content.decode(), "item", "pledgor_identifier")
    assert not CollateralItem.objects.exists()
    assert not Pledgor.objects.exists()


def test_a_third_party_legal_entity_pledges_with_its_bodys_decision(officer_client, secured):
    response = officer_client.post(
        reverse("collateral:item-create", args=[secured.pk]),
        _item_post(
            pledgor="third_party",
            pledgor_is_legal_entity="on",
            pledgor_name="TOO Kurylys",
            pledgor_identifier=BIN,
        ),
    )
    item = CollateralItem.objects.get()
    assert response.status_code == 302
    assert item.pledgor.applicant_id is None
    assert item.pledgor.is_legal_entity
    html = officer_client.get(item_url("item", item)).content.decode()
    assert "The entity&#x27;s decision to pledge is missing." in html


def test_real_estate_needs_its_cadastral_number_and_region(officer_client, secured):
    response = officer_client.post(
        reverse("collateral:item-create", args=[secured.pk]),
        _item_post(kind="housing", description="Flat", vin=None, make=None),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "item", "cadastral_number")
    assert error_beside(html, "item", "region")
    assert not CollateralItem.objects.exists()


def test_insurance_not_naming_the_mfo_as_beneficiary_is_refused(officer_client, vehicle):
    item = vehicle()
    today = timezone.localdate()
    response = officer_client.post(
        item_url("insurance-add", item),
        {
            "insurer": "Kompetenz",
            "policy_number": "P-1",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "sum_insured": "10000000",
        },
    )
    assert response.status_code == 400
    assert "beneficiary" in error_beside(
        response.content.decode(), "insurance", "mfo_is_beneficiary"
    )
    assert not Insurance.objects.exists()


def test_guarantees_are_listed_and_an_entity_needs_its_bodys_decision(officer_client, secured):
    url = reverse("collateral:guarantee-add", args=[secured.pk])
    response = officer_client.post(
        url,
        {
            "guarantor_name": "TOO Kurylys",
            "is_legal_entity": "on",
            "identifier": BIN,
            "amount": "1000000",
        },
    )
    assert response.status_code == 400
    assert "decision of its body" in error_beside(
        response.content.decode(), "guarantee", "body_decision"
    )
    assert not Guarantee.objects.exists()

    response = officer_client.post(
        url, {"guarantor_name": "Aigerim Sadykova", "identifier": OTHER_IIN, "amount": "2000000"}
    )
    assert response.status_code == 302
    html = officer_client.get(reverse("collateral:application", args=[secured.pk])).content.decode()
    assert "Aigerim Sadykova" in html
    assert "2,000,000.00" in html
    assert f"data-identifier>{OTHER_IIN}<" in html


def test_readers_see_the_pledgor_masked_and_every_opening_is_logged(client_as, vehicle):
    item = vehicle()
    client = client_as(Role.RISK_MANAGER)
    before = AuditEvent.objects.filter(action="credit_file.opened").count()
    html = client.get(item_url("item", item)).content.decode()
    assert "data-identifier>9001******17<" in html
    assert APPLICANT_IIN not in html
    assert 'data-form="appraisal"' not in html  # a reader gets no forms
    assert AuditEvent.objects.filter(action="credit_file.opened").count() == before + 1


def test_release_is_offered_only_when_the_application_ends_without_a_loan(
    officer_client, officer, secured, vehicle
):
    item = vehicle()
    officer_client.post(
        item_url("title-document-add", item), {"name": "Registration", "original_received": "on"}
    )
    html = officer_client.get(item_url("item", item)).content.decode()
    assert 'data-form="release"' not in html
    response = officer_client.post(item_url("item-release", item))
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.released_at is None

    services.application_refuse(
        application_id=secured.pk, ground="insufficient_solvency", comment="Income", by=officer
    )
    html = officer_client.get(item_url("item", item)).content.decode()
    assert 'data-form="release"' in html
    response = officer_client.post(item_url("item-release", item))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.released_at is not None
    assert item.title_documents.get().original_returned_at is not None
    html = officer_client.get(item_url("item", item)).content.decode()
    assert "data-released" in html
    assert 'data-form="appraisal"' not in html  # nothing more is recorded on a released item


def test_appraisals_are_listed_latest_first(officer, officer_client, vehicle):
    item = vehicle()
    appraise(item, officer, "9000000", on=timezone.localdate() - timedelta(days=30))
    appraise(item, officer, "10000000")
    html = officer_client.get(item_url("item", item)).content.decode()
    latest = re.search(r"<tr data-appraisal=\"\d+\" data-latest>.*?</tr>", html, re.S).group(0)
    assert "6,000,000.00" in latest


def test_item_page_links_its_documents_and_takes_inspection_photos(
    client_as, secured, officer, make_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from collateral import services as collateral_services

    item = collateral_services.collateral_item_register(
        application_id=secured.pk,
        kind="vehicle",
        data={"description": "Hilux", "vin": "JTFST22P700123999", "make": "Toyota",
              "make_country": "JP", "year_of_manufacture": 2024},
        by=officer,
    )  # fmt: skip
    collateral_services.pledge_agreement_register(
        item_id=item.pk, encumbrance="submitted", by=officer
    )
    client = client_as(Role.MONITORING_MANAGER)
    photo = SimpleUploadedFile("car.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    response = client.post(
        reverse("collateral:inspection-create", args=[item.pk]),
        {"inspected_on": "2026-11-20", "present": "yes", "condition": "good", "photo": photo},
    )
    assert response.status_code == 302
    html = client.get(reverse("collateral:item", args=[item.pk])).content.decode()
    assert 'data-photos="1"' in html
    assert 'data-document="pledge-kk"' in html
    assert 'data-document="receipt-kk"' not in html  # only after the release
