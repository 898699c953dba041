"""The monitoring queue: items whose inspection is overdue (DOMAIN.md §15)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from collateral.api.common import READ_ERRORS, READ_ROLES
from collateral.api.serializers import InspectionDueSerializer
from collateral.models import CollateralItem
from collateral.selectors import inspection_queue


class InspectionQueueView(generics.ListAPIView):
    """The monitoring queue: items whose inspection is overdue today, most overdue first."""

    allowed_roles = READ_ROLES
    serializer_class = InspectionDueSerializer
    filter_backends: list = []  # the queue is computed, not a queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        return inspection_queue(as_of=timezone.localdate(), user=self.request.user)

    @extend_schema(responses={200: InspectionDueSerializer(many=True), 403: READ_ERRORS[403]})
    def get(self, request, *args, **kwargs):
        """Overdue inspections, most overdue first, with the item and its application."""
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        items = CollateralItem.objects.select_related("application").in_bulk(
            [row.item_id for row in page]
        )
        rows = []
        for row in page:
            item = items[row.item_id]
            rows.append(
                {
                    "item": item.pk,
                    "application": item.application_id,
                    "application_number": item.application.number,
                    "kind": item.kind,
                    "description": item.description,
                    "due": row.due,
                    "days_overdue": row.days_overdue,
                }
            )
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
