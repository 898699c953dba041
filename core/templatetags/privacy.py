"""The privacy policy in templates, for the page's user (``core.privacy``, as the API does).

{% load privacy %}
{% visible "contacts" as contacts_visible %}    in clear, masked or banded: not hidden
{% personal "income" applicant.monthly_income %} the value as the policy shows it
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import floatformat

from core.privacy import Category, Shown, income_band, mask_identifier, treatment

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def visible(context, category: str) -> bool:
    return treatment(_user(context), Category(category)) != Shown.HIDDEN


@register.simple_tag(takes_context=True)
def personal(context, category: str, value) -> str:
    """In clear (an amount with two decimals, a date as dd.mm.yyyy), masked, as its band, or
    nothing at all; an empty value is a dash."""
    how = treatment(_user(context), Category(category))
    if how == Shown.HIDDEN:
        return ""
    if value is None or value == "":
        return "—"
    if how == Shown.BANDED:
        return str(income_band(value))
    if how == Shown.MASKED:
        return mask_identifier(str(value))
    if isinstance(value, Decimal):
        return floatformat(value, "2g")
    if isinstance(value, date):
        return date_format(value, "d.m.Y")
    return str(value)
