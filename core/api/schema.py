"""How the API's error body is published in the OpenAPI schema."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    """The one error body of the API (core.api.errors)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by the field they concern; `non_field_errors` for the rest.",
    )


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(ApiErrorSerializer, description=description)


def read_errors(not_found: str) -> dict[int, OpenApiResponse]:
    """What a read declares: the role may not read, or no such object (``not_found`` names it)."""
    return {403: error_response("The role may not read this."), 404: error_response(not_found)}


def write_errors(forbidden: str = "The role may not change this.") -> dict[int, OpenApiResponse]:
    """What a change declares: invalid input or a rule broken, or the role may not."""
    return {
        400: error_response(
            "Invalid input or a rule broken: `errors` names the field and says why."
        ),
        403: error_response(forbidden),
    }


# The errors every operation can give, whatever its view declares: the permission class and
# the token authentication are global, an object route can name nothing, and every parameter
# or body can be invalid (core.api.errors turns each into the one error body).
IMPLICIT_ERRORS = {
    "400": "Invalid input: `errors` names each field.",
    "401": "No valid credentials: send `Authorization: Token …`.",
    "403": "Your role does not allow this.",
    "404": "No such object (or not one you may see).",
    "415": "The body is not in a media type the operation reads.",
    "429": "Too many requests (anonymous ones counted per address): retry after `Retry-After` "
    "seconds.",
}
API_ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error body of the API (core.api.errors).",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by the field they concern; `non_field_errors` for the rest.",
        },
    },
    "required": ["detail", "code", "errors"],
}


def _implicit_errors(path: str, operation: dict) -> list[str]:
    codes = ["401", "403", "429"]
    if "{" in path:
        codes.append("404")
    queried = any(parameter["in"] == "query" for parameter in operation.get("parameters", []))
    if "requestBody" in operation or queried:
        codes.append("400")
    if "requestBody" in operation:
        codes.append("415")
    return codes


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors it can give,
    each with the error body (a view's own ``extend_schema`` only adds to them)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", API_ERROR_SCHEMA)
    error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    # `?status=` is the same as leaving it out (django-filter, DRF's forms)
                    parameter.setdefault("allowEmptyValue", True)
            responses = operation["responses"]
            for code in _implicit_errors(path, operation):
                responses.setdefault(code, {"description": IMPLICIT_ERRORS[code]})
            for code, response in responses.items():
                if code.startswith("4"):
                    response.setdefault("content", error_body)
    return result
