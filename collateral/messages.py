"""Translated reasons for the codes the pure collateral checks return."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from collateral.domain.eligibility import Ineligibility

MESSAGES = {
    "not_pledgeable": _("Items of this kind cannot be pledged."),
    "region_not_served": _("Real estate in this location is not accepted."),
    "not_state_registered": _("The rights to the real estate are not registered with the state."),
    "make_origin_unknown": _("The country of the make is not on either list of the rules."),
    "year_of_manufacture_missing": _("Give the year of manufacture."),
    "year_of_manufacture_in_future": _("The year of manufacture is in the future."),
    "too_old": _("The item is %(age)s years old; the limit for its make is %(max_age)s."),
    "title_documents_missing": _("The original title documents are not held."),
    "third_party_rights": _("The pledgor has not declared the item free of third-party rights."),
    "budget_arrears": _("The pledgor has not declared the item free of budget arrears."),
    "appraisal_missing": _("The item has not been appraised."),
    "appraisal_expired": _("The appraisal of %(appraisal_date)s was valid until %(valid_until)s."),
    "pledgor_body_decision_missing": _("The entity's decision to pledge is missing."),
    "guarantor_body_decision_missing": _("The entity's decision to guarantee is missing."),
}


def ineligibility_message(reason: Ineligibility) -> str:
    params = {
        key: value.strftime("%d.%m.%Y") if isinstance(value, date) else value
        for key, value in reason.params.items()
    }
    return str(MESSAGES.get(reason.code, reason.code)) % params
