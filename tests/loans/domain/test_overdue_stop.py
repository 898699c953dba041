"""The stop after 90 days overdue (DOMAIN.md §12): two readings, as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import ZERO
from lending.domain.daycount import DayCount
from loans.domain.prepayment import payoff_quote
from loans.domain.servicing import (
    AccrualTerms,
    Position,
    ScheduleTotals,
    StopScope,
    accrual_stopped,
    accrued_not_due,
    interest_stopped,
    interest_waived,
)
from tests.loans.domain.test_servicing import run

TERMS = AccrualTerms(
    annual_rate=D("12"),
    day_count=DayCount.ACTUAL_360,
    penalty_rate=D("1"),
    penalty_year_cap=None,
    stop_after_days=90,
    start=date(2024, 1, 10),
)
# Late since 10 Feb 2024: 10 May is day 90 and accrues; 11 May (day 91) on is stopped.
LATE = {"late_principal": D("1000"), "late_interest": ZERO, "late_since": date(2024, 2, 10)}


def test_the_full_stop_is_the_default_reading():
    assert TERMS.stop_scope is StopScope.PENALTY_AND_INTEREST


def test_full_stop_ends_penalty_and_interest_on_late_principal_from_day_91():
    days = run(TERMS, date(2024, 5, 9), 4, **LATE)
    assert [day.penalty_exact for day in days] == [D("10"), D("20"), D("20"), D("20")]
    assert [day.late_principal_days for day in days] == [D("1000"), D("2000")] + [D("2000")] * 2


def test_penalty_reading_ends_penalty_only_interest_on_late_principal_goes_on():
    terms = replace(TERMS, stop_scope=StopScope.PENALTY)
    days = run(terms, date(2024, 5, 9), 4, **LATE)
    assert [day.penalty_exact for day in days] == [D("10"), D("20"), D("20"), D("20")]
    assert [day.late_principal_days for day in days] == [D(1000 * n) for n in (1, 2, 3, 4)]


@pytest.mark.parametrize(
    ("scope", "on", "penalty", "interest"),
    [
        (StopScope.PENALTY_AND_INTEREST, date(2024, 5, 10), False, False),  # day 90
        (StopScope.PENALTY_AND_INTEREST, date(2024, 5, 11), True, True),  # day 91
        (StopScope.PENALTY, date(2024, 5, 11), True, False),
        (StopScope.PENALTY, date(2024, 5, 10), False, False),
    ],
)
def test_which_day_stops_what(scope, on, penalty, interest):
    terms = replace(TERMS, stop_scope=scope)
    assert accrual_stopped(terms, on, date(2024, 2, 10)) is penalty
    assert interest_stopped(terms, on, date(2024, 2, 10)) is interest
    assert not accrual_stopped(replace(terms, stop_after_days=None), on, date(2024, 2, 10))


@pytest.mark.parametrize(
    ("interest", "days", "stopped", "waived"),
    [
        (D("6000.00"), 31, 0, ZERO),
        (D("6000.00"), 31, 31, D("6000.00")),
        (D("6000.00"), 31, 40, D("6000.00")),  # never more than the line's interest
        (D("6000.00"), 31, 30, D("5806.45")),  # 6,000 × 30 / 31 = 5,806.4516…
        (D("100.00"), 30, 1, D("3.33")),
        (D("100.00"), 0, 5, ZERO),
    ],
)
def test_interest_waived_pro_rata_by_stopped_days(interest, days, stopped, waived):
    assert interest_waived(interest, days, stopped) == waived


@given(
    interest=st.decimals(0, 10_000_000, places=2),
    days=st.integers(1, 62),
    stopped=st.integers(0, 70),
)
def test_waived_interest_is_whole_tiyn_and_within_the_line(interest, days, stopped):
    waived = interest_waived(interest, days, stopped)
    assert ZERO <= waived <= interest
    assert waived == waived.quantize(D("0.01"))
    if stopped >= days:
        assert waived == interest
    if stopped == 0:
        assert waived == ZERO


def test_payoff_during_the_stop_charges_only_the_days_before_it():
    # 100,000 not yet due since 5 May, 12 % actual/360; 5 of the 20 days to 25 May stopped
    quote = payoff_quote(
        on=date(2024, 5, 25),
        principal_outstanding=D("100000"),
        interest_from=date(2024, 5, 5),
        annual_rate=D("12"),
        day_count=DayCount.ACTUAL_360,
        stopped_days=5,
    )
    scheduled = D("666.67")  # 100,000 × 12 % × 20 / 360
    assert quote.interest_waived == D("166.67")  # 666.67 × 5 / 20, half-up
    assert quote.interest == scheduled - quote.interest_waived


def test_accrued_not_due_counts_no_stopped_day():
    position = Position(amount=D("100000"), principal=D("100000"))
    totals = ScheduleTotals(last_due_date=date(2024, 5, 5))
    earned = accrued_not_due(position, totals, TERMS, date(2024, 5, 25))
    assert earned == D("666.67")
    assert accrued_not_due(position, totals, TERMS, date(2024, 5, 25), 20) == ZERO
    assert accrued_not_due(position, totals, TERMS, date(2024, 5, 25), 5) == D("500.00")
