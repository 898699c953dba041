"""What the loans API's views share: error bodies, the idempotency key, a loan's own rows."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.schema import read_errors, write_errors

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100  # Payment.idempotency_key
REPLAYED_HEADER = "Idempotent-Replayed"

READ_ERRORS = read_errors("No such loan.")
WRITE_ERRORS = write_errors("The role may not do this.")
LOAN_ERRORS = {**WRITE_ERRORS, 404: READ_ERRORS[404]}
LIST_ACTION = {"filter_backends": []}  # a loan's own rows: paginated, in their natural order


def idempotency_parameters(what: str) -> list[OpenApiParameter]:
    """The request's key and the answer's replay header, as the schema publishes them."""
    return [
        OpenApiParameter(
            IDEMPOTENCY_HEADER,
            str,
            OpenApiParameter.HEADER,
            description="Up to 100 characters: the same key twice posts once. "
            f"The repeat is answered 200 with the first {what}.",
        ),
        OpenApiParameter(
            REPLAYED_HEADER,
            str,
            OpenApiParameter.HEADER,
            response=[200],
            description="`true`: the key was seen before; nothing was posted now.",
        ),
    ]


def idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: [_("Give a key of 1 to 100 characters, or leave the header out.")]}
        )
    return key


class RowsMixin:
    """A page of a loan's rows, or one row, in the view's serializer context."""

    def _page(self, rows, serializer_class) -> Response:
        page = self.paginate_queryset(rows)
        context = self.get_serializer_context()
        return self.get_paginated_response(serializer_class(page, many=True, context=context).data)

    def _one(self, row, serializer_class, status_code: int = status.HTTP_200_OK) -> Response:
        context = self.get_serializer_context()
        return Response(serializer_class(row, context=context).data, status=status_code)
