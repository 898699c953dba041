"""Schedule versions: every schedule a loan had, and one of them with its instalments."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from core.api.schema import error_response
from loans import selectors
from loans.api.changes.serializers import (
    ScheduleVersionDetailSerializer,
    ScheduleVersionSerializer,
)
from loans.api.common import LIST_ACTION, READ_ERRORS

VERSION_ERRORS = {**READ_ERRORS, 404: error_response("No such loan, or no such version of it.")}


class ScheduleVersionActions:
    """``loans/{id}/schedule-versions/`` and ``loans/{id}/schedule-versions/{version}/``."""

    @extend_schema(responses={200: ScheduleVersionSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], url_path="schedule-versions", **LIST_ACTION)
    def schedule_versions(self, request, pk=None):
        """Every schedule the loan had, the oldest first, with what changed it."""
        loan = self.get_object()
        return self._page(selectors.schedule_versions(loan), ScheduleVersionSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, OpenApiParameter.PATH)],
        responses={200: ScheduleVersionDetailSerializer, **VERSION_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"schedule-versions/(?P<version>\d+)",
        url_name="schedule-version",
    )
    def schedule_version(self, request, pk=None, version=None):
        """One version of the schedule with its instalments, the repeated history first."""
        loan = self.get_object()
        row = get_object_or_404(selectors.schedule_versions(loan), version=int(version))
        return self._one(row, ScheduleVersionDetailSerializer)
