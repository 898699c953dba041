"""``{% collateral_summary application %}``: the collateral section of pages other apps own.

The application page and the committee's credit package render it without their views
computing collateral; the context comes from ``collateral.presenters.application_summary``.
"""

from __future__ import annotations

from django import template

from collateral.presenters import application_summary

register = template.Library()


@register.inclusion_tag("collateral/_summary.html", takes_context=True)
def collateral_summary(context, application, proposed=None) -> dict:
    return application_summary(application, user=context["request"].user, proposed=proposed)
