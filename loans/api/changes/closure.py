"""Closure: a loan that owes nothing is closed and its credit file archived (DOMAIN.md §11)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from core.api.schema import error_response
from loans import services
from loans.api.changes.serializers import EffectiveOnSerializer
from loans.api.common import LOAN_ERRORS
from loans.api.servicing.serializers import LoanDetailSerializer
from loans.selectors import loan_list

CLOSE_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(
        "The loan is already closed (`loan_closed`), not disbursed, or still owes something "
        "(`obligations_open`): `errors.loan`."
    ),
}


class ClosureActions:
    """``loans/{id}/close/``."""

    @extend_schema(
        request=EffectiveOnSerializer, responses={200: LoanDetailSerializer, **CLOSE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a loan that owes nothing and archive its credit file."""
        loan = self.get_object()
        data = EffectiveOnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.loan_close(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._one(loan_list().get(pk=loan.pk), LoanDetailSerializer)
