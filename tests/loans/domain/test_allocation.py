from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import ZERO
from loans.domain.allocation import (
    MICROCREDIT_ORDER,
    Component,
    InvalidAllocationInput,
    allocate,
)
from tests.lending.domain.strategies import money

D = Decimal
C = Component
FAST = settings(max_examples=100, deadline=None, database=None, derandomize=True)

DEBTS = {
    C.OVERDUE_PRINCIPAL: D("10000.00"),
    C.OVERDUE_INTEREST: D("2500.50"),
    C.PENALTY: D("312.25"),
    C.CURRENT_PRINCIPAL: D("20000.00"),
    C.CURRENT_INTEREST: D("4100.00"),
}  # 36 912.75 in all; no collection costs


def test_order_is_the_law_s():
    assert MICROCREDIT_ORDER == (
        C.OVERDUE_PRINCIPAL,
        C.OVERDUE_INTEREST,
        C.PENALTY,
        C.CURRENT_PRINCIPAL,
        C.CURRENT_INTEREST,
        C.COLLECTION_COSTS,
    )


@pytest.mark.parametrize(
    ("amount", "expected", "unapplied"),
    [
        # Partial: overdue principal in full, then part of the overdue interest.
        ("11000.00", {C.OVERDUE_PRINCIPAL: "10000.00", C.OVERDUE_INTEREST: "1000.00"}, "0.00"),
        ("10000.01", {C.OVERDUE_PRINCIPAL: "10000.00", C.OVERDUE_INTEREST: "0.01"}, "0.00"),
        # Exact: everything due, nothing left.
        (
            "36912.75",
            {
                C.OVERDUE_PRINCIPAL: "10000.00",
                C.OVERDUE_INTEREST: "2500.50",
                C.PENALTY: "312.25",
                C.CURRENT_PRINCIPAL: "20000.00",
                C.CURRENT_INTEREST: "4100.00",
            },
            "0.00",
        ),
        # Overpayment: everything due, the rest held for the next instalment.
        (
            "40000.00",
            {
                C.OVERDUE_PRINCIPAL: "10000.00",
                C.OVERDUE_INTEREST: "2500.50",
                C.PENALTY: "312.25",
                C.CURRENT_PRINCIPAL: "20000.00",
                C.CURRENT_INTEREST: "4100.00",
            },
            "3087.25",
        ),
        ("0", {}, "0.00"),
    ],
)
def test_known_answers(amount, expected, unapplied):
    result = allocate(D(amount), DEBTS)
    for component in MICROCREDIT_ORDER:
        assert result.part(component) == D(expected.get(component, "0"))
    assert result.unapplied == D(unapplied)
    assert result.amount == D(amount)


def test_penalty_comes_before_current_period():
    debts = {C.PENALTY: D("100.00"), C.CURRENT_PRINCIPAL: D("500.00")}
    result = allocate(D("300.00"), debts)
    assert result.part(C.PENALTY) == D("100.00")
    assert result.part(C.CURRENT_PRINCIPAL) == D("200.00")


def test_nothing_owed_leaves_all_unapplied():
    assert allocate(D("500.00"), {}).unapplied == D("500.00")


def test_custom_order():
    order = (C.CURRENT_INTEREST, C.CURRENT_PRINCIPAL)
    debts = {C.CURRENT_PRINCIPAL: D("100.00"), C.CURRENT_INTEREST: D("30.00")}
    result = allocate(D("50.00"), debts, order=order)
    assert result.part(C.CURRENT_INTEREST) == D("30.00")
    assert result.part(C.CURRENT_PRINCIPAL) == D("20.00")


@pytest.mark.parametrize(
    ("amount", "debts", "field"),
    [
        (D("-0.01"), {}, "amount"),
        (D("10.005"), {}, "amount"),
        (10.5, {}, "amount"),
        (D("NaN"), {}, "amount"),
        (D("10"), {C.PENALTY: D("-1")}, "debts.penalty"),
        (D("10"), {C.OVERDUE_INTEREST: D("0.001")}, "debts.overdue_interest"),
        (D("10"), {C.CURRENT_PRINCIPAL: 5}, "debts.current_principal"),
    ],
)
def test_bad_input_names_the_field(amount, debts, field):
    with pytest.raises(InvalidAllocationInput) as caught:
        allocate(amount, debts)
    assert caught.value.field == field


def test_debt_outside_the_order_is_refused():
    with pytest.raises(InvalidAllocationInput) as caught:
        allocate(D("10"), {C.PENALTY: D("5")}, order=(C.OVERDUE_PRINCIPAL,))
    assert caught.value.field == "debts"


def test_duplicate_in_order_is_refused():
    with pytest.raises(InvalidAllocationInput) as caught:
        allocate(D("10"), {}, order=(C.PENALTY, C.PENALTY))
    assert caught.value.field == "order"


debts_st = st.dictionaries(st.sampled_from(MICROCREDIT_ORDER), money(0, 50_000))


@FAST
@given(amount=money(0, 200_000), debts=debts_st)
def test_parts_and_rest_add_up_and_follow_the_order(amount, debts):
    result = allocate(amount, debts)
    assert result.applied + result.unapplied == amount
    assert result.unapplied >= ZERO
    earlier_paid_in_full = True
    for component in MICROCREDIT_ORDER:
        part, due = result.part(component), debts.get(component, ZERO)
        assert ZERO <= part <= due
        if part > 0:
            assert earlier_paid_in_full
        earlier_paid_in_full = earlier_paid_in_full and part == due
    # Money is left over only when every component is paid in full.
    if result.unapplied > 0:
        assert earlier_paid_in_full
