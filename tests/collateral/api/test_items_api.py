from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from applications import services
from applications.models import Stage
from collateral.models import (
    Appraisal,
    CollateralItem,
    Insurance,
    PledgeAgreement,
    Pledgor,
    TitleDocument,
)
from core.models import AuditEvent
from core.roles import Role

from .conftest import (
    BORROWER_IIN,
    COVERAGE,
    ITEMS,
    VEHICLE,
    iin_for,
    item_url,
    ok,
    refused,
)

pytestmark = pytest.mark.django_db


def collateral_events(application_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="collateral.", target_id=str(application_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- the main flow --------------------------------------------------------------------------


def test_a_vehicle_is_pledged_appraised_registered_insured_inspected_and_paid_out(
    client_for, secured, officer
):
    today = timezone.localdate()
    api = client_for(user=officer)

    item = ok(api.post(ITEMS, {**VEHICLE, "application": secured.pk}, format="json"), 201)
    pk = item["id"]
    assert (item["application"], item["application_number"]) == (secured.pk, secured.number)
    assert (item["kind"], item["vin"], item["make_country"]) == ("vehicle", VEHICLE["vin"], "JP")
    assert item["pledgor"] == {
        "is_borrower": True,
        "applicant": secured.applicant_id,
        "is_legal_entity": False,
        "name": "ИП Сейтқали",
        "identifier": BORROWER_IIN,
        "body_decision": "",
    }
    assert item["eligible"] is False
    assert {r["code"] for r in item["reasons"]} == {"title_documents_missing", "appraisal_missing"}
    assert "not been appraised" in " ".join(r["message"] for r in item["reasons"])
    assert item["pledge_value"] is None

    body = ok(api.post(item_url(pk, "title-documents"), {"name": "Техпаспорт", "number": "AB 123"}))
    (document,) = body["title_documents"]
    assert (document["name"], document["number"], document["original_held"]) == (
        "Техпаспорт",
        "AB 123",
        True,
    )
    assert document["original_received_at"] and document["original_returned_at"] is None
    assert [r["code"] for r in body["reasons"]] == ["appraisal_missing"]

    appraisal_data = {
        "appraiser": "ТОО Бағалау",
        "licence": "ЛИЦ-001",
        "appraised_on": today.isoformat(),
        "market_value": "10000000",
    }
    body = ok(api.post(item_url(pk, "appraisals"), appraisal_data))
    (appraisal,) = body["appraisals"]
    assert appraisal["market_value"] == "10000000.00"
    assert appraisal["liquidity_coefficient"] == "0.6000"
    assert appraisal["pledge_value"] == "6000000.00"
    assert body["pledge_value"] == "6000000.00"
    assert (body["eligible"], body["reasons"]) == (True, [])

    coverage = ok(api.get(COVERAGE, {"application": secured.pk}))
    assert coverage == {
        "application": secured.pk,
        "application_number": secured.number,
        "product_code": "almaty-secured",
        "amount": "5000000.00",
        "amount_basis": "requested",
        "pledge_value": "6000000.00",
        "coverage": "1.2000",
        "required_coverage": "1.0000",
        "meets_minimum": True,
        "shortfall": "0.00",
        "items": [
            {
                "item": pk,
                "kind": "vehicle",
                "description": "Toyota Hilux",
                "appraised_on": today.isoformat(),
                "market_value": "10000000.00",
                "pledge_value": "6000000.00",
            }
        ],
    }

    encumbrance = {
        "encumbrance": "registered",
        "authority": "СпецЦОН",
        "registered_on": today.isoformat(),
        "registration_number": "R-77",
        "signed_on": today.isoformat(),
    }
    body = ok(api.post(item_url(pk, "encumbrance"), encumbrance))
    assert body["pledge_agreement"] == {"number": f"P-{secured.number}-{pk}", **encumbrance}

    policy = {
        "insurer": "Kompetenz",
        "policy_number": "P-1",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=365)).isoformat(),
        "sum_insured": "10000000",
        "mfo_is_beneficiary": True,
    }
    (insurance,) = ok(api.post(item_url(pk, "insurances"), policy))["insurances"]
    assert insurance["sum_insured"] == "10000000.00"
    assert (insurance["policy_number"], insurance["mfo_is_beneficiary"]) == ("P-1", True)

    monitor = client_for(Role.MONITORING_MANAGER)
    visit = {
        "inspected_on": today.isoformat(),
        "present": True,
        "condition": "poor",
        "notes": "Dented after an accident.",
        "new_market_value": "7500000",  # pledge value 4,500,000: 0.9 of the amount
    }
    body = ok(monitor.post(item_url(pk, "inspections"), visit))
    (inspection,) = body["inspections"]
    assert inspection["below_required_coverage"] is True
    assert inspection["coverage_after"] == "0.9000"
    assert (inspection["condition"], inspection["new_market_value"]) == ("poor", "7500000.00")
    assert body["pledge_value"] == "4500000.00"
    # the flag is there for every reader of the item, and the coverage shows the gap
    seen = ok(client_for(Role.RISK_MANAGER).get(item_url(pk)))
    assert seen["inspections"][0]["below_required_coverage"] is True
    coverage = ok(api.get(COVERAGE, {"application": secured.pk}))
    assert (coverage["coverage"], coverage["meets_minimum"], coverage["shortfall"]) == (
        "0.9000",
        False,
        "500000.00",
    )

    payout = {"received_on": "2026-03-19", "amount": "6000000", "secured_debt": "4500000.50"}
    (paid,) = ok(monitor.post(item_url(pk, "insurance-payouts"), payout))["insurance_payouts"]
    assert {key: value for key, value in paid.items() if key != "id"} == {
        "received_on": "2026-03-19",
        "amount": "6000000.00",
        "secured_debt": "4500000.50",
        "excess": "1499999.50",
        # Fri 20th, then Nauryz 21–25 March (days off), Thu 26th, Fri 27th
        "pay_excess_by": "2026-03-27",
        "excess_paid_on": None,
    }

    assert collateral_events(secured.pk) == [
        "collateral.item_registered",
        "collateral.title_document_added",
        "collateral.appraised",
        "collateral.encumbrance",
        "collateral.insured",
        "collateral.inspected",
        "collateral.insurance_payout",
    ]


def test_a_payout_within_the_debt_owes_the_pledgor_nothing(client_for, vehicle):
    monitor = client_for(Role.MONITORING_MANAGER)
    payout = {"received_on": "2026-03-19", "amount": "4000000", "secured_debt": "4500000"}
    (paid,) = ok(monitor.post(item_url(vehicle.pk, "insurance-payouts"), payout))[
        "insurance_payouts"
    ]
    assert (paid["excess"], paid["pay_excess_by"]) == ("0.00", None)


def test_real_estate_is_registered_with_its_cadastral_data_and_reasons(client_for, secured):
    api = client_for(Role.BRANCH_SYSTEM)
    house = {
        "application": secured.pk,
        "kind": "housing",
        "description": "House, 120 m²",
        "cadastral_number": "20:311:014:123",
        "address": "Караганда, ул. Ерубаева 10",
        "region": "karaganda",
        "in_regional_centre": False,
        "state_registered": True,
        "free_of_third_party_rights": True,
    }
    item = ok(api.post(ITEMS, house, format="json"), 201)
    assert (item["cadastral_number"], item["region"]) == ("20:311:014:123", "karaganda")
    assert {reason["field"]: reason["code"] for reason in item["reasons"]} == {
        "region": "region_not_served",  # Karaganda region: only its centre is served
        "has_original_title_documents": "title_documents_missing",
        "free_of_budget_arrears": "budget_arrears",
        "appraisal_date": "appraisal_missing",
    }


# --- bad input names the field and writes nothing -------------------------------------------


def test_an_appraisal_older_than_six_months_is_refused_naming_the_date(
    client_for, secured, vehicle
):
    too_old = timezone.localdate(secured.created_at) - timedelta(days=200)
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(
        item_url(vehicle.pk, "appraisals"),
        {
            "appraiser": "ТОО Бағалау",
            "licence": "ЛИЦ-001",
            "appraised_on": too_old.isoformat(),
            "market_value": "10000000",
        },
    )
    message = refused(response, 400, "appraised_on", "invalid")
    assert "more than 6 months older than the application" in message
    assert not Appraisal.objects.exists()
    assert "collateral.appraised" not in collateral_events(secured.pk)


def test_a_registered_encumbrance_without_its_number_is_refused(client_for, vehicle):
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(
        item_url(vehicle.pk, "encumbrance"),
        {
            "encumbrance": "registered",
            "authority": "СпецЦОН",
            "registered_on": timezone.localdate().isoformat(),
        },
    )
    message = refused(response, 400, "registration_number")
    assert "the authority, the date and the number" in message
    assert not PledgeAgreement.objects.exists()  # not even the agreement without it


def test_a_policy_without_the_mfo_as_beneficiary_is_refused(client_for, vehicle):
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(
        item_url(vehicle.pk, "insurances"),
        {
            "insurer": "Kompetenz",
            "policy_number": "P-1",
            "starts_on": "2026-01-01",
            "ends_on": "2027-01-01",
            "sum_insured": "10000000",
            "mfo_is_beneficiary": False,
        },
    )
    message = refused(response, 400, "mfo_is_beneficiary")
    assert message == "The MFO must be the beneficiary of the policy."
    assert not Insurance.objects.exists()


def test_a_third_party_pledgor_with_a_bad_iin_is_refused_and_nothing_is_registered(
    client_for, secured
):
    events = AuditEvent.objects.count()
    pledgor = {"is_borrower": False, "name": "Brother", "identifier": "900101300018"}
    response = client_for(Role.BRANCH_SYSTEM).post(
        ITEMS, {**VEHICLE, "application": secured.pk, "pledgor": pledgor}, format="json"
    )
    message = refused(response, 400, "pledgor.identifier")
    assert message == "The control digit does not match."
    assert not CollateralItem.objects.exists()
    assert not Pledgor.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_unknown_kind_is_refused_naming_the_kind(client_for, secured):
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(
        ITEMS, {**VEHICLE, "kind": "boat", "application": secured.pk}, format="json"
    )
    assert "boat" in refused(response, 400, "kind")
    assert not CollateralItem.objects.exists()


def test_a_vehicle_is_identified_by_its_own_data_only(client_for, secured):
    data = {**VEHICLE, "application": secured.pk, "cadastral_number": "20:311:014:123"}
    del data["vin"]
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(ITEMS, data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "cadastral_number": ["Does not apply to this type of collateral."],
        "vin": ["Required for this type of collateral."],
    }
    assert not CollateralItem.objects.exists()


def test_a_vin_with_letters_it_never_has_is_refused(client_for, secured):
    data = {**VEHICLE, "application": secured.pk, "vin": "JTFST22P7001234I6"}
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(ITEMS, data, format="json")
    assert "without I, O and Q" in refused(response, 400, "vin")


def test_the_borrower_as_pledgor_takes_no_second_name(client_for, secured):
    data = {**VEHICLE, "application": secured.pk, "pledgor": {"name": "Someone else"}}
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(ITEMS, data, format="json")
    assert "taken from the application" in refused(response, 400, "pledgor.name")
    assert not CollateralItem.objects.exists()


def test_an_unsecured_application_takes_no_collateral(client_for, new_application, advance):
    application = advance(new_application(), Stage.PREQUALIFICATION, Stage.APPLICATION)
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(
        ITEMS, {**VEHICLE, "application": application.pk}, format="json"
    )
    assert "unsecured" in refused(response, 409, "application", "conflict")
    assert not CollateralItem.objects.exists()


# --- release --------------------------------------------------------------------------------


def test_release_at_closure_returns_the_originals_and_moves_the_item_to_released(
    client_for, secured, vehicle, officer
):
    other = client_for(Role.CREDIT_ADMINISTRATOR).post(
        ITEMS, {**VEHICLE, "application": secured.pk, "vin": "JTFST22P700654321"}, format="json"
    )
    kept = ok(other, 201)["id"]
    api = client_for(Role.CREDIT_ADMINISTRATOR)
    ok(api.post(item_url(vehicle.pk, "title-documents"), {"name": "Техпаспорт"}))

    message = refused(api.post(item_url(vehicle.pk, "release")), 409, "item", "conflict")
    assert "only when the loan is closed" in message
    assert CollateralItem.objects.get(pk=vehicle.pk).released_at is None

    services.application_withdraw(application_id=secured.pk, comment="", by=officer)
    body = ok(api.post(item_url(vehicle.pk, "release")))
    assert body["released_at"] is not None
    (document,) = body["title_documents"]
    assert document["original_returned_at"] is not None and document["original_held"] is False

    def listed(released: str) -> list[int]:
        return [row["id"] for row in ok(api.get(ITEMS, {"released": released}))["results"]]

    assert listed("true") == [vehicle.pk]
    assert listed("false") == [kept]
    # a released item takes no further change
    refused(api.post(item_url(vehicle.pk, "release")), 409, "item")
    refused(
        api.post(item_url(vehicle.pk, "title-documents"), {"name": "Договор купли-продажи"}),
        409,
        "item",
    )
    assert TitleDocument.objects.filter(item=vehicle).count() == 1


# --- reading --------------------------------------------------------------------------------


def test_items_are_listed_with_their_pledge_value_and_filtered(
    client_for, secured, appraised, new_application, advance
):
    second = advance(
        new_application("almaty-secured", "3000000", 24, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )
    api = client_for(Role.CREDIT_ADMINISTRATOR)
    land = {
        "application": second.pk,
        "kind": "land",
        "description": "Plot, 10 sotok",
        "cadastral_number": "03:047:001:555",
        "address": "Алматинская обл., Талгар",
        "region": "almaty",
    }
    land_id = ok(api.post(ITEMS, land, format="json"), 201)["id"]

    def ids(**query) -> list[int]:
        return sorted(row["id"] for row in ok(api.get(ITEMS, query))["results"])

    assert ids() == sorted([appraised.pk, land_id])
    assert ids(application=secured.pk) == [appraised.pk]
    assert ids(kind="land") == [land_id]
    assert ids(kind="vehicle", application=second.pk) == []
    rows = {row["id"]: row for row in ok(api.get(ITEMS))["results"]}
    assert rows[appraised.pk]["pledge_value"] == "6000000.00"
    assert rows[appraised.pk]["pledgor_name"] == "ИП Сейтқали"
    assert rows[land_id]["pledge_value"] is None
    refused(api.get(ITEMS, {"kind": "boat"}), 400, "kind")


def test_opening_an_item_opens_the_credit_file_and_listing_does_not(client_for, vehicle, secured):
    api = client_for(Role.COMMITTEE_MEMBER)
    ok(api.get(ITEMS))
    opened = AuditEvent.objects.filter(action="credit_file.opened", target_id=str(secured.pk))
    assert not opened.exists()
    ok(api.get(item_url(vehicle.pk)))
    assert opened.count() == 1


def test_an_unknown_item_is_404_and_opens_nothing(client_for, db):
    response = client_for(Role.CREDIT_ADMINISTRATOR).get(item_url(999_999))
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code", "errors"}
    assert not AuditEvent.objects.filter(action="credit_file.opened").exists()


# --- the pledgor's identifier ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.RISK_MANAGER, "9001******17"),
        (Role.BRANCH_SYSTEM, "9001******17"),
        (Role.MONITORING_MANAGER, BORROWER_IIN),
        (Role.CREDIT_ADMINISTRATOR, BORROWER_IIN),
    ],
)
def test_the_borrowers_identifier_is_shown_by_role(client_for, vehicle, role, shown):
    assert ok(client_for(role).get(item_url(vehicle.pk)))["pledgor"]["identifier"] == shown


def test_a_third_party_pledgors_iin_is_masked_for_the_risk_manager(client_for, secured):
    brother = iin_for(date(1985, 4, 12))
    branch = client_for(Role.BRANCH_SYSTEM)
    pledgor = {"is_borrower": False, "name": "Сейтқали Ерлан", "identifier": brother}
    item = ok(
        branch.post(
            ITEMS, {**VEHICLE, "application": secured.pk, "pledgor": pledgor}, format="json"
        ),
        201,
    )
    # the branch system that sent the number sees it back; readers without need-to-know do not
    assert item["pledgor"]["identifier"] == brother
    assert item["pledgor"]["is_borrower"] is False
    masked = brother[:4] + "******" + brother[-2:]
    for role, shown in [
        (Role.RISK_MANAGER, masked),
        (Role.BRANCH_SYSTEM, masked),
        (Role.COMMITTEE_MEMBER, brother),
    ]:
        body = ok(client_for(role).get(item_url(item["id"])))
        assert body["pledgor"]["identifier"] == shown, role
        assert body["pledgor"]["name"] == "Сейтқали Ерлан"


def test_monitoring_attaches_a_photo_to_an_inspection(client_for, vehicle):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monitor = client_for(Role.MONITORING_MANAGER)
    body = ok(
        monitor.post(
            item_url(vehicle.pk, "inspections"),
            {"inspected_on": "2026-11-20", "present": True, "condition": "good"},
            format="json",
        )
    )
    inspection = body["inspections"][0]["id"]
    photo = SimpleUploadedFile("car.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    body = ok(
        monitor.post(
            item_url(vehicle.pk, "inspection-photos"),
            {"inspection": inspection, "photo": photo},
            format="multipart",
        )
    )
    assert len(body["inspections"][0]["photos"]) == 1
    not_an_image = SimpleUploadedFile("x.jpg", b"MZ...", content_type="image/jpeg")
    response = monitor.post(
        item_url(vehicle.pk, "inspection-photos"),
        {"inspection": inspection, "photo": not_an_image},
        format="multipart",
    )
    assert response.status_code == 400
    assert "photo" in response.json()["errors"]
