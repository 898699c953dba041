from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from applications.models import Application, Stage
from collateral.branches import visible_collateral_items
from collateral.domain.eligibility import (
    SEED_004_RULES,
    CollateralRules,
    Ineligibility,
    collateral_reasons,
)
from collateral.domain.eligibility import CollateralItem as ItemFacts
from collateral.domain.insurance import InsurancePolicy, insurance_expiring
from collateral.domain.monitoring import MonitoredItem, OverdueInspection, overdue_inspections
from collateral.domain.valuation import coverage
from collateral.hooks import secured_debt
from collateral.models import Appraisal, CollateralItem, CollateralType, Insurance

# The areas of seed 004; an MFO with other areas changes them here (a setting to come).
COLLATERAL_RULES: CollateralRules = SEED_004_RULES


def latest_appraisal(item: CollateralItem, *, licensed_only: bool = False) -> Appraisal | None:
    appraisals = item.appraisals.all()
    if licensed_only:
        appraisals = appraisals.filter(from_inspection=False)
    return appraisals.order_by("-appraised_on", "-id").first()


def item_reasons(item: CollateralItem, *, on: date) -> list[Ineligibility]:
    """Why an item cannot be accepted for its application, if at all (DOMAIN.md §15)."""
    appraisal = latest_appraisal(item, licensed_only=True)
    facts = ItemFacts(
        kind=item.kind,
        region=item.region,
        in_regional_centre=item.in_regional_centre,
        state_registered=item.state_registered,
        make_country=item.make_country,
        year_of_manufacture=item.year_of_manufacture,
        not_pledgeable=item.not_pledgeable or None,
        has_original_title_documents=item.title_documents.filter(
            original_received_at__isnull=False
        ).exists(),
        free_of_third_party_rights=item.free_of_third_party_rights,
        free_of_budget_arrears=item.free_of_budget_arrears,
        appraisal_date=appraisal.appraised_on if appraisal else None,
        provider_is_legal_entity=item.pledgor.is_legal_entity,
        body_decision=bool(item.pledgor.body_decision),
    )
    return collateral_reasons(facts, COLLATERAL_RULES, on)


def secured_amount(application: Application) -> Decimal:
    """What the collateral secures: a disbursed loan's outstanding debt (principal, interest,
    penalty; read by loans, ``collateral.hooks``), else the approved amount once decided, else
    the requested one."""
    debt = secured_debt(application)
    if debt is not None:
        return debt
    decision = getattr(application, "decision", None)
    if decision is not None and decision.amount:
        return decision.amount
    return application.requested_amount


def pledge_values(application: Application) -> list[Decimal]:
    """The latest pledge value of each item still pledged, in one query."""
    latest = Appraisal.objects.filter(item=OuterRef("pk")).order_by("-appraised_on", "-id")
    return [
        value
        for value in CollateralItem.objects.filter(
            application=application, released_at__isnull=True
        )
        .annotate(value=Subquery(latest.values("pledge_value")[:1]))
        .values_list("value", flat=True)
        if value is not None
    ]


def application_coverage(application: Application, amount: Decimal | None = None) -> Decimal | None:
    """Pledge value over the loan amount; None when nothing has been appraised."""
    values = pledge_values(application)
    if not values:
        return None
    return coverage(values, amount or secured_amount(application))


def required_coverage(application: Application) -> Decimal:
    return application.product.min_coverage


def inspection_queue(*, as_of: date, user=None) -> list[OverdueInspection]:
    """Items whose inspection is overdue, most overdue first: one query for the whole book
    (with ``user``, the part of it the user's branch sees)."""
    months = dict(CollateralType.objects.values_list("kind", "inspection_months"))
    book = CollateralItem.objects.all() if user is None else visible_collateral_items(user)
    rows = (
        book.filter(released_at__isnull=True)
        # an application that ends without a loan leaves nothing to guard
        .exclude(application__stage__in=[Stage.REFUSED, Stage.WITHDRAWN, Stage.DECLINED])
        .annotate(last=Max("inspections__inspected_on"))
        .values_list("pk", "kind", "registered_at", "last")
    )
    items = [
        MonitoredItem(
            item_id=pk,
            kind=kind,
            accepted_on=timezone.localdate(registered_at),
            last_inspected_on=last,
            frequency_months=months.get(kind),
        )
        for pk, kind, registered_at, last in rows
    ]
    return overdue_inspections(items, as_of)


def collateral_of(application: Application) -> QuerySet[CollateralItem]:
    return application.collateral.select_related("pledgor").prefetch_related(
        "appraisals", "title_documents", "insurances"
    )


def insurance_expiring_soon(*, as_of: date, days_ahead: int = 30) -> list[InsurancePolicy]:
    """Policies of items still pledged whose cover ends within ``days_ahead``: one query."""
    rows = Insurance.objects.filter(item__released_at__isnull=True).values_list(
        "item_id", "ends_on", "policy_number"
    )
    policies = [InsurancePolicy(item_id=i, expires_on=e, number=n) for i, e, n in rows]
    return insurance_expiring(policies, as_of, days_ahead)
