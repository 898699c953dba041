from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import committee, services
from applications.models import Conclusion, Stage
from collateral import services as collateral
from collateral.models import CollateralItem, Guarantee
from core.roles import Role

from .conftest import COVERAGE, DUE, ENTITY_BIN, GUARANTEES, VEHICLE, ok, refused

pytestmark = pytest.mark.django_db


# --- guarantees -----------------------------------------------------------------------------


def entity_guarantee(application_id: int, **change) -> dict:
    return {
        "application": application_id,
        "guarantor_name": "ТОО Гарант",
        "identifier": ENTITY_BIN,
        "is_legal_entity": True,
        "body_decision": "Протокол №3 от 01.11.2026",
        "amount": "1000000",
        **change,
    }


def test_a_guarantee_is_added_and_listed_by_application(
    client_for, secured, new_application, advance
):
    api = client_for(Role.CREDIT_ADMINISTRATOR)
    created = ok(api.post(GUARANTEES, entity_guarantee(secured.pk), format="json"), 201)
    assert {key: value for key, value in created.items() if key not in {"id", "registered_at"}} == {
        "application": secured.pk,
        "application_number": secured.number,
        "is_legal_entity": True,
        "guarantor_name": "ТОО Гарант",
        "identifier": ENTITY_BIN,
        "body_decision": "Протокол №3 от 01.11.2026",
        "amount": "1000000.00",
        "joint_and_several": True,
    }
    other = advance(
        new_application("almaty-secured", "3000000", 24, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )
    ok(api.post(GUARANTEES, entity_guarantee(other.pk, amount="500000"), format="json"), 201)

    listed = ok(api.get(GUARANTEES, {"application": secured.pk}))["results"]
    assert [row["id"] for row in listed] == [created["id"]]
    assert ok(api.get(GUARANTEES))["count"] == 2


def test_an_entity_guarantees_only_by_a_decision_of_its_body(client_for, secured):
    response = client_for(Role.BRANCH_SYSTEM).post(
        GUARANTEES, entity_guarantee(secured.pk, body_decision=""), format="json"
    )
    assert "decision of its body" in refused(response, 400, "body_decision")
    assert not Guarantee.objects.exists()


def test_a_guarantor_with_a_bad_bin_is_refused_naming_the_identifier(client_for, secured):
    response = client_for(Role.CREDIT_ADMINISTRATOR).post(
        GUARANTEES, entity_guarantee(secured.pk, identifier="180340000016"), format="json"
    )
    refused(response, 400, "identifier")
    assert not Guarantee.objects.exists()


def test_the_guarantors_bin_is_masked_for_the_risk_manager(client_for, secured):
    api = client_for(Role.CREDIT_ADMINISTRATOR)
    ok(api.post(GUARANTEES, entity_guarantee(secured.pk), format="json"), 201)
    (row,) = ok(client_for(Role.RISK_MANAGER).get(GUARANTEES))["results"]
    assert row["identifier"] == "1803******15"
    (row,) = ok(client_for(Role.COMMITTEE_MEMBER).get(GUARANTEES))["results"]
    assert row["identifier"] == ENTITY_BIN


# --- coverage -------------------------------------------------------------------------------


def test_coverage_before_any_appraisal_is_unknown_and_the_whole_amount_missing(
    client_for, secured, vehicle
):
    body = ok(client_for(Role.RISK_MANAGER).get(COVERAGE, {"application": secured.pk}))
    assert body["coverage"] is None
    assert (body["meets_minimum"], body["shortfall"], body["pledge_value"]) == (
        False,
        "5000000.00",
        "0.00",
    )
    assert body["items"] == [
        {
            "item": vehicle.pk,
            "kind": "vehicle",
            "description": "Toyota Hilux",
            "appraised_on": None,
            "market_value": None,
            "pledge_value": None,
        }
    ]


def test_coverage_needs_a_known_application(client_for, db):
    api = client_for(Role.CREDIT_ADMINISTRATOR)
    refused(api.get(COVERAGE), 400, "application")
    refused(api.get(COVERAGE, {"application": 999_999}), 400, "application")


def test_coverage_after_the_decision_is_of_the_approved_amount(
    client_for, secured, officer, advance, receive_all, make_user
):
    advance(secured, Stage.DOCUMENTS)
    receive_all(secured)
    advance(secured, Stage.COLLATERAL_APPRAISAL)
    fields = {key: value for key, value in VEHICLE.items() if key != "kind"}
    item = collateral.collateral_item_register(
        application_id=secured.pk, kind="vehicle", data=fields, by=officer
    )
    collateral.title_document_add(item_id=item.pk, name="Техпаспорт", by=officer)
    collateral.appraisal_record(
        item_id=item.pk,
        appraiser="ТОО Бағалау",
        licence="ЛИЦ-001",
        appraised_on=timezone.localdate(),
        market_value=Decimal("10000000"),  # pledge value 6,000,000
        by=officer,
    )
    advance(secured, Stage.ASSESSMENT)
    services.debt_burden_assess(application_id=secured.pk, by=officer)
    services.conclusion_record(
        application_id=secured.pk,
        kind=Conclusion.Kind.CREDIT,
        recommendation=Conclusion.Recommendation.POSITIVE,
        text="Solvent.",
        by=officer,
    )
    advance(secured, Stage.COMMITTEE)
    members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    agenda = committee.agenda_add(
        meeting_id=meeting.pk, application_id=secured.pk, amount=Decimal("4000000"), by=members[0]
    )
    for member in members:
        committee.vote_cast(item_id=agenda.pk, choice="for", by=member)
    committee.item_decide(item_id=agenda.pk, by=members[0])

    body = ok(client_for(Role.COMMITTEE_MEMBER).get(COVERAGE, {"application": secured.pk}))
    assert (body["amount"], body["amount_basis"]) == ("4000000.00", "approved")
    assert (body["coverage"], body["meets_minimum"]) == ("1.5000", True)


# --- the monitoring queue -------------------------------------------------------------------


def test_the_queue_lists_items_whose_inspection_is_overdue(client_for, secured, officer):
    fields = {key: value for key, value in VEHICLE.items() if key != "kind"}
    overdue, fresh = (
        collateral.collateral_item_register(
            application_id=secured.pk, kind="vehicle", data={**fields, "vin": vin}, by=officer
        )
        for vin in ("JTFST22P700123456", "JTFST22P700654321")
    )
    long_ago = timezone.now() - timedelta(days=200)
    CollateralItem.objects.filter(pk__in=[overdue.pk, fresh.pk]).update(registered_at=long_ago)
    monitor = client_for(Role.MONITORING_MANAGER)
    ok(
        monitor.post(
            f"/api/v1/collateral/items/{fresh.pk}/inspections/",
            {
                "inspected_on": timezone.localdate().isoformat(),
                "present": True,
                "condition": "good",
            },
        )
    )

    body = ok(monitor.get(DUE))
    assert body["count"] == 1
    (row,) = body["results"]
    assert (row["item"], row["application"], row["application_number"]) == (
        overdue.pk,
        secured.pk,
        secured.number,
    )
    assert (row["kind"], row["description"]) == ("vehicle", "Toyota Hilux")
    assert row["days_overdue"] > 0
    assert row["due"] < timezone.localdate().isoformat()


def test_the_queue_is_empty_when_every_inspection_is_on_time(client_for, vehicle):
    assert ok(client_for(Role.MONITORING_MANAGER).get(DUE))["results"] == []
