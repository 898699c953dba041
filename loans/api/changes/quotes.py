"""The payoff quote: what closes the loan if paid on a date (DOMAIN.md §7)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import error_response
from loans import services
from loans.api.changes.common import CLOSED, query_date
from loans.api.changes.serializers import OnQuerySerializer, PayoffQuoteSerializer
from loans.api.common import READ_ERRORS

QUOTE_ERRORS = {
    **READ_ERRORS,
    400: error_response("A date that is invalid or already closed for the loan: `errors.on`."),
    409: error_response(
        f"The loan is not disbursed, or {CLOSED}: `errors.loan`; or the daily close is "
        "running (`close_running`, `errors.on`): ask again when it finishes."
    ),
}


class PayoffActions:
    """``loans/{id}/payoff/``."""

    @extend_schema(
        parameters=[OnQuerySerializer], responses={200: PayoffQuoteSerializer, **QUOTE_ERRORS}
    )
    @action(detail=True, methods=["get"])
    def payoff(self, request, pk=None):
        """What closes the loan if paid on `on`: the loan's days are closed to it, then undone."""
        loan = self.get_object()
        quote = services.payoff_quote_on(loan_id=loan.pk, on=query_date(request))
        body = {
            "loan": loan.pk,
            "on": quote.on,
            "principal": quote.principal,
            "interest": quote.interest,
            "overdue": quote.overdue,
            "penalties": quote.penalties,
            "held": quote.held,
            "total": quote.total,
            "to_pay": quote.to_pay,
        }
        return Response(PayoffQuoteSerializer(body).data)
