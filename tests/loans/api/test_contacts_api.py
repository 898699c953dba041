from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from loans import services
from loans.models import ContactRecord

from .conftest import refused, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PROMISE = {
    "channel": "call",
    "outcome": "promise",
    "note": "Will pay on Friday.",
    "promised_amount": "90000",
    "promised_on": (TODAY + timedelta(days=3)).isoformat(),
}


def test_collection_roles_record_contacts_and_any_role_reads_them(api_as, late_loan):
    api = api_as(Role.COLLECTOR)
    response = api.post(url(late_loan.pk, "contacts"), PROMISE, format="json")
    assert response.status_code == 201, response.json()
    record = response.json()
    assert record["channel"] == "call"
    assert record["outcome"] == "promise"
    assert record["promised_amount"] == "90000.00"
    assert record["promised_on"] == PROMISE["promised_on"]
    assert record["recorded_by"]

    # any other outcome drops the promise
    body = {**PROMISE, "outcome": "not_reached"}
    other = api_as(Role.MONITORING_MANAGER).post(url(late_loan.pk, "contacts"), body, format="json")
    assert other.status_code == 201, other.json()
    assert other.json()["promised_amount"] is None
    assert other.json()["promised_on"] is None

    listed = api_as(Role.RISK_MANAGER).get(url(late_loan.pk, "contacts")).json()
    assert [row["id"] for row in listed["results"]] == [other.json()["id"], record["id"]]


BAD_CONTACTS = [
    ({"promised_amount": None}, "promised_amount"),
    ({"promised_on": (TODAY - timedelta(days=1)).isoformat()}, "promised_on"),
    ({"promised_amount": "10.123"}, "promised_amount"),
    ({"channel": "pigeon"}, "channel"),
    ({"outcome": "maybe"}, "outcome"),
]


def test_bad_contacts_name_the_field_and_write_nothing(api_as, late_loan):
    api = api_as(Role.COLLECTOR)
    for change, field in BAD_CONTACTS:
        response = api.post(url(late_loan.pk, "contacts"), {**PROMISE, **change}, format="json")
        refused(response, 400, field)
    for role in (Role.ACCOUNTANT, Role.BRANCH_SYSTEM, Role.CREDIT_ADMINISTRATOR):
        response = api_as(role).post(url(late_loan.pk, "contacts"), PROMISE, format="json")
        assert response.status_code == 403, role
    assert ContactRecord.objects.count() == 0


def test_contacts_only_on_a_disbursed_loan(api_as, accepted, officer):
    loan = services.contract_create(
        application_id=accepted().pk, planned_disbursement_date=TODAY, by=officer
    )
    response = api_as(Role.ADMINISTRATOR).post(url(loan.pk, "contacts"), PROMISE, format="json")
    refused(response, 409, "loan", "not_disbursed")
    assert ContactRecord.objects.count() == 0
