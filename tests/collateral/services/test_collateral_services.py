from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import committee, services
from applications.errors import TransitionBlocked
from applications.models import Application, Conclusion, Stage
from collateral import services as collateral
from collateral.models import CollateralItem, Inspection, PledgeAgreement, TitleDocument
from collateral.selectors import application_coverage, inspection_queue
from core.errors import ConflictError, DomainError
from core.roles import Role

pytestmark = pytest.mark.django_db

VEHICLE = {
    "description": "Toyota Hilux",
    "vin": "JTFST22P700123456",
    "make": "Toyota",
    "make_country": "JP",
    "year_of_manufacture": timezone.localdate().year - 2,
    "free_of_third_party_rights": True,
    "free_of_budget_arrears": True,
}


@pytest.fixture
def secured(new_application, advance):
    """A secured application at the documents stage (5,000,000 KZT)."""
    return advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )


def _vehicle(application, officer, **changes):
    return collateral.collateral_item_register(
        application_id=application.pk, kind="vehicle", data={**VEHICLE, **changes}, by=officer
    )


def _appraise(item, officer, value="10000000", on=None):
    return collateral.appraisal_record(
        item_id=item.pk,
        appraiser="ТОО Бағалау",
        licence="ЛИЦ-001",
        appraised_on=on or timezone.localdate(),
        market_value=Decimal(value),
        by=officer,
    )


def test_pledge_value_is_market_value_times_the_liquidity_coefficient(secured, officer):
    item = _vehicle(secured, officer)
    appraisal = _appraise(item, officer, "8333333.33")
    assert appraisal.liquidity_coefficient == Decimal("0.6")
    assert appraisal.pledge_value == Decimal("5000000.00")  # 4,999,999.998 half-up
    assert application_coverage(secured) == Decimal("1.0000")


def test_an_appraisal_older_than_six_months_at_the_application_date_is_refused(secured, officer):
    item = _vehicle(secured, officer)
    application_date = timezone.localdate(secured.created_at)
    too_old = application_date - timedelta(days=200)
    with pytest.raises(DomainError) as error:
        _appraise(item, officer, on=too_old)
    assert error.value.field == "appraised_on"
    assert not item.appraisals.exists()


def test_unsecured_applications_take_no_collateral(new_application, advance, officer):
    application = advance(new_application(), Stage.PREQUALIFICATION, Stage.APPLICATION)
    with pytest.raises(ConflictError):
        _vehicle(application, officer)
    assert not CollateralItem.objects.exists()


def test_collateral_is_not_taken_before_the_application_stage(new_application, officer):
    with pytest.raises(ConflictError):
        _vehicle(new_application("almaty-secured", "5000000", 36, "6"), officer)


def test_a_third_party_pledgor_needs_a_valid_identifier(secured, officer):
    with pytest.raises(DomainError) as error:
        collateral.collateral_item_register(
            application_id=secured.pk,
            kind="vehicle",
            data=VEHICLE,
            pledgor={"is_borrower": False, "name": "Brother", "identifier": "900101300018"},
            by=officer,
        )
    assert error.value.field == "pledgor.identifier"


def _to_appraisal(secured, advance, receive_all):
    advance(secured, Stage.DOCUMENTS)
    receive_all(secured)
    return advance(secured, Stage.COLLATERAL_APPRAISAL)


def test_ineligible_collateral_blocks_the_assessment_with_reasons(
    secured, officer, advance, receive_all
):
    _to_appraisal(secured, advance, receive_all)
    _vehicle(
        secured,
        officer,
        make_country="CN",
        year_of_manufacture=timezone.localdate().year - 5,  # over 3 years for a Chinese make
        free_of_budget_arrears=False,
    )
    with pytest.raises(TransitionBlocked) as error:
        services.application_advance(application_id=secured.pk, to=Stage.ASSESSMENT, by=officer)
    message = error.value.message
    assert "the limit for its make is 3" in message
    assert "budget arrears" in message
    assert "original title documents" in message
    assert "not been appraised" in message
    assert Application.objects.get(pk=secured.pk).stage == Stage.COLLATERAL_APPRAISAL


def test_eligible_appraised_collateral_lets_the_assessment_start(
    secured, officer, advance, receive_all
):
    _to_appraisal(secured, advance, receive_all)
    item = _vehicle(secured, officer)
    collateral.title_document_add(item_id=item.pk, name="Техпаспорт", number="AB123", by=officer)
    _appraise(item, officer)
    advance(secured, Stage.ASSESSMENT)
    assert secured.stage == Stage.ASSESSMENT


def test_minimum_coverage_is_enforced_at_the_decision(
    secured, officer, advance, receive_all, make_user
):
    _to_appraisal(secured, advance, receive_all)
    item = _vehicle(secured, officer)
    collateral.title_document_add(item_id=item.pk, name="Техпаспорт", by=officer)
    _appraise(item, officer, "7000000")  # pledge value 4,200,000: 0.84 of 5,000,000
    advance(secured, Stage.ASSESSMENT)
    services.debt_burden_assess(application_id=secured.pk, by=officer)
    services.conclusion_record(
        application_id=secured.pk,
        kind=Conclusion.Kind.CREDIT,
        recommendation="positive",
        text="ok",
        by=officer,
    )
    advance(secured, Stage.COMMITTEE)
    members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    with pytest.raises(DomainError, match=r"covers 0\.8400 .* requires 1") as error:
        committee.agenda_add(meeting_id=meeting.pk, application_id=secured.pk, by=members[0])
    assert error.value.field == "amount"
    # a smaller amount that the collateral covers goes on the agenda
    item = committee.agenda_add(
        meeting_id=meeting.pk,
        application_id=secured.pk,
        amount=Decimal("4200000"),
        by=members[0],
    )
    assert item.amount == Decimal("4200000")


def test_inspection_with_a_lower_value_flags_the_coverage(secured, officer, make_user):
    item = _vehicle(secured, officer)
    _appraise(item, officer, "10000000")  # 6,000,000: coverage 1.2
    inspector = make_user(Role.MONITORING_MANAGER)
    inspection = collateral.inspection_record(
        item_id=item.pk,
        inspected_on=timezone.localdate(),
        present=True,
        condition=Inspection.Condition.POOR,
        new_market_value=Decimal("7500000"),  # 4,500,000: coverage 0.9
        by=inspector,
    )
    assert inspection.coverage_after == Decimal("0.9000")
    assert inspection.below_required_coverage is True
    assert application_coverage(secured) == Decimal("0.9000")


def test_inspection_queue_lists_only_overdue_items(secured, officer, make_user):
    overdue = _vehicle(secured, officer)
    fresh = _vehicle(secured, officer, vin="JTFST22P700654321")
    long_ago = timezone.now() - timedelta(days=200)
    CollateralItem.objects.filter(pk__in=[overdue.pk, fresh.pk]).update(registered_at=long_ago)
    collateral.inspection_record(
        item_id=fresh.pk,
        inspected_on=timezone.localdate() - timedelta(days=10),
        present=True,
        condition="good",
        by=make_user(Role.MONITORING_MANAGER),
    )
    queue = inspection_queue(as_of=timezone.localdate())
    assert [row.item_id for row in queue] == [overdue.pk]
    assert queue[0].days_overdue > 0


def test_registered_encumbrance_needs_authority_date_and_number(secured, officer):
    item = _vehicle(secured, officer)
    with pytest.raises(DomainError) as error:
        collateral.pledge_agreement_register(item_id=item.pk, encumbrance="registered", by=officer)
    assert error.value.field == "authority"
    agreement = collateral.pledge_agreement_register(
        item_id=item.pk,
        encumbrance="registered",
        authority="СпецЦОН",
        registered_on=timezone.localdate(),
        registration_number="R-77",
        by=officer,
    )
    assert agreement.encumbrance == PledgeAgreement.Encumbrance.REGISTERED


def test_insurance_must_name_the_mfo_as_beneficiary(secured, officer):
    item = _vehicle(secured, officer)
    with pytest.raises(DomainError) as error:
        collateral.insurance_add(
            item_id=item.pk,
            insurer="Kompetenz",
            policy_number="P1",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 1, 1),
            sum_insured=Decimal("10000000"),
            mfo_is_beneficiary=False,
            by=officer,
        )
    assert error.value.field == "mfo_is_beneficiary"


def test_insurance_excess_is_due_to_the_pledgor_in_three_business_days(secured, officer):
    item = _vehicle(secured, officer)
    payout = collateral.insurance_payout_record(
        item_id=item.pk,
        received_on=date(2026, 3, 19),  # Thursday before Nauryz
        amount=Decimal("6000000"),
        secured_debt=Decimal("4500000.50"),
        by=officer,
    )
    assert payout.excess == Decimal("1499999.50")
    # Fri 20th, then Nauryz 21–25 March (days off), Thu 26th, Fri 27th
    assert payout.pay_excess_by == date(2026, 3, 27)


def test_a_legal_entity_guarantees_by_a_decision_of_its_body(secured, officer):
    with pytest.raises(DomainError) as error:
        collateral.guarantee_add(
            application_id=secured.pk,
            guarantor_name="ТОО Гарант",
            identifier="180340000015",
            amount=Decimal("1000000"),
            is_legal_entity=True,
            by=officer,
        )
    assert error.value.field == "body_decision"
    guarantee = collateral.guarantee_add(
        application_id=secured.pk,
        guarantor_name="ТОО Гарант",
        identifier="180340000015",
        amount=Decimal("1000000"),
        is_legal_entity=True,
        body_decision="Протокол №3 от 01.11.2026",
        by=officer,
    )
    assert guarantee.joint_and_several


def test_release_returns_the_originals(secured, officer):
    item = _vehicle(secured, officer)
    collateral.title_document_add(item_id=item.pk, name="Техпаспорт", by=officer)
    with pytest.raises(ConflictError):
        collateral.collateral_release(item_id=item.pk, by=officer)
    Application.objects.filter(pk=secured.pk).update(stage=Stage.DECLINED)
    collateral.collateral_release(item_id=item.pk, by=officer)
    assert TitleDocument.objects.get(item=item).original_returned_at is not None
    with pytest.raises(ConflictError):
        collateral.collateral_release(item_id=item.pk, by=officer)


def test_inspection_photos_are_jpeg_or_png(secured, officer, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = _vehicle(secured, officer)
    inspection = collateral.inspection_record(
        item_id=item.pk,
        inspected_on=timezone.localdate(),
        present=True,
        condition="good",
        by=make_user(Role.MONITORING_MANAGER),
    )
    jpeg = SimpleUploadedFile("car.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    photo = collateral.inspection_photo_add(inspection_id=inspection.pk, upload=jpeg, by=officer)
    assert photo.file.name.endswith(".jpg")
    text = SimpleUploadedFile("car.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(DomainError) as error:
        collateral.inspection_photo_add(inspection_id=inspection.pk, upload=text, by=officer)
    assert error.value.field == "photo"
    assert inspection.photos.count() == 1
