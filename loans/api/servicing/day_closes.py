"""The business dates the daily close has run for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.filters import OrderingFilter

from core.roles import Role
from loans.api.common import READ_ERRORS
from loans.api.servicing.serializers import DayCloseSerializer
from loans.models import DayClose

DAY_CLOSE_ROLES = frozenset({Role.ACCOUNTANT, Role.RISK_MANAGER, Role.ADMINISTRATOR})


class DayCloseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The business dates the daily close has run for, the latest first."""

    allowed_roles = DAY_CLOSE_ROLES
    serializer_class = DayCloseSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["business_date"]

    def get_queryset(self):
        return DayClose.objects.order_by("-business_date")

    @extend_schema(responses={200: DayCloseSerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """Closed business dates with the loans and entries of their last run."""
        return super().list(request, *args, **kwargs)
