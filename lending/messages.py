"""Translated messages for the codes the pure domain returns (it knows no languages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lending.domain.limits import LimitViolation

LIMIT_MESSAGES = {
    "amount_out_of_range": _("The amount must be from %(min)s to %(max)s KZT for this product."),
    "term_out_of_range": _("The term must be from %(min)s to %(max)s months for this product."),
    "rate_out_of_range": _("The rate must be from %(min)s to %(max)s %% a year for this product."),
    "method_not_allowed": _("This product allows only these methods: %(allowed)s."),
    "day_count_differs": _("This product counts days as %(product)s."),
    "gesv_above_cap": _("The GESV %(gesv)s %% is above the cap of %(cap)s %%."),
    "rate_above_gesv_cap": _(
        "The rate may not exceed %(cap)s %% a year: the GESV cap in force for this loan."
    ),
    "rate_above_daily_cap": _(
        "A loan of at most 45 days and 45 MRP must cost under %(daily)s %% a day: "
        "a rate under %(cap)s %% a year."
    ),
}


def limit_message(violation: LimitViolation) -> str:
    params = {
        key: ", ".join(value) if isinstance(value, list) else value
        for key, value in violation.params.items()
    }
    return str(LIMIT_MESSAGES[violation.code]) % params
