from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import ALL_ROLES
from lending.calculator import calculate
from lending.domain.gesv import gesv
from loans.api.serializers import (
    GesvRequestSerializer,
    GesvResponseSerializer,
    ScheduleRequestSerializer,
    ScheduleResponseSerializer,
)
from loans.presenters import calculation_as_dict

ERRORS = {400: OpenApiResponse(description="Invalid input: `errors` names each field.")}


class ScheduleCalculatorView(APIView):
    """A repayment schedule with its GESV, the cap in force and the product's limits."""

    allowed_roles = ALL_ROLES

    @extend_schema(
        request=ScheduleRequestSerializer,
        responses={200: ScheduleResponseSerializer, **ERRORS},
    )
    def post(self, request):
        data = ScheduleRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fees = [(fee["date"], fee["amount"]) for fee in data.validated_data["fees"]]
        calculation = calculate(
            terms=data.validated_data["terms"],
            fees=fees,
            product=data.validated_data.get("product"),
        )
        return Response(ScheduleResponseSerializer(calculation_as_dict(calculation)).data)


class GesvCalculatorView(APIView):
    """The GESV of any cash flows, for branch systems that build their own schedules."""

    allowed_roles = ALL_ROLES

    @extend_schema(request=GesvRequestSerializer, responses={200: GesvResponseSerializer, **ERRORS})
    def post(self, request):
        data = GesvRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payouts = [(flow["date"], flow["amount"]) for flow in data.validated_data["payouts"]]
        payments = [(flow["date"], flow["amount"]) for flow in data.validated_data["payments"]]
        return Response({"gesv": f"{gesv(payouts, payments):.1f}"})
