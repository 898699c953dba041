from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loans.domain.errors import InvalidPenaltyInput
from loans.domain.penalties import NO_CAPS, OverdueItem, PenaltyCaps, penalty_owed
from tests.lending.domain.strategies import PROPERTY, dates, money

D = Decimal
HOLIDAYS = {date(2024, 3, 8), date(2024, 3, 21), date(2024, 3, 22)}  # Women's Day, Nauryz


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def owed(items, as_of, rate="1", caps=NO_CAPS, loan="1000000", start=date(2024, 1, 1)):
    return penalty_owed(
        items,
        as_of,
        daily_rate=D(rate),
        loan_amount=D(loan),
        is_business_day=is_business_day,
        caps=caps,
        contract_start=start,
    )


@pytest.mark.parametrize(
    ("due", "as_of", "days"),
    [
        (date(2024, 6, 12), date(2024, 6, 12), 0),  # Wednesday: due today, not late
        (date(2024, 6, 12), date(2024, 6, 13), 1),
        (date(2024, 6, 12), date(2024, 6, 14), 2),
        (date(2024, 6, 15), date(2024, 6, 17), 0),  # Saturday: may pay on Monday the 17th
        (date(2024, 6, 15), date(2024, 6, 18), 1),  # the clock starts on Tuesday
        (date(2024, 3, 8), date(2024, 3, 11), 0),  # holiday Friday, then the weekend
        (date(2024, 3, 8), date(2024, 3, 12), 1),
        (date(2024, 3, 21), date(2024, 3, 25), 0),  # Nauryz Thu–Fri, weekend, Monday 25th
        (date(2024, 3, 21), date(2024, 3, 27), 2),
    ],
)
def test_days_charged_respect_the_next_business_day(due, as_of, days):
    # 10,000 overdue at 1 % a day: 100 a day.
    result = owed([OverdueItem(due, D("10000"))], as_of)
    assert result.items[0].days == days
    assert result.total == 100 * days


def test_a_paid_item_stops_accruing_on_its_payment_day():
    item = OverdueItem(date(2024, 6, 12), D("10000"), paid_on=date(2024, 6, 14))
    assert owed([item], date(2024, 7, 1)).total == D("200.00")  # the 13th and the 14th


def test_daily_rate_is_capped():
    result = owed([OverdueItem(date(2024, 6, 12), D("10000"))], date(2024, 6, 14), rate="1",
                  caps=PenaltyCaps(max_daily_rate=D("0.5")))  # fmt: skip
    assert result.daily_rate == D("0.5")
    assert result.total == D("100.00")


def test_yearly_cap_per_contract_year():
    # 100,000 lent on 1 Jan 2024, cap 10 % = 10,000 a contract year. 50,000 due on Sunday
    # 1 Dec 2024 (payable Monday the 2nd) at 1 %: 500 a day. 3–31 Dec: 29 days = 14,500
    # → 10,000; 1 Jan–1 Mar 2025: 60 days = 30,000 → 10,000.
    caps = PenaltyCaps(max_total_share_of_loan_per_contract_year=D("0.10"))
    item = OverdueItem(date(2024, 12, 1), D("50000"))
    result = owed([item], date(2025, 3, 1), caps=caps, loan="100000")
    assert result.capped
    assert result.total == D("20000.00")
    uncapped = owed([item], date(2024, 12, 20), caps=caps, loan="100000")
    assert (uncapped.capped, uncapped.total) == (False, D("9000.00"))  # 3–20 Dec: 18 days


def test_yearly_cap_is_shared_between_items_pro_rata():
    caps = PenaltyCaps(max_total_share_of_loan_per_contract_year=D("0.10"))
    items = [OverdueItem(date(2024, 3, 1), D("30000")), OverdueItem(date(2024, 3, 1), D("10000"))]
    result = owed(items, date(2024, 6, 1), caps=caps, loan="100000")
    assert [item.penalty for item in result.items] == [D("7500.00"), D("2500.00")]


def test_no_accrual_after_the_days_overdue_limit():
    # 10,000 due Wed 10 Jan 2024 at 0.1 %: 10 a day, charged 11 Jan – 9 Apr (90 days) only.
    # The second item, later, stops on the same day: the loan is 90 days overdue.
    caps = PenaltyCaps(stop_after_days_overdue=90)
    items = [OverdueItem(date(2024, 1, 10), D("10000")), OverdueItem(date(2024, 2, 12), D("10000"))]
    result = owed(items, date(2024, 6, 1), rate="0.1", caps=caps)
    assert [item.days for item in result.items] == [90, 57]  # 13 Feb – 9 Apr
    assert [item.penalty for item in result.items] == [D("900.00"), D("570.00")]


def test_an_item_paid_within_the_limit_does_not_stop_accrual():
    caps = PenaltyCaps(stop_after_days_overdue=90)
    items = [OverdueItem(date(2024, 1, 10), D("10000"), paid_on=date(2024, 4, 9))]
    assert owed(items, date(2024, 6, 1), rate="0.1", caps=caps).items[0].days == 90


def test_rounded_once_per_item_not_per_day():
    # 333.33 × 0.5 % = 1.66665 a day; 3 days = 4.99995 → 5.00 (per day it would be 5.01).
    result = owed([OverdueItem(date(2024, 6, 12), D("333.33"))], date(2024, 6, 15), rate="0.5")
    assert result.total == D("5.00")


def test_yearly_cap_needs_the_contract_date():
    with pytest.raises(InvalidPenaltyInput) as error:
        penalty_owed(
            [OverdueItem(date(2024, 6, 12), D("1"))],
            date(2024, 6, 15),
            daily_rate=D("1"),
            loan_amount=D("100"),
            is_business_day=is_business_day,
            caps=PenaltyCaps(max_total_share_of_loan_per_contract_year=D("0.1")),
        )
    assert error.value.field == "contract_start"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"daily_rate": D("-1")}, "daily_rate"),
        ({"loan_amount": D("0")}, "loan_amount"),
        ({"items": [OverdueItem(date(2024, 6, 12), D("-1"))]}, "overdue_items"),
        (
            {"items": [OverdueItem(date(2024, 6, 12), D("1"), paid_on=date(2024, 6, 1))]},
            "overdue_items",
        ),
    ],
)
def test_invalid_input_names_the_field(kwargs, field):
    arguments = {"daily_rate": D("1"), "loan_amount": D("100"), **kwargs}
    items = arguments.pop("items", [OverdueItem(date(2024, 6, 12), D("1"))])
    with pytest.raises(InvalidPenaltyInput) as error:
        penalty_owed(items, date(2024, 6, 15), is_business_day=is_business_day, **arguments)
    assert error.value.field == field


@PROPERTY
@given(
    st.lists(
        st.tuples(dates, money(1, 1_000_000), st.none() | st.integers(0, 400)),
        min_size=1,
        max_size=5,
    ),
    st.integers(0, 1000),
    st.sampled_from(["0.1", "0.5", "1"]),
)
def test_yearly_cap_holds_and_penalties_only_grow_with_time(raw, later, rate):
    start = date(2019, 12, 1)
    items = [
        OverdueItem(due, amount, None if paid is None else due + timedelta(paid))
        for due, amount, paid in raw
    ]
    caps = PenaltyCaps(max_total_share_of_loan_per_contract_year=D("0.1"))
    as_of = max(item.due_date for item in items) + timedelta(later)
    result = owed(items, as_of, rate=rate, caps=caps, loan="1000000", start=start)
    years = (as_of - start).days // 365 + 2
    assert result.total <= D(100000) * years
    assert all(item.penalty >= 0 for item in result.items)
    assert owed(items, as_of + timedelta(30), rate=rate, caps=caps, start=start).total >= (
        result.total
    )
