from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/applicants/": {"get", "post"},
    "/api/v1/applicants/{id}/": {"get", "patch"},
    "/api/v1/applications/": {"get", "post"},
    "/api/v1/applications/{id}/": {"get"},
    "/api/v1/applications/{id}/advance/": {"post"},
    "/api/v1/applications/{id}/refuse/": {"post"},
    "/api/v1/applications/{id}/withdraw/": {"post"},
    "/api/v1/applications/{id}/answer/": {"post"},
    "/api/v1/applications/{id}/documents/": {"post"},
    "/api/v1/applications/{id}/debt-burden/": {"post"},
    "/api/v1/applications/{id}/conclusions/": {"post"},
    "/api/v1/applications/{id}/decision/": {"get"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_endpoint_is_published(schema):
    for path, methods in ENDPOINTS.items():
        assert set(schema["paths"].get(path, {})) == methods, path


@pytest.mark.parametrize("path", [path for path in ENDPOINTS if "{id}" in path])
def test_detail_endpoints_publish_403_and_404_with_the_error_body(schema, path):
    for operation in schema["paths"][path].values():
        responses = operation["responses"]
        assert {"403", "404"} <= set(responses)
        for code, response in responses.items():
            if code.startswith("4"):
                error = response["content"]["application/json"]["schema"]["$ref"]
                assert error == "#/components/schemas/ApiError"


def test_advance_documents_both_refusals(schema):
    responses = schema["paths"]["/api/v1/applications/{id}/advance/"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(responses)


def test_documents_are_uploaded_as_multipart(schema):
    body = schema["paths"]["/api/v1/applications/{id}/documents/"]["post"]["requestBody"]
    assert "multipart/form-data" in body["content"]
    assert "application/json" not in body["content"]
