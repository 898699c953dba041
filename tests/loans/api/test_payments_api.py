from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.roles import Role
from loans.models import LedgerEntry, Payment

from .conftest import refused, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def payment(amount: str = "50000.00", **change) -> dict:
    return {"amount": amount, "value_date": TODAY.isoformat(), "channel": "cash", **change}


def rows() -> tuple[int, int]:
    return Payment.objects.count(), LedgerEntry.objects.count()


def test_a_payment_above_what_is_due_is_partly_held(api_as, late_loan):
    api = api_as(Role.ACCOUNTANT)
    response = api.post(url(late_loan.pk, "payments"), payment("200000"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "200000.00"
    assert body["value_date"] == TODAY.isoformat()
    assert body["channel"] == "cash"
    assert "Idempotent-Replayed" not in response
    allocation = {part: Decimal(value) for part, value in body["allocation"].items()}
    assert set(allocation) == {"principal", "interest", "penalty", "held"}
    assert allocation["principal"] > 0
    assert allocation["interest"] > 0
    assert allocation["held"] > 0
    assert sum(allocation.values()) == Decimal("200000")

    # the ledger has the repayment, the schedule its first instalment paid
    entries = api.get(url(late_loan.pk, "ledger")).json()["results"]
    repaid = [entry for entry in entries if entry["payment"] == body["id"]]
    # penalty too, if the late instalment was charged before the money came
    assert {"principal", "interest", "held"} <= {entry["component"] for entry in repaid}
    assert sum(Decimal(entry["amount"]) for entry in repaid) == Decimal("-200000")
    assert {entry["kind"] for entry in repaid} == {"repayment"}

    schedule = api.get(url(late_loan.pk, "schedule")).json()
    first = schedule["installments"][0]
    assert first["state"] == "paid"
    assert first["principal_paid"] == first["principal"]
    assert first["interest_paid"] == first["interest"]
    assert schedule["installments"][1]["principal_paid"] == "0.00"
    assert schedule["installments"][2]["state"] == "not_due"
    assert Decimal(schedule["totals"]["principal_paid"]) == allocation["principal"]

    state = api.get(url(late_loan.pk)).json()
    assert Decimal(state["balances"]["held"]) == allocation["held"]
    listed = api.get(url(late_loan.pk, "payments")).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert listed["results"][0]["allocation"] == body["allocation"]


def test_paying_the_late_instalment_leaves_the_next_one_unpaid(api_as, late_loan):
    api = api_as(Role.ACCOUNTANT)
    assert api.post(url(late_loan.pk, "payments"), payment("200000"), format="json").status_code
    second = api.get(url(late_loan.pk, "schedule")).json()["installments"][1]
    assert second["interest_paid"] == "0.00"
    assert second["state"] == "not_due"


def test_the_same_idempotency_key_posts_once(api_as, late_loan):
    api = api_as(Role.BRANCH_SYSTEM)
    path = url(late_loan.pk, "payments")
    headers = {"HTTP_IDEMPOTENCY_KEY": "branch-7/receipt-0042"}
    first = api.post(path, payment(), format="json", **headers)
    assert first.status_code == 201, first.json()
    posted = rows()
    assert posted[0] == 1

    # the same request again (the amount written otherwise): the first payment, nothing posted
    again = api.post(path, payment("50000"), format="json", **headers)
    assert again.status_code == 200, again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert rows() == posted

    # the key with another amount: refused, nothing posted
    other = api.post(path, payment("50000.01"), format="json", **headers)
    refused(other, 409, "idempotency_key", "idempotency_key_reused")
    assert rows() == posted

    # a key too long for the record: refused, naming the header
    long_key = api.post(path, payment(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 101)
    refused(long_key, 400, "Idempotency-Key")
    assert rows() == posted

    # without a key every request is a payment of its own
    assert api.post(path, payment(), format="json").status_code == 201
    assert api.post(path, payment(), format="json").status_code == 201
    assert Payment.objects.count() == 3


BAD_INPUT = [
    ({"amount": "100.001"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "-5"}, "amount"),
    ({"channel": "transfer"}, "channel"),
    ({"value_date": (TODAY + timedelta(days=1)).isoformat()}, "value_date"),
    ({"value_date": "yesterday"}, "value_date"),
]


def test_bad_input_and_wrong_roles_write_nothing(api_client, api_as, late_loan):
    path = url(late_loan.pk, "payments")
    api = api_as(Role.ACCOUNTANT)
    before = rows()
    for change, field in BAD_INPUT:
        refused(api.post(path, payment(**change), format="json"), 400, field)
    early = (late_loan.disbursed_on - timedelta(days=1)).isoformat()
    response = api.post(path, payment(value_date=early), format="json")
    refused(response, 400, "value_date", "before_disbursement")

    roles = (Role.CREDIT_ADMINISTRATOR, Role.COLLECTOR, Role.RISK_MANAGER, Role.COMMITTEE_MEMBER)
    for role in roles:
        assert api_as(role).post(path, payment(), format="json").status_code == 403, role
    api_client.force_authenticate(None)
    assert (
        api_client.post(url(late_loan.pk, "payments"), payment(), format="json").status_code == 401
    )
    assert rows() == before
    assert api_as(Role.COLLECTOR).get(url(late_loan.pk, "payments")).json()["count"] == 0


def test_a_payment_is_reversed_by_an_accountant_with_a_reason(api_as, late_loan):
    accountant = api_as(Role.ACCOUNTANT)
    posted = accountant.post(url(late_loan.pk, "payments"), payment("1000"), format="json")
    reverse = url(late_loan.pk, f"payments/{posted.json()['id']}/reverse")
    refused(accountant.post(reverse, {}, format="json"), 400, "reason")
    answer = accountant.post(reverse, {"reason": "Wrong loan"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["reversal_reason"] == "Wrong loan"
    assert accountant.post(reverse, {"reason": "again"}, format="json").status_code == 409
    collector = api_as(Role.COLLECTOR)
    assert collector.post(reverse, {"reason": "x"}, format="json").status_code == 403
