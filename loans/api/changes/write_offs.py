"""Write-off: a loan moved off the balance sheet by decision, and the report of those written off
(DOMAIN.md §11)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter

from core.api.schema import error_response
from core.roles import Role
from loans import selectors, services
from loans.api.changes.common import CLOSED
from loans.api.changes.serializers import (
    WriteOffInputSerializer,
    WriteOffReportSerializer,
    WriteOffSerializer,
)
from loans.api.common import LOAN_ERRORS, READ_ERRORS
from loans.branches import visible_by_loan

WRITE_OFF_REPORT_ROLES = frozenset({Role.RISK_MANAGER, Role.ACCOUNTANT, Role.ADMINISTRATOR})
LOAN_CHANGE_ERRORS = {
    **LOAN_ERRORS,
    409: error_response(f"The loan is not disbursed, or {CLOSED}: `errors.loan`."),
}


class WriteOffActions:
    """``loans/{id}/write-off/``."""

    @extend_schema(
        request=WriteOffInputSerializer, responses={201: WriteOffSerializer, **LOAN_CHANGE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Move the loan off the balance sheet by decision; the borrower still owes it."""
        loan = self.get_object()
        data = WriteOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.loan_write_off(loan_id=loan.pk, **data.validated_data, by=request.user)
        return self._one(row, WriteOffSerializer, status.HTTP_201_CREATED)


class WriteOffViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Written-off loans: what was written off and what has been recovered since."""

    allowed_roles = WRITE_OFF_REPORT_ROLES
    serializer_class = WriteOffReportSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["on", "days_past_due", "recovered"]

    def get_queryset(self):
        return visible_by_loan(self.request.user, selectors.write_offs())

    @extend_schema(responses={200: WriteOffReportSerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """The write-off report, the latest first."""
        return super().list(request, *args, **kwargs)
