"""The collateral as pages show it: the coverage of an application's amount against the
product's minimum, and the summary the application page and the committee's credit package
show (``{% collateral_summary %}``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from applications.models import Application
from collateral.domain.valuation import coverage_shortfall
from collateral.messages import ineligibility_message
from collateral.models import Appraisal, CollateralItem, Guarantee, PledgeAgreement
from collateral.selectors import (
    application_coverage,
    collateral_of,
    item_reasons,
    latest_appraisal,
    pledge_values,
    required_coverage,
    secured_amount,
)
from core.money import ZERO
from core.privacy import identifier_for

HUNDRED = Decimal(100)
PERCENT = Decimal("0.01")


def as_percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * HUNDRED).quantize(PERCENT)


def application_date(application: Application) -> date:
    return timezone.localdate(application.created_at)


@dataclass(frozen=True)
class Coverage:
    """Pledge value of the items still pledged over the amount, against the product minimum."""

    amount: Decimal
    basis: str  # "approved", "requested" or "proposed"
    pledge_value: Decimal
    ratio: Decimal | None  # None: nothing appraised
    required: Decimal
    shortfall: Decimal

    @property
    def percent(self) -> Decimal | None:
        return as_percent(self.ratio)

    @property
    def required_percent(self) -> Decimal:
        return as_percent(self.required)

    @property
    def meets(self) -> bool:
        return self.ratio is not None and self.ratio >= self.required

    @property
    def state(self) -> str:
        if not self.required:
            return "not_required"
        if self.ratio is None:
            return "not_appraised"
        return "meets" if self.meets else "below"


def coverage_for(application: Application, amount: Decimal | None = None) -> Coverage:
    if amount is not None:
        basis = "proposed"
    elif getattr(getattr(application, "decision", None), "amount", None):
        basis = "approved"
    else:
        basis = "requested"
    amount = amount or secured_amount(application)
    values = pledge_values(application)
    required = required_coverage(application)
    return Coverage(
        amount=amount,
        basis=basis,
        pledge_value=sum(values, ZERO),
        ratio=application_coverage(application, amount),
        required=required,
        shortfall=coverage_shortfall(values, amount, required) if required else ZERO,
    )


@dataclass(frozen=True)
class ItemRow:
    item: CollateralItem
    appraisal: Appraisal | None
    reasons: list[str]
    pledge: PledgeAgreement | None


def _item_rows(application: Application) -> list[ItemRow]:
    on = application_date(application)
    return [
        ItemRow(
            item=item,
            appraisal=latest_appraisal(item),
            reasons=[] if item.released_at else [
                ineligibility_message(reason) for reason in item_reasons(item, on=on)
            ],
            pledge=getattr(item, "pledge", None),
        )
        for item in collateral_of(application).select_related("pledge")
    ]  # fmt: skip


def _guarantee_rows(application: Application, user) -> list[tuple[Guarantee, str]]:
    guarantees = application.guarantees.order_by("registered_at", "pk")
    return [(g, identifier_for(user, g.identifier)) for g in guarantees]


def application_summary(application: Application, *, user, proposed: Decimal | None = None) -> dict:
    """What the application page and the credit package show of the collateral."""
    coverage = coverage_for(application)
    return {
        "application": application,
        "secured": application.product.secured,
        "rows": _item_rows(application),
        "guarantees": _guarantee_rows(application, user),
        "coverage": coverage,
        "proposed_coverage": coverage_for(application, proposed)
        if proposed and proposed != coverage.amount
        else None,
    }
