"""Every API error has one body: ``{"detail": str, "code": str, "errors": {field: [messages]}}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.throttling import throttle_unauthenticated
from core.errors import DomainError


def _as_field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested detail to ``{"fees.0.amount": ["..."]}``."""
    key = prefix or "non_field_errors"
    if isinstance(detail, dict):
        errors: dict[str, list[str]] = {}
        for field, value in detail.items():
            # a nested serializer's own errors belong to the field that holds it
            path = prefix if field == "non_field_errors" else f"{prefix}.{field}".lstrip(".")
            errors.update(_as_field_errors(value, path))
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {key: [str(item) for item in detail]}
        errors = {}
        for index, item in enumerate(detail):
            if item:
                errors.update(_as_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return errors
    return {key: [str(detail)]}


def exception_handler(exc, context):
    exc = throttle_unauthenticated(exc, context)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code, "errors": exc.as_dict()}
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _as_field_errors(exc.detail)
        response.data = {
            "detail": "Invalid input.",
            "code": "invalid",
            "errors": errors,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.ParseError):
        # a body that is not JSON (or not the form it says it is) concerns no one field
        response.data = {
            "detail": str(exc.detail),
            "code": getattr(exc.detail, "code", exc.default_code),
            "errors": {"non_field_errors": [str(exc.detail)]},
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "detail": str(detail) if not isinstance(detail, dict | list) else exc.default_detail,
            "code": getattr(detail, "code", exc.default_code),
            "errors": {},
        }
    return response


def not_found(request, exception=None):
    """The 404 of a URL no route matches: the error body under ``/api/``, the page elsewhere."""
    if request.path.startswith("/api/"):
        detail = str(exceptions.NotFound.default_detail)
        return JsonResponse({"detail": detail, "code": "not_found", "errors": {}}, status=404)
    return page_not_found(request, exception)
