from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.regulation import Key, LoanClass, mrp, regulatory_value, regulatory_value_or_none
from loans.domain.limits import ProductLimits
from loans.domain.penalties import PenaltyCaps
from loans.models import AmountUnit, Product


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


def penalty_caps(*, on: date, to_individual: bool) -> PenaltyCaps:
    """The legal caps on penalties in force on a date (DOMAIN.md §12).

    Loans to individuals (not for business) have a lower daily cap, a yearly cap as a share of
    the loan amount, and no accrual after 90 days overdue; business loans only the daily cap.
    """
    if not to_individual:
        return PenaltyCaps(max_daily_rate=regulatory_value(Key.PENALTY_DAILY_MAX, on=on))
    individual = LoanClass.INDIVIDUAL
    year_share = regulatory_value_or_none(Key.PENALTY_YEAR_SHARE_MAX, on=on, loan_class=individual)
    stop_days = regulatory_value_or_none(Key.PENALTY_STOP_DAYS, on=on, loan_class=individual)
    return PenaltyCaps(
        max_daily_rate=regulatory_value(Key.PENALTY_DAILY_MAX, on=on, loan_class=individual),
        # stored in percent, as the regulation states it; the domain takes a fraction
        max_total_share_of_loan_per_contract_year=year_share / 100 if year_share else None,
        stop_after_days_overdue=int(stop_days) if stop_days else None,
    )
