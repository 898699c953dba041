"""What a branch sees of the collateral's files: those of the applications it sees."""

from __future__ import annotations

from django.db.models import QuerySet

from applications.branches import application_condition
from collateral.models import CollateralItem, Guarantee
from core.branches import scoped


def visible_collateral_items(user, items: QuerySet | None = None) -> QuerySet:
    queryset = CollateralItem.objects.all() if items is None else items
    return scoped(user, queryset, application_condition, "application__")


def visible_guarantees(user, guarantees: QuerySet | None = None) -> QuerySet:
    queryset = Guarantee.objects.all() if guarantees is None else guarantees
    return scoped(user, queryset, application_condition, "application__")
