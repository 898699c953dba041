"""API contract fuzzing (issue 9): schemathesis against the published OpenAPI schema.

Every operation of ``/api/schema/`` is fuzzed in-process through ``mfo.wsgi.application`` by a
user of each role with a DRF token, against the demo data (applicants, applications at every
stage, loans in every state), with valid and invalid input (``mode = "all"``). Each request runs
in a savepoint that is rolled back, so state-changing operations run for real against the
seeded objects and every case starts from the same data. Checked on every response:

- no 5xx;
- the status code, content type and body are the ones the schema documents;
- invalid input (negative generation) is answered with a 4xx;
- every 4xx carries the project's error body ``{detail, code, errors}`` and a 400 names the
  field(s) at fault (``core.api.errors``).

The run is bounded (a few examples per operation and role, derandomized, no coverage phase):
about a minute of CPU for all roles; the items spread over pytest-xdist workers.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.urls import resolve
from drf_spectacular.views import SpectacularAPIView
from hypothesis import HealthCheck, settings
from rest_framework.fields import BooleanField
from rest_framework.test import APIRequestFactory, force_authenticate
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from core.roles import Role
from mfo.wsgi import application
from tests.transactions import rolled_back

SCHEMA_PATH = "/api/schema/"
# The suite's budget; `API_FUZZ_EXAMPLES=50 API_FUZZ_COVERAGE=1 pytest tests/api_fuzz -n 2`
# digs deeper (more examples, and schemathesis's coverage phase of boundary values).
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
COVERAGE_PHASE = os.environ.get("API_FUZZ_COVERAGE") == "1"


def published_schema() -> dict:
    """``GET /api/schema/`` as the API serves it, built without a database at collection time
    (the schema view only needs an authenticated user; it reads no rows). A test below checks
    it against the one served over HTTP."""
    request = APIRequestFactory().get(SCHEMA_PATH, {"format": "json"})
    reader = get_user_model()(username="schema-reader")
    # what views look up about their user, cached as core.roles / core.branches cache it: a
    # head-office user (with every role, the integration's all-branches grant too), so that
    # building a view's queryset reads nothing
    reader._mfo_roles, reader._mfo_branch = frozenset(Role), None
    reader._mfo_all_branches = True
    force_authenticate(request, user=reader)
    response = SpectacularAPIView.as_view()(request)
    response.render()
    return json.loads(response.content)


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260909,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "no-shrink": True,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": COVERAGE_PHASE},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)
PUBLISHED = published_schema()
schema = schemathesis.openapi.from_dict(PUBLISHED, config=CONFIG)
schema.app = application
schema.location = SCHEMA_PATH


def allowed_roles(method: str, path: str) -> frozenset[Role]:
    """The roles ``HasRole`` lets through to an operation, read from its view."""
    concrete = re.sub(r"\{\w+\}", "1", path.replace("{date}", "2026-01-02"))
    view = resolve(concrete).func
    action = getattr(view, "actions", {}).get(method.lower())
    by_action = getattr(view.cls, "allowed_roles_by_action", {})
    return frozenset(by_action.get(action, getattr(view.cls, "allowed_roles", ())))


# "POST /api/v1/loans/{id}/disburse/" -> the roles that may call it
ACCESS = {
    f"{method.upper()} {path}": allowed_roles(method, path)
    for path, operations in PUBLISHED["paths"].items()
    for method in operations
    if method in {"get", "post", "put", "patch", "delete"}
}


def _request_field_names(case: schemathesis.Case) -> set[str]:
    """Names the request can carry: its parameters and its body's properties."""
    names = {"non_field_errors"}
    for location in ("path_parameters", "query", "headers"):
        names.update((getattr(case, location) or {}).keys())
    definition = case.operation.definition.raw
    names.update(p["name"] for p in definition.get("parameters", []))
    body = case.body if isinstance(case.body, dict) else {}
    names.update(body.keys())
    for media in definition.get("requestBody", {}).get("content", {}).values():
        names.update(_properties(case, media.get("schema", {})))
    return names


def _properties(case: schemathesis.Case, node: dict) -> set[str]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = case.operation.schema.raw_schema["components"]["schemas"].get(name, {})
    return set(node.get("properties", {}))


@schemathesis.check
def error_body_names_the_fields(ctx, response, case) -> bool | None:
    """A 4xx is the project's error body; a 400 names the request field(s) it rejects."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(
            f"{response.status_code} is not JSON: {response.content[:200]!r}"
        ) from None
    assert isinstance(body, dict) and {"detail", "code", "errors"} <= body.keys(), (
        f"{response.status_code} body is not {{detail, code, errors}}: {body!r}"
    )
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["code"], str) and body["code"], body
    errors = body["errors"]
    assert isinstance(errors, dict), body
    for messages in errors.values():
        assert isinstance(messages, list) and messages, body
        assert all(isinstance(m, str) and m for m in messages), body
    if response.status_code == 400:
        assert errors, f"400 without field errors: {body!r}"
        known = _request_field_names(case)
        unknown = {key for key in errors if key.split(".", 1)[0] not in known}
        assert not unknown, f"400 names fields the request has not: {sorted(unknown)}: {body!r}"
    return True


BOOLEAN_WORDS = BooleanField.TRUE_VALUES | BooleanField.FALSE_VALUES


def _drf_coercion(value, wanted: str | None) -> bool:
    """A value DRF's fields take for another type: a number for a ``CharField`` (``0`` ->
    ``"0"``), ``0``/``1``/``"yes"``… for a ``BooleanField``."""
    if wanted == "string":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if wanted == "boolean":
        hashable = isinstance(value, str | int) and not isinstance(value, bool)
        return hashable and value in BOOLEAN_WORDS
    return False


def _coerced_by_drf(case: schemathesis.Case) -> bool:
    """A JSON body with a value DRF coerces to its property's type (``{"comment": 0}``)."""
    if not isinstance(case.body, dict):
        return False
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    node = content.get(case.media_type or "", {}).get("schema", {})
    properties = {}
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        properties = case.operation.schema.raw_schema["components"]["schemas"][name].get(
            "properties", {}
        )
    return any(
        _drf_coercion(value, properties.get(key, {}).get("type"))
        for key, value in case.body.items()
    )


@schemathesis.check
def invalid_input_rejected(ctx, response, case) -> bool | None:
    """schemathesis's ``negative_data_rejection``, less two false positives:

    - a form or multipart body: every value there is a string and DRF reads an empty one as
      "left out" (the HTML form convention), which no JSON schema can say;
    - a value DRF's fields coerce: ``CharField`` takes ``0`` as ``"0"``, ``BooleanField``
      takes ``0``, ``1`` or ``"yes"`` — a leniency of DRF in every serializer, reported, not
      a broken contract.
    """
    if case.media_type and "json" not in case.media_type:
        return None
    if _coerced_by_drf(case):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    invalid_input_rejected,
    error_body_names_the_fields,
]


def _path_is_positive(case: schemathesis.Case) -> bool:
    meta = case.meta
    if meta is None or ParameterLocation.PATH not in meta.components:
        return True
    return not meta.components[ParameterLocation.PATH].mode.is_negative


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@schema.parametrize()
# the fixtures are per test on purpose: the data is shared, each case rolls back its own changes
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_contract(case, role, fuzz_world, wsgi_in_test_transaction, db):
    if case.path_parameters and _path_is_positive(case):
        case.path_parameters = fuzz_world.real_path_parameters(
            role, case.path, case.path_parameters
        )
    with rolled_back():
        case.call_and_validate(headers=fuzz_world.headers(role), checks=CHECKS)


# A role the operation refuses answers 403 before reading anything: one request shows it
# (fuzzing it would only repeat it), so these pairs leave ``test_api_contract`` (conftest).
REFUSED = [(label, role) for label, roles in ACCESS.items() for role in Role if role not in roles]


@pytest.mark.parametrize(
    ("label", "role"), REFUSED, ids=[f"{label}][{role.value}" for label, role in REFUSED]
)
def test_role_without_access_is_refused(label, role, fuzz_world, wsgi_in_test_transaction, db):
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    kwargs = {}
    if operation.body:
        kwargs = {"body": {}, "media_type": operation.body[0].media_type}
    case = operation.Case(
        path_parameters=fuzz_world.first_path_parameters(path, operation.path_parameters),
        **kwargs,
    )
    with rolled_back():
        response = case.call_and_validate(headers=fuzz_world.headers(role), checks=CHECKS)
    assert response.status_code == 403, response.text


def test_the_fuzzed_schema_is_the_one_the_api_publishes(fuzz_world, wsgi_in_test_transaction, db):
    served = schemathesis.openapi.from_wsgi(
        f"{SCHEMA_PATH}?format=json", application, headers=fuzz_world.headers(Role.BRANCH_SYSTEM)
    )

    def contract(document: dict) -> dict:
        """Each operation's parameters and documented status codes (descriptions follow the
        request's language)."""
        return {
            f"{method} {path}": (
                sorted((p["in"], p["name"]) for p in operation.get("parameters", [])),
                sorted(operation["responses"]),
            )
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
        }

    assert contract(served.raw_schema) == contract(PUBLISHED)
    assert len(ACCESS) >= 80 and all(ACCESS.values())
