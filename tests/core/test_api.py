from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from core.api.errors import exception_handler
from core.audit import audit
from core.errors import ConflictError, DomainError
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_unauthenticated_call_is_refused_with_the_error_body(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "code", "errors"}


def test_me_reports_the_roles(api_as):
    response = api_as(Role.ACCOUNTANT).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["roles"] == ["accountant"]


def test_user_without_a_role_is_refused(api_as):
    assert api_as().get("/api/v1/me/").status_code == 403


@pytest.mark.parametrize("role", [Role.CREDIT_ADMINISTRATOR, Role.ACCOUNTANT, Role.BRANCH_SYSTEM])
def test_wrong_role_cannot_read_the_audit_trail(api_as, role):
    response = api_as(role).get("/api/v1/audit-events/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_branch_system_authenticates_with_its_token(api_client, capsys):
    call_command("create_branch_token", "branch-almaty", all_branches=True)
    token = capsys.readouterr().out.strip()
    assert len(token) == 40
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "branch-almaty",
        "full_name": "",
        "roles": ["branch_system"],
    }


def test_a_wrong_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api_client.get("/api/v1/me/").status_code == 401


def test_token_command_refuses_a_non_branch_user(make_user):
    make_user(Role.ACCOUNTANT, username="acc")
    with pytest.raises(Exception, match="not a branch-system user"):
        call_command("create_branch_token", "acc", all_branches=True)


def test_audit_events_are_paginated_and_filtered(api_as, make_user):
    actor = make_user(Role.ACCOUNTANT, username="actor")
    for n in range(3):
        audit(actor, "loan.disbursed", by=actor, data={"n": n})
    audit(actor, "application.created", by=actor)
    client = api_as(Role.RISK_MANAGER)

    body = client.get("/api/v1/audit-events/", {"action": "loan.", "page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert {row["action"] for row in body["results"]} == {"loan.disbursed"}
    assert body["results"][0]["actor"] == "actor"

    body = client.get("/api/v1/audit-events/", {"actor": "nobody"}).json()
    assert body["count"] == 0


def test_invalid_filter_gets_a_field_error(api_as):
    response = api_as(Role.RISK_MANAGER).get("/api/v1/audit-events/", {"date_from": "yesterday"})
    assert response.status_code == 400
    assert "date_from" in response.json()["errors"]


def _handle(exc):
    request = APIRequestFactory().get("/")
    return exception_handler(exc, {"request": request, "view": None})


def test_domain_error_becomes_400_naming_the_field():
    response = _handle(DomainError("Amount exceeds the product limit.", field="amount"))
    assert response.status_code == 400
    assert response.data["errors"] == {"amount": ["Amount exceeds the product limit."]}


def test_conflict_error_becomes_409():
    response = _handle(ConflictError("Already disbursed."))
    assert response.status_code == 409
    assert response.data["errors"] == {"non_field_errors": ["Already disbursed."]}


def test_nested_validation_errors_are_flattened_to_field_paths():
    exc = serializers.ValidationError(
        {"amount": ["Required."], "fees": [{}, {"date": ["Bad date."]}]}
    )
    response = _handle(exc)
    assert response.status_code == 400
    assert response.data["errors"] == {"amount": ["Required."], "fees.1.date": ["Bad date."]}


def test_openapi_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning into an error
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    schema = (tmp_path / "s.yaml").read_text()
    assert "/api/v1/audit-events/" in schema
    assert "/api/v1/me/" in schema


def test_schema_and_docs_pages_need_a_login(api_client, api_as):
    assert api_client.get("/api/schema/").status_code == 401
    client = api_as(Role.RISK_MANAGER)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # swagger-ui is served from the app (sidecar)
