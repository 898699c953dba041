from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collateral.domain.insurance import (
    ExcessPayment,
    InsurancePolicy,
    excess_payment_due,
    excess_to_pledgor,
    insurance_excess,
    insurance_expiring,
    insurance_lapsed,
)
from core.calendar import BusinessCalendar

D = Decimal
PROPERTY = settings(max_examples=100, deadline=None, database=None, derandomize=True)
WEEKENDS_ONLY = BusinessCalendar(days_off=frozenset(), working_days=frozenset())
# 2026-01-12 (a Monday) off, 2026-01-17 (a Saturday) worked: both must be honoured
WITH_EXCEPTIONS = BusinessCalendar(
    days_off=frozenset({date(2026, 1, 12)}), working_days=frozenset({date(2026, 1, 17)})
)


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 100, high * 100).map(lambda tiyn: Decimal(tiyn) / 100)


@pytest.mark.parametrize(
    ("payout", "debt", "excess"),
    [
        (D("5000000.00"), D("3200000.00"), D("1800000.00")),
        (D("3200000.00"), D("3200000.00"), D("0.00")),
        (D("3000000.00"), D("3200000.00"), D("0.00")),  # never negative
        (D("3200000.01"), D("3200000.00"), D("0.01")),
        (D("1000.005"), D("0"), D("1000.01")),  # to the tiyn, half-up
        (D("0"), D("0"), D("0.00")),
    ],
)
def test_insurance_excess_is_the_part_above_the_secured_debt(payout, debt, excess):
    result = insurance_excess(payout, debt)
    assert result == excess
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("payout", "debt", "error"),
    [(D("-1"), D("0"), ValueError), (D("1"), D("-1"), ValueError), (1.0, D("0"), TypeError)],
)
def test_insurance_excess_refuses_bad_input(payout, debt, error):
    with pytest.raises(error):
        insurance_excess(payout, debt)


@pytest.mark.parametrize(
    ("calendar", "received", "due"),
    [
        # Thursday → Fri 9, Mon 12, Tue 13
        (WEEKENDS_ONLY, date(2026, 1, 8), date(2026, 1, 13)),
        # Friday → Mon, Tue, Wed
        (WEEKENDS_ONLY, date(2026, 1, 9), date(2026, 1, 14)),
        # received on a Saturday → Mon, Tue, Wed
        (WEEKENDS_ONLY, date(2026, 1, 10), date(2026, 1, 14)),
        # Monday the 12th is off: Fri 9, Tue 13, Wed 14
        (WITH_EXCEPTIONS, date(2026, 1, 8), date(2026, 1, 14)),
        # Saturday the 17th is worked: Fri 16, Sat 17, Mon 19
        (WITH_EXCEPTIONS, date(2026, 1, 15), date(2026, 1, 19)),
    ],
)
def test_excess_is_due_on_the_third_business_day_after_receipt(calendar, received, due):
    assert excess_payment_due(received, calendar.add_business_days) == due


def test_the_deadline_asks_the_calendar_for_three_business_days():
    calls = []

    def add_business_days(day: date, count: int) -> date:
        calls.append((day, count))
        return date(2030, 1, 1)

    assert excess_payment_due(date(2026, 1, 8), add_business_days) == date(2030, 1, 1)
    assert calls == [(date(2026, 1, 8), 3)]


def test_excess_to_pledgor_gives_amount_and_deadline_or_nothing():
    owed = excess_to_pledgor(
        D("5000000.00"), D("3200000.00"), date(2026, 1, 8), WEEKENDS_ONLY.add_business_days
    )
    assert owed == ExcessPayment(D("1800000.00"), date(2026, 1, 13))
    absorbed = excess_to_pledgor(
        D("3000000.00"), D("3200000.00"), date(2026, 1, 8), WEEKENDS_ONLY.add_business_days
    )
    assert absorbed is None


@PROPERTY
@given(payout=money(0, 100_000_000), debt=money(0, 100_000_000))
def test_excess_is_never_negative_nor_above_the_payout(payout, debt):
    excess = insurance_excess(payout, debt)
    assert D(0) <= excess <= payout
    # what the MFO keeps plus what the pledgor gets is the whole payout
    assert excess + min(payout, debt) == payout


AS_OF = date(2026, 6, 15)


def _policy(item_id, expires_on, number=""):
    return InsurancePolicy(item_id=item_id, expires_on=expires_on, number=number)


@pytest.mark.parametrize(
    ("expires_on", "days_ahead", "listed"),
    [
        (date(2026, 6, 15), 30, True),  # ends today: still in the window
        (date(2026, 7, 15), 30, True),  # the last day of the window
        (date(2026, 7, 16), 30, False),
        (date(2026, 6, 14), 30, False),  # already lapsed
        (date(2026, 6, 15), 0, True),
        (date(2026, 6, 16), 0, False),
    ],
)
def test_insurance_expiring_window_includes_both_ends(expires_on, days_ahead, listed):
    policies = [_policy(1, expires_on)]
    assert (insurance_expiring(policies, AS_OF, days_ahead) == policies) is listed


def test_a_renewal_on_file_silences_the_reminder():
    old, renewal = _policy(1, date(2026, 6, 30), "A"), _policy(1, date(2027, 6, 30), "B")
    assert insurance_expiring([old, renewal], AS_OF, 30) == []
    assert insurance_expiring([renewal, old], AS_OF, 400) == [renewal]


def test_insurance_expiring_lists_the_soonest_first():
    policies = [_policy("a", date(2026, 7, 1)), _policy("b", date(2026, 6, 20))]
    assert [p.item_id for p in insurance_expiring(policies, AS_OF, 30)] == ["b", "a"]


def test_insurance_expiring_refuses_a_negative_window():
    with pytest.raises(ValueError):
        insurance_expiring([], AS_OF, -1)


def test_insurance_lapsed_lists_items_whose_latest_cover_ended():
    policies = [
        _policy(1, date(2026, 6, 14)),
        _policy(2, date(2026, 6, 15)),
        _policy(3, date(2026, 1, 31)),
        _policy(3, date(2027, 1, 31)),  # renewed
        _policy(4, date(2025, 12, 31)),
    ]
    assert [p.item_id for p in insurance_lapsed(policies, AS_OF)] == [4, 1]
