"""How far an application's collateral covers the amount it secures."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Application
from collateral.api.common import READ_ERRORS, READ_ROLES
from collateral.api.serializers import CollateralCoverageSerializer, CoverageQuerySerializer
from collateral.domain.valuation import coverage_shortfall
from collateral.selectors import (
    application_coverage,
    collateral_of,
    latest_appraisal,
    pledge_values,
    required_coverage,
    secured_amount,
)
from core.api.schema import error_response
from core.branches import require_visible


def _coverage(application: Application) -> dict:
    """The secured amount against the product's minimum, with each item's latest pledge value."""
    amount = secured_amount(application)
    required = required_coverage(application)
    values = pledge_values(application)
    shortfall = coverage_shortfall(values, amount, required)
    decision = getattr(application, "decision", None)  # as ``secured_amount`` chooses
    items = []
    for item in collateral_of(application).filter(released_at__isnull=True).order_by("id"):
        appraisal = latest_appraisal(item)
        items.append(
            {
                "item": item.pk,
                "kind": item.kind,
                "description": item.description,
                "appraised_on": appraisal.appraised_on if appraisal else None,
                "market_value": appraisal.market_value if appraisal else None,
                "pledge_value": appraisal.pledge_value if appraisal else None,
            }
        )
    return {
        "application": application.pk,
        "application_number": application.number,
        "product_code": application.product.code,
        "amount": amount,
        "amount_basis": "approved" if decision is not None and decision.amount else "requested",
        "pledge_value": sum(values, Decimal(0)),
        "coverage": application_coverage(application),
        "required_coverage": required,
        "meets_minimum": shortfall == 0,
        "shortfall": shortfall,
        "items": items,
    }


class CoverageView(APIView):
    """How far the collateral covers the requested (or approved) amount."""

    allowed_roles = READ_ROLES

    @extend_schema(
        parameters=[CoverageQuerySerializer],
        responses={
            200: CollateralCoverageSerializer,
            400: error_response("No such application, or none given: `errors.application`."),
            403: READ_ERRORS[403],
        },
    )
    def get(self, request):
        """The coverage of `application` against its product's minimum, with the pledge values."""
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        application = query.validated_data["application"]
        require_visible(request.user, "application", application, field="application")
        return Response(CollateralCoverageSerializer(_coverage(application)).data)
