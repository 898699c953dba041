from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

ITEM_ACTIONS = [
    "title-documents",
    "appraisals",
    "encumbrance",
    "insurances",
    "inspections",
    "inspection-photos",
    "insurance-payouts",
    "release",
]
ENDPOINTS = {
    "/api/v1/collateral/items/": {"get", "post"},
    "/api/v1/collateral/items/{id}/": {"get"},
    **{f"/api/v1/collateral/items/{{id}}/{action}/": {"post"} for action in ITEM_ACTIONS},
    "/api/v1/collateral/guarantees/": {"get", "post"},
    "/api/v1/collateral/coverage/": {"get"},
    "/api/v1/collateral/inspections/due/": {"get"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_endpoint_is_published(schema):
    published = {path for path in schema["paths"] if path.startswith("/api/v1/collateral/")}
    assert published == set(ENDPOINTS)
    for path, methods in ENDPOINTS.items():
        assert set(schema["paths"][path]) == methods, path


@pytest.mark.parametrize("path", [path for path in ENDPOINTS if "{id}" in path])
def test_item_endpoints_publish_403_and_404_with_the_error_body(schema, path):
    for operation in schema["paths"][path].values():
        responses = operation["responses"]
        assert {"403", "404"} <= set(responses)
        for code, response in responses.items():
            if code.startswith("4"):
                error = response["content"]["application/json"]["schema"]["$ref"]
                assert error == "#/components/schemas/ApiError"


@pytest.mark.parametrize("action", [a for a in ITEM_ACTIONS if a != "release"])
def test_item_changes_publish_the_field_error_and_the_released_conflict(schema, action):
    responses = schema["paths"][f"/api/v1/collateral/items/{{id}}/{action}/"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(responses)


def test_money_is_published_as_decimal_strings(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("CollateralItemSummary", "pledge_value"),
        ("Appraisal", "market_value"),
        ("InsurancePayout", "excess"),
        ("CollateralCoverage", "shortfall"),
        ("Guarantee", "amount"),
    ]:
        prop = components[component]["properties"][field]
        assert (prop["type"], prop["format"]) == ("string", "decimal"), (component, field)
