"""What the collateral adds to an application's rules (``applications.hooks``), registered
in ``CollateralConfig.ready()``: the appraisal before the assessment, the coverage of the
terms put to the committee's vote (DOMAIN.md §15)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from collateral.messages import ineligibility_message
from collateral.selectors import application_coverage, item_reasons
from core.errors import DomainError


def collateral_gaps(application: Application) -> list[str]:
    """Every item eligible and appraised before the assessment (DOMAIN.md §15)."""
    items = list(application.collateral.select_related("pledgor"))
    if not items:
        return [_("No collateral has been registered.")]
    on = timezone.localdate(application.created_at)
    return [
        f"{item}: {ineligibility_message(reason)}"
        for item in items
        for reason in item_reasons(item, on=on)
    ]


def check_coverage(application: Application, *, amount: Decimal) -> None:
    """A secured product's minimum coverage is enforced at the decision (DOMAIN.md §15)."""
    minimum = application.product.min_coverage
    if not application.product.secured or not minimum:
        return
    covered = application_coverage(application, amount)
    if covered is None or covered < minimum:
        raise DomainError(
            _("The collateral covers %(covered)s of the amount; the product requires %(minimum)s.")
            % {"covered": covered if covered is not None else 0, "minimum": minimum},
            field="amount",
        )
