"""Translated reasons for the codes the pure requirement checks return."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from applications.domain.requirements import Refusal

REFUSAL_MESSAGES = {
    "age_out_of_range": _("The applicant is %(age)s; the rules require %(min)s to %(max)s years."),
    "region_not_served": _("The MFO does not lend in this region."),
    "activity_not_financed": _("The activity %(activity)s is not financed."),
    "purpose_not_financed": _("The product does not finance this purpose."),
    "entity_in_liquidation": _("A legal entity in liquidation, bankruptcy or under arrest."),
    "offshore_registration": _("Applicants registered offshore are not financed."),
}


def refusal_message(refusal: Refusal) -> str:
    return str(REFUSAL_MESSAGES[refusal.code]) % refusal.params
