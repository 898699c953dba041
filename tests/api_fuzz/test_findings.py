"""What the API fuzzer found, pinned one by one (each of these failed before its fix)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from loans.models import Loan


def _body(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


@pytest.mark.parametrize("path", ["/api/v1/loans/abc/", "/api/v1/no-such-thing/"])
def test_an_unknown_api_url_answers_with_the_error_body_not_the_html_page(api_as, path):
    response = api_as(Role.ACCOUNTANT).get(path)

    assert response.status_code == 404
    body = _body(response)
    assert body["code"] == "not_found" and body["detail"] and body["errors"] == {}


def test_a_page_url_that_names_nothing_is_still_the_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_body_that_is_not_json_is_a_400_naming_the_body(api_as):
    response = api_as(Role.ACCOUNTANT).post(
        "/api/v1/calculator/gesv/", data=b"{not json", content_type="application/json"
    )

    assert response.status_code == 400
    body = _body(response)
    assert body["code"] == "parse_error" and body["errors"]["non_field_errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=abc", "page"), ("page=99", "page"), ("page_size=abc", "page_size")],
)
def test_a_page_that_is_not_one_is_a_400_on_its_parameter(api_as, query, field):
    response = api_as(Role.ACCOUNTANT).get(f"/api/v1/day-closes/?{query}")

    assert response.status_code == 400
    assert field in _body(response)["errors"]


def test_an_empty_page_size_is_left_out(api_as):
    assert api_as(Role.ACCOUNTANT).get("/api/v1/day-closes/?page_size=").status_code == 200


def test_closing_a_loan_never_disbursed_is_a_conflict_not_a_500(api_as, accepted, officer):
    from loans import services as loan_services

    today = timezone.localdate()
    loan = loan_services.contract_create(
        application_id=accepted().pk,
        planned_disbursement_date=today + timedelta(days=3),
        contract_date=today,
        by=officer,
    )

    response = api_as(Role.ACCOUNTANT).post(
        f"/api/v1/loans/{loan.pk}/close/", {"on": today.isoformat()}, format="json"
    )

    assert response.status_code == 409, response.content
    body = _body(response)
    assert body["code"] == "not_disbursed" and list(body["errors"]) == ["loan"]
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.DRAFT


def test_a_payoff_quote_centuries_ahead_is_refused_at_once(api_as, active_loan):
    loan = active_loan(on=date(2026, 3, 2))

    response = api_as(Role.ACCOUNTANT).get(f"/api/v1/loans/{loan.pk}/payoff/?on=2882-02-12")

    assert response.status_code == 400
    body = _body(response)
    assert body["code"] == "too_far" and list(body["errors"]) == ["on"]


def test_the_schema_documents_the_errors_every_operation_can_give(api_as):
    schema = api_as(Role.BRANCH_SYSTEM).get("/api/schema/?format=json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            for code in codes - {"200", "201", "204"}:
                error = operation["responses"][code]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ApiError"}, (method, path, code)
    email = schema["components"]["schemas"]["Applicant"]["properties"]["email"]
    assert {"type": "string", "maxLength": 0} in email["oneOf"], email  # no e-mail given


def test_a_released_filter_that_is_no_boolean_is_refused_not_ignored(api_as):
    api = api_as(Role.CREDIT_ADMINISTRATOR)

    refused = api.get("/api/v1/collateral/items/?released=-58800")

    assert refused.status_code == 400
    assert list(_body(refused)["errors"]) == ["released"]
    assert api.get("/api/v1/collateral/items/?released=false").status_code == 200
