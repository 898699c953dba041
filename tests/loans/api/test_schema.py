from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/loans/": {"get", "post"},
    "/api/v1/loans/{id}/": {"get"},
    "/api/v1/loans/{id}/sign/": {"post"},
    "/api/v1/loans/{id}/disburse/": {"post"},
    "/api/v1/loans/{id}/schedule/": {"get"},
    "/api/v1/loans/{id}/ledger/": {"get"},
    "/api/v1/loans/{id}/snapshots/": {"get"},
    "/api/v1/loans/{id}/payments/": {"get", "post"},
    "/api/v1/loans/{id}/payments/{payment_id}/reverse/": {"post"},
    "/api/v1/loans/{id}/contacts/": {"get", "post"},
    "/api/v1/loans/{id}/payoff/": {"get"},
    "/api/v1/loans/{id}/prepayments/preview/": {"post"},
    "/api/v1/loans/{id}/prepayments/": {"get", "post"},
    "/api/v1/loans/{id}/schedule-versions/": {"get"},
    "/api/v1/loans/{id}/schedule-versions/{version}/": {"get"},
    "/api/v1/loans/{id}/restructurings/": {"get", "post"},
    "/api/v1/loans/{id}/demands/": {"get", "post"},
    "/api/v1/loans/{id}/write-off/": {"post"},
    "/api/v1/loans/{id}/close/": {"post"},
    "/api/v1/loans/{id}/refunds/": {"get", "post"},
    "/api/v1/loans/{id}/payout-account-changes/": {"get", "post"},
    "/api/v1/payout-account-changes/": {"get"},
    "/api/v1/payout-account-changes/{id}/": {"get"},
    "/api/v1/payout-account-changes/{id}/approve/": {"post"},
    "/api/v1/payout-account-changes/{id}/reject/": {"post"},
    "/api/v1/day-closes/": {"get"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_endpoint_is_published(schema):
    published = {path for path in schema["paths"] if path.startswith("/api/v1/loans/")}
    assert published == {path for path in ENDPOINTS if path.startswith("/api/v1/loans/")}
    for path, methods in ENDPOINTS.items():
        assert set(schema["paths"][path]) == methods, path


@pytest.mark.parametrize("path", [path for path in ENDPOINTS if "{id}" in path])
def test_loan_endpoints_publish_403_and_404_with_the_error_body(schema, path):
    for operation in schema["paths"][path].values():
        responses = operation["responses"]
        assert {"403", "404"} <= set(responses)
        for code, response in responses.items():
            if code.startswith("4"):
                error = response["content"]["application/json"]["schema"]["$ref"]
                assert error == "#/components/schemas/ApiError"


def test_payments_publish_the_key_the_replay_and_the_conflict(schema):
    operation = schema["paths"]["/api/v1/loans/{id}/payments/"]["post"]
    assert {"200", "201", "400", "403", "404", "409"} <= set(operation["responses"])
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert "Idempotent-Replayed" in operation["responses"]["200"]["headers"]


def test_lists_are_paginated(schema):
    for path in ("ledger", "snapshots", "payments", "contacts"):
        response = schema["paths"][f"/api/v1/loans/{{id}}/{path}/"]["get"]["responses"]["200"]
        assert "Paginated" in response["content"]["application/json"]["schema"]["$ref"], path


def test_money_is_published_as_decimal_strings(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("LoanDetail", "amount"),
        ("LoanPayment", "amount"),
        ("Allocation", "held"),
        ("LedgerEntry", "amount"),
        ("PaymentInputRequest", "amount"),
    ]:
        prop = components[component]["properties"][field]
        assert prop["type"] == "string", (component, field)
        assert prop["format"] == "decimal", (component, field)
