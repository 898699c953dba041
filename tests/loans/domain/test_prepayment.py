from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.money import ZERO, to_tiyn
from lending.domain.daycount import DayCount
from lending.domain.schedule import LoanTerms, Method, build_schedule
from loans.domain.errors import InvalidPrepayment
from loans.domain.prepayment import (
    PrepaymentMode,
    payoff_quote,
    payoff_quote_for_schedule,
    rebuild_after_prepayment,
)
from tests.lending.domain.strategies import PROPERTY, loan_terms

D = Decimal

# 1,200,000 at 12 %, 12 months, annuity, 30/360, lent 15 Jan 2024: payment 106,618.55.
# Balances: 1,105,381.45 (interest 12,000.00), 1,009,816.71 (11,053.81), 913,296.33 (10,098.17).
LOAN = build_schedule(
    LoanTerms(D("1200000"), D("12"), 12, Method.ANNUITY, DayCount.THIRTY_360, date(2024, 1, 15))
)


def test_the_example_loan():
    assert LOAN.payment == D("106618.55")
    assert LOAN.installments[2].due_date == date(2024, 4, 15)
    assert LOAN.installments[2].balance == D("913296.33")


def test_reduce_payment_on_a_due_date():
    result = rebuild_after_prepayment(LOAN, date(2024, 4, 15), D("400000"), "reduce_payment")
    assert result.interest_paid == ZERO  # interest was paid with the instalment that day
    assert result.principal_paid == D("400000")
    assert result.principal_before == D("913296.33")
    new = result.schedule
    assert new.amount == D("513296.33")
    # 513,296.33 × 0.01 / (1 − 1.01^−9) = 59,922.3998…, over the same 9 due dates.
    assert new.payment == to_tiyn(D("513296.33") * D("0.01") / (1 - D("1.01") ** -9))
    assert new.payment == D("59922.40")
    assert [line.due_date for line in new.installments] == [
        line.due_date for line in LOAN.installments[3:]
    ]
    assert new.total_principal == D("513296.33")
    assert new.installments[0].interest == D("5132.96")  # 513,296.33 × 1 %


def test_shorten_term_keeps_the_payment():
    result = rebuild_after_prepayment(LOAN, date(2024, 4, 15), D("400000"), "shorten_term")
    new = result.schedule
    assert new.payment == LOAN.payment
    assert len(new.installments) == 5  # 513,296.33 at 106,618.55 a month: 5 instalments
    assert [line.total for line in new.installments[:-1]] == [LOAN.payment] * 4
    assert new.installments[-1].total < LOAN.payment
    assert new.total_principal == D("513296.33")
    assert new.installments[-1].balance == ZERO


def test_between_due_dates_the_accrued_interest_is_paid_first():
    # On 30 Apr, 15 days (30E/360) after the 15 Apr instalment: 913,296.33 × 12 × 15 / 36,000
    # = 4,566.48165; the rest, 395,433.52, repays principal, leaving 517,862.81.
    result = rebuild_after_prepayment(LOAN, date(2024, 4, 30), D("400000"), "reduce_payment")
    assert result.interest_paid == D("4566.48")
    assert result.principal_paid == D("395433.52")
    first = result.schedule.installments[0]
    assert first.due_date == date(2024, 5, 15)
    assert first.days == 15
    assert first.interest == D("2589.31")  # 517,862.81 × 12 × 15 / 36,000 = 2,589.314


def test_less_than_three_payments_is_refused():
    three = 3 * LOAN.payment
    with pytest.raises(InvalidPrepayment) as error:
        rebuild_after_prepayment(LOAN, date(2024, 4, 15), three - D("0.01"), "shorten_term")
    assert (error.value.field, error.value.code) == ("amount", "below_minimum_prepayment")
    assert rebuild_after_prepayment(LOAN, date(2024, 4, 15), three, "shorten_term")


def test_the_whole_principal_is_a_full_prepayment_not_a_partial_one():
    with pytest.raises(InvalidPrepayment) as error:
        rebuild_after_prepayment(LOAN, date(2024, 4, 15), D("913296.33"), "reduce_payment")
    assert (error.value.field, error.value.code) == ("amount", "full_prepayment")


@pytest.mark.parametrize("on", [date(2024, 1, 14), date(2025, 1, 15), date(2025, 3, 1)])
def test_a_date_outside_the_schedule_is_refused(on):
    with pytest.raises(InvalidPrepayment) as error:
        rebuild_after_prepayment(LOAN, on, D("400000"), "reduce_payment")
    assert error.value.field == "on"


def test_an_interest_only_loan_can_only_reduce_its_payment():
    balloon = build_schedule(
        LoanTerms(
            D("1200000"), D("12"), 12, Method.INTEREST_ONLY, DayCount.THIRTY_360, date(2024, 1, 15)
        )
    )
    with pytest.raises(InvalidPrepayment) as error:
        rebuild_after_prepayment(balloon, date(2024, 4, 15), D("400000"), "shorten_term")
    assert error.value.field == "mode"
    result = rebuild_after_prepayment(balloon, date(2024, 4, 15), D("400000"), "reduce_payment")
    assert [line.interest for line in result.schedule.installments] == [D("8000.00")] * 9


def test_a_custom_schedule_keeps_its_shape():
    parts = (D("0"), D("300000"), D("0"), D("300000"), D("0"), D("600000"))
    custom = build_schedule(
        LoanTerms(
            D("1200000"),
            D("12"),
            6,
            Method.CUSTOM,
            DayCount.THIRTY_360,
            date(2024, 1, 15),
            custom_principal_parts=parts,
        )
    )
    # After two instalments 900,000 is left; 400,000 leaves 500,000: each part × 5/9.
    result = rebuild_after_prepayment(custom, date(2024, 3, 15), D("400000"), "reduce_payment")
    assert [line.principal for line in result.schedule.installments] == [
        ZERO,
        D("166666.67"),
        ZERO,
        D("333333.33"),
    ]


def test_reduce_payment_rounds_up_when_rounding_down_would_grow_the_last_instalment():
    # 10,000 at 0 % in 76 whole-tenge payments of 132 (the last 100). Prepaying 405.60 leaves
    # 9,594.40: 126.24 → 126 would make the last 9,594.40 − 75 × 126 = 144.40 > 132, so 127.
    loan = build_schedule(
        LoanTerms(
            D("10000"),
            ZERO,
            76,
            Method.ANNUITY,
            DayCount.THIRTY_360,
            date(2020, 1, 1),
            payment_multiple=D("1"),
        )
    )
    assert loan.payment == D("132")
    result = rebuild_after_prepayment(loan, date(2020, 1, 1), D("405.60"), "reduce_payment")
    assert result.schedule.payment == D("127")
    assert result.schedule.installments[-1].total == D("69.40")


# --- Payoff -----------------------------------------------------------------------------------


def test_payoff_between_due_dates():
    # After the 15 Apr instalment: 913,296.33 + 15 days' interest 4,566.48 + what is passed in.
    quote = payoff_quote_for_schedule(
        LOAN, date(2024, 4, 30), overdue=D("100.00"), penalties=D("5.50")
    )
    assert (quote.principal, quote.interest) == (D("913296.33"), D("4566.48"))
    assert quote.total == D("917968.31")


def test_payoff_on_a_due_date_includes_that_instalment():
    quote = payoff_quote_for_schedule(LOAN, date(2024, 4, 15))
    third = LOAN.installments[2]
    assert quote.total == third.total + third.balance


def test_payoff_by_schedule_and_by_ledger_state_is_one_computation():
    by_schedule = payoff_quote_for_schedule(LOAN, date(2024, 5, 3))
    by_state = payoff_quote(
        on=date(2024, 5, 3),
        principal_outstanding=D("913296.33"),
        interest_from=date(2024, 4, 15),
        annual_rate=D("12"),
        day_count=DayCount.THIRTY_360,
    )
    assert by_schedule == by_state
    assert by_state.interest == D("5479.78")  # 913,296.33 × 12 × 18 / 36,000 = 5,479.778


def test_payoff_refuses_a_date_before_interest_was_settled():
    with pytest.raises(InvalidPrepayment) as error:
        payoff_quote(
            on=date(2024, 4, 14),
            principal_outstanding=D("1"),
            interest_from=date(2024, 4, 15),
            annual_rate=D("12"),
            day_count=DayCount.THIRTY_360,
        )
    assert error.value.field == "on"


# --- Properties -------------------------------------------------------------------------------


@st.composite
def prepayments(draw):
    loan = draw(
        loan_terms(
            methods=(Method.ANNUITY, Method.DIFFERENTIATED),
            terms=st.integers(6, 84),
        )
    )
    schedule = build_schedule(loan)
    last_due = schedule.installments[-1].due_date
    span = (last_due - loan.disbursement_date).days
    on = loan.disbursement_date + timedelta(days=draw(st.integers(0, span - 1)))
    share = draw(st.integers(1, 999)) / Decimal(1000)
    mode = draw(st.sampled_from(list(PrepaymentMode)))
    return schedule, on, share, mode


@PROPERTY
@given(prepayments())
def test_the_rebuilt_schedule_repays_exactly_the_rest_and_no_payment_grows(case):
    schedule, on, share, mode = case
    remaining = [line for line in schedule.installments if line.due_date > on]
    settled = [line for line in schedule.installments if line.due_date <= on]
    outstanding = settled[-1].balance if settled else schedule.amount
    minimum = sum(line.total for line in remaining[:3])
    assume(minimum < outstanding)
    amount = to_tiyn(minimum + (outstanding - minimum) * share)
    assume(amount < outstanding)

    result = rebuild_after_prepayment(schedule, on, amount, mode)
    new = result.schedule
    assert result.interest_paid + result.principal_paid == amount
    assert new.total_principal == outstanding - result.principal_paid == new.amount
    assert new.installments[-1].balance == 0
    assert all(line.balance >= 0 for line in new.installments)
    # Grace lines of a zero-rate loan are 0.00; every line that repays principal is positive.
    assert all(line.total > 0 for line in new.installments[new.grace_months :])
    assert max(line.total for line in new.installments) <= max(line.total for line in remaining)
    old_dates = [line.due_date for line in remaining]
    new_dates = [line.due_date for line in new.installments]
    if mode is PrepaymentMode.REDUCE_PAYMENT:
        assert new_dates == old_dates
        if schedule.method is Method.ANNUITY:
            assert new.payment <= schedule.payment
        else:
            assert new.principal_part <= schedule.principal_part
    else:
        assert new_dates == old_dates[: len(new_dates)]
        assert (new.payment, new.principal_part) == (schedule.payment, schedule.principal_part)
