"""Demands to the borrower: early repayment of a late loan, or the misused part with its fine
(DOMAIN.md §8)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action

from core.api.schema import error_response
from loans import services
from loans.api.changes.common import CLOSED
from loans.api.changes.serializers import DemandInputSerializer, DemandSerializer
from loans.api.common import LIST_ACTION, LOAN_ERRORS, READ_ERRORS
from loans.models import Demand

DEMAND_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        f"The loan is not disbursed, {CLOSED}, or not late enough for an early repayment "
        "demand (`not_late_enough`): `errors.loan`."
    ),
}


class DemandActions:
    """``loans/{id}/demands/``: the demands sent, and sending one."""

    @extend_schema(responses={200: DemandSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], **LIST_ACTION)
    def demands(self, request, pk=None):
        """Demands sent to the borrower, the latest first."""
        loan = self.get_object()
        rows = loan.demands.select_related("issued_by").order_by("-issued_on", "-id")
        return self._page(rows, DemandSerializer)

    @extend_schema(
        request=DemandInputSerializer, responses={201: DemandSerializer, **DEMAND_ERRORS}
    )
    @demands.mapping.post
    def post_demand(self, request, pk=None):
        """Demand the whole debt of a loan late past the legal day, or the misused part of a
        targeted loan with its fine."""
        loan = self.get_object()
        data = DemandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields["kind"] == Demand.Kind.MISUSE:
            demand = services.demand_misuse(
                loan_id=loan.pk,
                on=fields["on"],
                pay_by=fields["pay_by"],
                misused_amount=fields["misused_amount"],
                details=fields["details"],
                by=request.user,
            )
        else:
            demand = services.demand_acceleration(
                loan_id=loan.pk, on=fields["on"], pay_by=fields["pay_by"], by=request.user
            )
        return self._one(demand, DemandSerializer, status.HTTP_201_CREATED)
