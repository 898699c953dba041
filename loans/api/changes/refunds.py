"""Refunds: money held on a closed loan paid back to the borrower (DOMAIN.md §11)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action

from core.api.schema import error_response
from loans import services
from loans.api.changes.serializers import RefundInputSerializer, RefundSerializer
from loans.api.common import LIST_ACTION, LOAN_ERRORS, READ_ERRORS

REFUND_ERRORS = {
    **LOAN_ERRORS,
    409: error_response("The loan is not closed: held money goes to its next instalment."),
}


class RefundActions:
    """``loans/{id}/refunds/``: the refunds paid, and paying one."""

    @extend_schema(responses={200: RefundSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def refunds(self, request, pk=None):
        """Held money paid back to the borrower, the latest first."""
        loan = self.get_object()
        rows = loan.refunds.select_related("recorded_by").order_by("-on", "-id")
        return self._page(rows, RefundSerializer)

    @extend_schema(
        request=RefundInputSerializer, responses={201: RefundSerializer, **REFUND_ERRORS}
    )
    @refunds.mapping.post
    def post_refund(self, request, pk=None):
        """Pay money held on a closed loan back to the borrower, on their written application."""
        loan = self.get_object()
        data = RefundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.overpayment_refund(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._one(row, RefundSerializer, status.HTTP_201_CREATED)
