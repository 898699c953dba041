"""Reads of the product catalogue, in KZT on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.regulation import mrp
from lending.domain.limits import ProductLimits
from lending.models import AmountUnit, Product


def product_list():
    return Product.objects.filter(is_active=True).prefetch_related("purposes")


def _in_kzt(amount: Decimal, unit: str, *, on: date) -> Decimal:
    return amount * mrp(on=on) if unit == AmountUnit.MRP else amount


def product_limits(product: Product, *, on: date, purpose: str | None = None) -> ProductLimits:
    """The product's limits in KZT on a date (MRP of that year), narrowed to a purpose's term."""
    max_term = product.max_term_months
    if purpose:
        purpose_term = next(
            (p.max_term_months for p in product.purposes.all() if p.purpose == purpose), None
        )
        if purpose_term:
            max_term = min(max_term, purpose_term)
    return ProductLimits(
        min_amount=_in_kzt(product.min_amount, product.min_amount_unit, on=on),
        max_amount=_in_kzt(product.max_amount, product.max_amount_unit, on=on),
        min_term_months=product.min_term_months,
        max_term_months=max_term,
        min_rate=product.min_rate,
        max_rate=product.max_rate,
        methods=frozenset(product.methods),
        day_count=product.day_count,
    )
