"""What every seeded loan shares (the product, the branch, the officer, the calendar) and each
loan's schedule as the instalment rows store it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from core.money import ZERO
from lending.domain.dates import roll_to_business_day
from lending.domain.daycount import DayCount
from lending.domain.gesv import gesv_of_schedule
from lending.domain.schedule import LoanTerms, Method, build_schedule
from loans.domain.servicing import AccrualTerms, ScheduleTotals

TERM = 24
SPREAD_DAYS = 720  # disbursements over the two years before the benchmark date
AMOUNTS = [Decimal(n * 100_000) for n in (2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50)]
PRODUCT = "almaty-unsecured"


@dataclass(frozen=True)
class Line:
    """One instalment as stored, with its grace date and cumulative totals."""

    number: int
    due_date: date
    grace_date: date
    days: int
    principal: Decimal
    interest: Decimal
    total: Decimal
    balance: Decimal
    cumulative_principal: Decimal
    cumulative_interest: Decimal


class Portfolio:
    """What every seeded loan shares: the product, the branch, the officer, the calendar."""

    def __init__(self, on: date):
        from django.contrib.auth import get_user_model

        from core.models import Branch
        from core.selectors import business_calendar
        from lending.models import Product
        from loans.selectors import penalty_caps
        from shell.demo import seed_products

        seed_products()
        self.on = on
        self.product = Product.objects.get(code=PRODUCT)
        self.branch = Branch.objects.order_by("id").first()
        self.officer, _ = get_user_model().objects.get_or_create(username="bench.officer")
        self.rate = self.product.min_rate
        self.day_count = DayCount(self.product.day_count)
        caps = penalty_caps(on=on, to_individual=False)  # business loans: the daily cap only
        self.penalty_rate = min(self.product.penalty_rate_daily, caps.max_daily_rate)
        assert caps.max_total_share_of_loan_per_contract_year is None
        assert caps.stop_after_days_overdue is None
        self.terms_base = AccrualTerms(
            annual_rate=self.rate,
            day_count=self.day_count,
            penalty_rate=self.penalty_rate,
            penalty_year_cap=None,
            stop_after_days=None,
            start=on,
        )
        first = on - timedelta(days=SPREAD_DAYS + 5)
        self.calendar = business_calendar(years=range(first.year, on.year + 4))
        self.gesv = gesv_of_schedule(self.schedule(AMOUNTS[0], on))

    def schedule(self, amount: Decimal, disbursed_on: date):
        return build_schedule(
            LoanTerms(
                amount=amount,
                annual_rate=self.rate,
                term_months=TERM,
                method=Method.ANNUITY,
                day_count=self.day_count,
                disbursement_date=disbursed_on,
                payment_multiple=self.product.payment_multiple,
            )
        )

    @cache  # noqa: B019 - one portfolio per run; ~8,000 schedules
    def lines(self, amount: Decimal, disbursed_on: date) -> tuple[Line, ...]:
        rows, principal, interest = [], ZERO, ZERO
        for item in self.schedule(amount, disbursed_on).installments:
            principal += item.principal
            interest += item.interest
            rows.append(
                Line(
                    number=item.number,
                    due_date=item.due_date,
                    grace_date=roll_to_business_day(item.due_date, self.calendar.is_business_day),
                    days=item.days,
                    principal=item.principal,
                    interest=item.interest,
                    total=item.total,
                    balance=item.balance,
                    cumulative_principal=principal,
                    cumulative_interest=interest,
                )
            )
        return tuple(rows)


def schedule_totals(lines: tuple[Line, ...], day: date) -> ScheduleTotals:
    """The schedule's cumulative totals on ``day`` (as ``selectors.schedule_totals``)."""
    due = late = None
    for line in lines:
        if line.due_date > day:
            break
        due = line
        if line.grace_date < day:
            late = line
    if due is None:
        return ScheduleTotals()
    return ScheduleTotals(
        principal_due=due.cumulative_principal,
        interest_due=due.cumulative_interest,
        principal_late=late.cumulative_principal if late else ZERO,
        interest_late=late.cumulative_interest if late else ZERO,
        last_due_date=due.due_date,
    )
