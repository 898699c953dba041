"""The loan calculator: a schedule, its GESV against the cap, and the product's limits.

One function serves the calculator page, its PDF and the API. It reads the product and the
regulatory numbers; every calculation is the pure domain's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.regulation import Key, LoanClass, gesv_cap, mrp, regulatory_value_or_none
from lending.domain.daycount import year_basis
from lending.domain.errors import InvalidLoanTerms
from lending.domain.gesv import CashFlow, gesv_of_schedule
from lending.domain.limits import LimitViolation, check_limits, gesv_violation, rate_violation
from lending.domain.schedule import LoanTerms, Schedule, build_schedule
from lending.messages import limit_message
from lending.models import Product
from lending.selectors import product_limits

SHORT_LOAN_DAYS = 45  # a loan this short and no larger than 45 MRP has its own GESV cap
SHORT_LOAN_MRP = 45


@dataclass(frozen=True)
class Calculation:
    terms: LoanTerms
    schedule: Schedule
    fees: tuple[CashFlow, ...]
    gesv: Decimal
    gesv_cap: Decimal
    limit_violations: tuple[LimitViolation, ...]

    @property
    def gesv_within_cap(self) -> bool:
        return self.gesv <= self.gesv_cap


def loan_class_of(schedule: Schedule) -> str:
    """Which regulatory class the loan falls in, for its GESV cap (DOMAIN.md §12)."""
    days = (schedule.installments[-1].due_date - schedule.start_date).days
    small = schedule.amount <= SHORT_LOAN_MRP * mrp(on=schedule.start_date)
    return LoanClass.SHORT_SMALL if days <= SHORT_LOAN_DAYS and small else LoanClass.ANY


def check_rate(terms: LoanTerms, *, on: date, loan_class: str) -> None:
    """Refuse a rate above the highest one the caps in force on ``on`` allow a loan of this
    class: its GESV cap and, for short loans, the daily cap (the input's only upper bound)."""
    violation = rate_violation(
        terms.annual_rate,
        gesv_cap=gesv_cap(on=on, loan_class=loan_class),
        daily_cap=regulatory_value_or_none(Key.GESV_CAP_DAILY, on=on, loan_class=loan_class),
        year_days=year_basis(terms.day_count),
    )
    if violation is not None:
        raise InvalidLoanTerms(limit_message(violation), field="annual_rate", code=violation.code)


def calculate(
    *,
    terms: LoanTerms,
    fees: Sequence[CashFlow] = (),
    product: Product | None = None,
    on: date | None = None,
) -> Calculation:
    """``on`` is the date whose caps and MRP apply; by default the disbursement date."""
    on = on or terms.disbursement_date
    schedule = build_schedule(terms)
    loan_class = loan_class_of(schedule)
    check_rate(terms, on=on, loan_class=loan_class)
    gesv = gesv_of_schedule(schedule, fees)
    cap = gesv_cap(
        on=on,
        product_cap=product.gesv_cap if product else None,
        loan_class=loan_class,
    )
    violations = []
    if product is not None:
        violations = check_limits(
            product_limits(product, on=on),
            amount=terms.amount,
            term_months=terms.term_months,
            annual_rate=terms.annual_rate,
            method=terms.method,
            day_count=terms.day_count,
        )
    if over_cap := gesv_violation(gesv, cap):
        violations.append(over_cap)
    return Calculation(
        terms=terms,
        schedule=schedule,
        fees=tuple(fees),
        gesv=gesv,
        gesv_cap=cap,
        limit_violations=tuple(violations),
    )
