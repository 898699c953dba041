"""Hypothesis strategies and settings shared by the domain tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st

from lending.domain.daycount import DayCount
from lending.domain.schedule import LoanTerms, Method

# Modest, deterministic and without an example database written into the project.
PROPERTY = settings(max_examples=150, deadline=None, database=None, derandomize=True)
SLOW_PROPERTY = settings(max_examples=40, deadline=None, database=None, derandomize=True)

day_counts = st.sampled_from(list(DayCount))
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts in whole tiyn from ``low`` to ``high`` tenge."""
    return st.integers(low * 100, high * 100).map(lambda tiyn: Decimal(tiyn) / 100)


def rates(low: str = "0", high: str = "56") -> st.SearchStrategy[Decimal]:
    """Annual rates in percent with two decimals (the seeds' products go up to 45 %)."""
    return st.integers(int(Decimal(low) * 100), int(Decimal(high) * 100)).map(
        lambda hundredths: Decimal(hundredths) / 100
    )


@st.composite
def loan_terms(
    draw: st.DrawFn,
    *,
    methods: tuple[Method, ...] = (Method.ANNUITY, Method.DIFFERENTIATED, Method.INTEREST_ONLY),
    rate: st.SearchStrategy[Decimal] | None = None,
    max_term: int = 84,
    day_count: st.SearchStrategy[DayCount] = day_counts,
    grace: bool = True,
    multiples: tuple[str, ...] = ("0.01", "1"),
    first_offsets: st.SearchStrategy[int | None] | None = None,
    terms: st.SearchStrategy[int] | None = None,
) -> LoanTerms:
    """Loans like the seeds' products: 10,000 KZT to 20,000 MRP, up to 7 years, ≤ 56 %."""
    disbursed = draw(dates)
    term = draw(terms if terms is not None else st.integers(1, max_term))
    method = draw(st.sampled_from(methods))
    first_offset = draw(
        first_offsets if first_offsets is not None else st.none() | st.integers(1, 45)
    )
    return LoanTerms(
        amount=draw(money(10_000, 86_500_000)),
        annual_rate=draw(rate if rate is not None else rates()),
        term_months=term,
        method=method,
        day_count=draw(day_count),
        disbursement_date=disbursed,
        first_payment_date=None if first_offset is None else disbursed + timedelta(first_offset),
        grace_months=draw(st.integers(0, term - 1)) if grace and method != Method.CUSTOM else 0,
        payment_multiple=Decimal(draw(st.sampled_from(multiples))),
    )
