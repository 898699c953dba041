"""Guarantees by persons and legal entities, jointly and severally liable (DOMAIN.md §15)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from applications.branches import visible_applications
from collateral import services
from collateral.api.common import READ_ERRORS, READ_ROLES, REGISTER_ERRORS, WRITE_ROLES
from collateral.api.serializers import GuaranteeInputSerializer, GuaranteeSerializer
from collateral.branches import visible_guarantees
from collateral.models import Guarantee
from core.branches import choices_seen_by, require_visible


class GuaranteeFilter(django_filters.FilterSet):
    application = django_filters.ModelChoiceFilter(queryset=choices_seen_by(visible_applications))

    class Meta:
        model = Guarantee
        fields = ["application"]


class GuaranteeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Guarantees by persons and legal entities, jointly and severally liable (DOMAIN.md §15)."""

    allowed_roles = READ_ROLES
    allowed_roles_by_action = {"create": WRITE_ROLES}
    serializer_class = GuaranteeSerializer
    filterset_class = GuaranteeFilter
    ordering_fields = ["registered_at"]

    def get_queryset(self):
        # no selector lists guarantees: the application's number is shown with each
        guarantees = Guarantee.objects.select_related("application").order_by("id")
        return visible_guarantees(self.request.user, guarantees)

    @extend_schema(responses={200: GuaranteeSerializer(many=True), 403: READ_ERRORS[403]})
    def list(self, request, *args, **kwargs):
        """Guarantees, filtered by `application`."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=GuaranteeInputSerializer, responses={201: GuaranteeSerializer, **REGISTER_ERRORS}
    )
    def create(self, request):
        """Add a guarantee to an application while its package is open."""
        data = GuaranteeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        require_visible(request.user, "application", fields["application"], field="application")
        guarantee = services.guarantee_add(
            application_id=fields.pop("application").pk, **fields, by=request.user
        )
        guarantee = self.get_queryset().get(pk=guarantee.pk)
        return Response(self.get_serializer(guarantee).data, status=status.HTTP_201_CREATED)
