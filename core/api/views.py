from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import ALL_ROLES
from core.api.serializers import AuditEventSerializer, MeSerializer
from core.filters import AuditEventFilter
from core.roles import Role
from core.selectors import audit_event_list


class MeView(APIView):
    """The authenticated user and their roles."""

    allowed_roles = ALL_ROLES

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail: who did what to which object, when."""

    allowed_roles = {Role.ADMINISTRATOR, Role.RISK_MANAGER}
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["at"]

    def get_queryset(self):
        return audit_event_list()
