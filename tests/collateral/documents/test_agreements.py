from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import committee, services
from applications.models import Conclusion, Stage
from collateral import documents
from collateral import services as collateral
from core.models import AuditEvent
from core.privacy import mask_identifier
from core.roles import Role

from .conftest import (
    APPRAISER,
    AUTHORITY,
    CADASTRAL_NUMBER,
    GUARANTOR_IIN,
    GUARANTOR_NAME,
    LICENCE,
    PLEDGOR_IIN,
    PLEDGOR_NAME,
    POLICY_NUMBER,
    PURCHASE_CONTRACT_NUMBER,
    REGISTRATION_NUMBER,
    TECH_PASSPORT_NUMBER,
    VIN,
    money,
    pdf_text,
    pledge_vehicle,
)

pytestmark = pytest.mark.django_db

BORROWER_NAME = "ИП Сейтқали"  # tests/fixtures/lending.py
BORROWER_IIN = "900101300017"


def _get(browser, user, name, pk, language):
    return browser.as_user(user).get(reverse(f"collateral-documents:{name}", args=[pk, language]))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_pledge_agreement_of_a_vehicle_carries_the_parties_the_item_its_value_and_registration(
    browser, officer, vehicle, language
):
    response = _get(browser, officer, "pledge-agreement", vehicle.pk, language)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    agreement = vehicle.pledge
    for value in (
        agreement.number,
        timezone.localdate().strftime("%d.%m.%Y"),  # signed on
        PLEDGOR_NAME,
        PLEDGOR_IIN,
        BORROWER_NAME,
        BORROWER_IIN,
        vehicle.application.number,
        VIN,
        APPRAISER,
        LICENCE,
        TECH_PASSPORT_NUMBER,
        PURCHASE_CONTRACT_NUMBER,
        AUTHORITY,
        REGISTRATION_NUMBER,
        "20.01.2026",  # registered on
        POLICY_NUMBER,
        money("10000000", language),  # market value
        money("6000000", language),  # pledge value
        money("5000000", language),  # the amount the pledge secures
    ):
        assert value in text, value
    assert "10,000,000.00" not in text  # written as the document's language, not the reader's


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_pledge_agreement_of_land_identifies_it_by_its_cadastral_number(
    browser, officer, land, language
):
    response = _get(browser, officer, "pledge-agreement", land.pk, language)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert CADASTRAL_NUMBER in text
    assert "Таугүл" in text  # the address
    assert BORROWER_NAME in text and BORROWER_IIN in text  # the borrower pledges its own land
    assert money("12500000", language) in text
    assert money("6250000", language) in text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_guarantee_agreement_carries_the_guarantor_the_amount_and_the_loan(
    browser, officer, guarantee, language
):
    response = _get(browser, officer, "guarantee-agreement", guarantee.pk, language)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for value in (
        GUARANTOR_NAME,
        GUARANTOR_IIN,
        money("1500000", language),
        guarantee.application.number,
        BORROWER_NAME,
        money("5000000", language),
    ):
        assert value in text, value


def test_a_pledge_agreement_is_only_printed_once_it_has_a_number(browser, officer, secured):
    item = collateral.collateral_item_register(
        application_id=secured.pk,
        kind="vehicle",
        data={"description": "Toyota Hilux", "vin": VIN},
        by=officer,
    )
    response = _get(browser, officer, "pledge-agreement", item.pk, "ru")

    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="collateral.document_printed").exists()


def test_risk_managers_read_the_agreements_with_identifiers_masked(
    browser, make_user, vehicle, guarantee
):
    risk_manager = make_user(Role.RISK_MANAGER)
    pledge = pdf_text(_get(browser, risk_manager, "pledge-agreement", vehicle.pk, "ru").content)
    guaranty = pdf_text(
        _get(browser, risk_manager, "guarantee-agreement", guarantee.pk, "kk").content
    )

    assert PLEDGOR_NAME in pledge
    assert VIN not in pledge  # a registry number leads to the owner (core.privacy)
    assert PLEDGOR_IIN not in pledge and BORROWER_IIN not in pledge
    assert mask_identifier(PLEDGOR_IIN) in pledge
    assert GUARANTOR_IIN not in guaranty
    assert mask_identifier(GUARANTOR_IIN) in guaranty


def test_committee_members_see_the_identifiers(browser, make_user, vehicle):
    member = make_user(Role.COMMITTEE_MEMBER)
    text = pdf_text(_get(browser, member, "pledge-agreement", vehicle.pk, "kk").content)

    assert PLEDGOR_IIN in text and VIN in text


def test_the_agreements_state_the_terms_the_committee_approved(
    browser, officer, secured, advance, receive_all, make_user
):
    advance(secured, Stage.DOCUMENTS)
    receive_all(secured)
    advance(secured, Stage.COLLATERAL_APPRAISAL)
    item = pledge_vehicle(secured, officer)  # pledge value 6,000,000
    guarantee = collateral.guarantee_add(
        application_id=secured.pk,
        guarantor_name=GUARANTOR_NAME,
        identifier=GUARANTOR_IIN,
        amount=Decimal("1500000"),
        by=officer,
    )
    advance(secured, Stage.ASSESSMENT)
    services.debt_burden_assess(application_id=secured.pk, by=officer)
    services.conclusion_record(
        application_id=secured.pk,
        kind=Conclusion.Kind.CREDIT,
        recommendation=Conclusion.Recommendation.POSITIVE,
        text="ok",
        by=officer,
    )
    advance(secured, Stage.COMMITTEE)
    members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    agenda_item = committee.agenda_add(
        meeting_id=meeting.pk,
        application_id=secured.pk,
        amount=Decimal("4200000"),
        term_months=24,
        by=members[0],
    )
    for member in members:
        committee.vote_cast(item_id=agenda_item.pk, choice="for", by=member)
    committee.item_decide(item_id=agenda_item.pk, by=members[0])

    for name, pk in (("pledge-agreement", item.pk), ("guarantee-agreement", guarantee.pk)):
        text = pdf_text(_get(browser, officer, name, pk, "ru").content)
        assert money("4200000", "ru") in text, name
        assert money("5000000", "ru") not in text, name  # the request is superseded
    item.refresh_from_db()
    assert documents.pledge_agreement_context(item).loan.term_months == 24


def test_a_revaluation_after_the_signing_does_not_rewrite_the_agreement(
    browser, officer, secured, make_user
):
    today = timezone.localdate()
    item = collateral.collateral_item_register(
        application_id=secured.pk,
        kind="vehicle",
        data={"description": "Toyota Hilux", "vin": VIN},
        by=officer,
    )
    collateral.appraisal_record(
        item_id=item.pk,
        appraiser=APPRAISER,
        licence=LICENCE,
        appraised_on=today - timedelta(days=2),
        market_value=Decimal("10000000"),
        by=officer,
    )
    collateral.pledge_agreement_register(
        item_id=item.pk,
        encumbrance="not_registered",
        signed_on=today - timedelta(days=1),
        by=officer,
    )
    collateral.inspection_record(
        item_id=item.pk,
        inspected_on=today,
        present=True,
        condition="satisfactory",
        new_market_value=Decimal("7500000"),
        by=make_user(Role.MONITORING_MANAGER),
    )

    text = pdf_text(_get(browser, officer, "pledge-agreement", item.pk, "ru").content)

    assert money("10000000", "ru") in text and APPRAISER in text
    assert money("7500000", "ru") not in text


def test_a_pledge_agreement_needs_an_appraisal(browser, officer, secured):
    item = collateral.collateral_item_register(
        application_id=secured.pk,
        kind="vehicle",
        data={"description": "Toyota Hilux", "vin": VIN},
        by=officer,
    )
    collateral.pledge_agreement_register(item_id=item.pk, encumbrance="not_registered", by=officer)

    response = _get(browser, officer, "pledge-agreement", item.pk, "kk")

    assert response.status_code == 409
