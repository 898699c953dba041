from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="startswith")
    actor = django_filters.CharFilter(label=_("User"), field_name="actor__username")
    target_type = django_filters.CharFilter(label=_("Object type"), field_name="target_type__model")
    target_id = django_filters.CharFilter(label=_("Object id"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id", "date_from", "date_to"]
