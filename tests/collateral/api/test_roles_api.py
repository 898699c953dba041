"""Who may read and change collateral; a refused request reads and writes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from applications import services
from collateral.models import (
    Appraisal,
    CollateralItem,
    Guarantee,
    Inspection,
    Insurance,
    InsurancePayout,
    PledgeAgreement,
    Pledgor,
    TitleDocument,
)
from core.models import AuditEvent
from core.roles import Role

from .conftest import COVERAGE, DUE, ENTITY_BIN, GUARANTEES, ITEMS, VEHICLE, item_url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()
WRITES = {
    "title-documents": {"name": "Техпаспорт"},
    "appraisals": {
        "appraiser": "ТОО Бағалау",
        "licence": "ЛИЦ-001",
        "appraised_on": TODAY,
        "market_value": "10000000",
    },
    "encumbrance": {"encumbrance": "submitted", "authority": "СпецЦОН"},
    "insurances": {
        "insurer": "Kompetenz",
        "policy_number": "P-1",
        "starts_on": "2026-01-01",
        "ends_on": "2027-01-01",
        "sum_insured": "10000000",
        "mfo_is_beneficiary": True,
    },
    "inspections": {"inspected_on": TODAY, "present": True, "condition": "good"},
    "insurance-payouts": {"received_on": TODAY, "amount": "100", "secured_debt": "50"},
    "release": {},
}
MODELS = [
    CollateralItem,
    Pledgor,
    TitleDocument,
    Appraisal,
    PledgeAgreement,
    Insurance,
    Inspection,
    InsurancePayout,
    Guarantee,
    AuditEvent,
]


def written() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def new_item(application_id: int) -> dict:
    return {**VEHICLE, "application": application_id, "vin": "JTFST22P700999999"}


def guarantee(application_id: int) -> dict:
    return {
        "application": application_id,
        "guarantor_name": "ТОО Гарант",
        "identifier": ENTITY_BIN,
        "is_legal_entity": True,
        "body_decision": "Протокол №3",
        "amount": "1000000",
    }


def test_an_accountant_reads_nothing_and_opens_nothing(client_for, secured, vehicle):
    api = client_for(Role.ACCOUNTANT)
    before = written()
    for path, query in [
        (ITEMS, {}),
        (item_url(vehicle.pk), {}),
        (GUARANTEES, {}),
        (COVERAGE, {"application": secured.pk}),
        (DUE, {}),
    ]:
        response = api.get(path, query)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"
    assert api.post(ITEMS, new_item(secured.pk), format="json").status_code == 403
    assert written() == before  # not even the audit row of an opened credit file


@pytest.mark.parametrize("action", [a for a in WRITES if a != "release"])
def test_a_risk_manager_reads_but_cannot_change_an_item(client_for, vehicle, action):
    api = client_for(Role.RISK_MANAGER)
    assert api.get(item_url(vehicle.pk)).status_code == 200
    before = written()
    response = api.post(item_url(vehicle.pk, action), WRITES[action], format="json")
    assert response.status_code == 403
    assert response.json()["errors"] == {}
    assert written() == before


def test_a_risk_manager_cannot_register_collateral_or_guarantees(client_for, secured):
    api = client_for(Role.RISK_MANAGER)
    assert api.get(ITEMS).status_code == 200
    assert api.get(GUARANTEES).status_code == 200
    before = written()
    assert api.post(ITEMS, new_item(secured.pk), format="json").status_code == 403
    assert api.post(GUARANTEES, guarantee(secured.pk), format="json").status_code == 403
    assert written() == before


@pytest.mark.parametrize("role", [Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM])
@pytest.mark.parametrize("action", ["inspections", "insurance-payouts"])
def test_only_monitoring_records_inspections_and_payouts(client_for, vehicle, role, action):
    before = written()
    response = client_for(role).post(item_url(vehicle.pk, action), WRITES[action], format="json")
    assert response.status_code == 403
    assert written() == before
    # the same request from a monitoring manager is recorded
    monitor = client_for(Role.MONITORING_MANAGER)
    assert monitor.post(item_url(vehicle.pk, action), WRITES[action]).status_code == 200


@pytest.mark.parametrize("role", [Role.MONITORING_MANAGER, Role.COMMITTEE_MEMBER])
@pytest.mark.parametrize("action", ["title-documents", "appraisals", "encumbrance", "insurances"])
def test_readers_cannot_add_documents_values_pledges_or_insurance(
    client_for, vehicle, role, action
):
    before = written()
    response = client_for(role).post(item_url(vehicle.pk, action), WRITES[action], format="json")
    assert response.status_code == 403
    assert written() == before


@pytest.mark.parametrize("action", ["title-documents", "appraisals", "encumbrance", "insurances"])
def test_a_branch_system_records_what_it_receives(client_for, vehicle, action):
    response = client_for(Role.BRANCH_SYSTEM).post(
        item_url(vehicle.pk, action), WRITES[action], format="json"
    )
    assert response.status_code == 200, response.json()


def test_a_branch_system_cannot_release_collateral(client_for, secured, vehicle, officer):
    services.application_withdraw(application_id=secured.pk, comment="", by=officer)
    before = written()
    for role in (Role.BRANCH_SYSTEM, Role.MONITORING_MANAGER, Role.RISK_MANAGER):
        assert client_for(role).post(item_url(vehicle.pk, "release")).status_code == 403, role
    assert written() == before
    assert CollateralItem.objects.get(pk=vehicle.pk).released_at is None
    # the credit administrator releases the same item
    assert (
        client_for(Role.CREDIT_ADMINISTRATOR)
        .post(item_url(vehicle.pk, "release"))
        .json()["released_at"]
    )


def test_an_unauthenticated_call_is_refused(api_client, vehicle):
    assert api_client.get(item_url(vehicle.pk)).status_code == 401
    assert api_client.get(COVERAGE, {"application": vehicle.application_id}).status_code == 401
