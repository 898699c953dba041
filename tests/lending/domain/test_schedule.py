from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given

from core.money import ZERO
from lending.domain.daycount import DayCount, days_between
from lending.domain.errors import InvalidLoanTerms
from lending.domain.interest import period_interest
from lending.domain.schedule import LoanTerms, Method, build_schedule
from tests.lending.domain.strategies import PROPERTY, SLOW_PROPERTY, loan_terms, rates

D = Decimal


def terms(**overrides) -> LoanTerms:
    values = {
        "amount": D("1000000"),
        "annual_rate": D("12"),
        "term_months": 12,
        "method": Method.ANNUITY,
        "day_count": DayCount.THIRTY_360,
        "disbursement_date": date(2024, 1, 15),
    }
    return LoanTerms(**{**values, **overrides})


# --- Published schedule (a): 5,000 at 12 %, 18 months, differentiated, 30/360 ---------------

SCHEDULE_A = terms(
    amount=D("5000"),
    term_months=18,
    method=Method.DIFFERENTIATED,
    disbursement_date=date(2022, 11, 1),
)


@pytest.mark.parametrize(
    ("number", "principal", "interest"),
    [
        (1, "277.78", "50.00"),
        (2, "277.78", "47.22"),
        (3, "277.78", "44.44"),
        (4, "277.78", "41.67"),
        (5, "277.78", "38.89"),
        (17, "277.78", "5.56"),
        (18, "277.74", "2.78"),
    ],
)
def test_published_differentiated_schedule(number, principal, interest):
    line = build_schedule(SCHEDULE_A).installments[number - 1]
    assert (line.principal, line.interest) == (D(principal), D(interest))


def test_published_differentiated_schedule_totals():
    schedule = build_schedule(SCHEDULE_A)
    assert len(schedule.installments) == 18
    assert [line.principal for line in schedule.installments[:17]] == [D("277.78")] * 17
    assert schedule.total_interest == D("475.00")
    assert schedule.total_principal == D("5000.00")
    assert schedule.total_payments == D("5475.00")
    assert schedule.installments[0].due_date == date(2022, 12, 1)
    assert schedule.installments[-1].due_date == date(2024, 5, 1)


# --- Published schedule (b): 100.00 at 9.4822 %, 6 months, annuity, 30/360 -------------------

SCHEDULE_B = terms(
    amount=D("100.00"),
    annual_rate=D("9.4822"),
    term_months=6,
    disbursement_date=date(2024, 1, 1),
)


def test_published_annuity_schedule():
    schedule = build_schedule(SCHEDULE_B)
    assert schedule.payment == D("17.13")
    assert [line.interest for line in schedule.installments] == [
        D(x) for x in ("0.79", "0.66", "0.53", "0.40", "0.27", "0.13")
    ]
    assert [line.total for line in schedule.installments[:5]] == [D("17.13")] * 5
    assert schedule.installments[-1].principal == D("17.00")
    assert schedule.total_principal == D("100.00")


# --- Actual day counts, hand computed --------------------------------------------------------
# 1,000,000 at 12 %, 3 months, differentiated, lent 2024-01-15: periods of 31, 29 (leap
# February) and 31 actual days; principal 333,333.33, 333,333.33, 333,333.34.
#   actual/360: 1,000,000.00 × 12 × 31 / 36,000 = 10,333.333… → 10,333.33
#               666,666.67 × 12 × 29 / 36,000 = 232,000,001.16 / 36,000 = 6,444.444… → 6,444.44
#               333,333.34 × 12 × 31 / 36,000 = 124,000,002.48 / 36,000 = 3,444.444… → 3,444.44
#   actual/365: 1,000,000.00 × 12 × 31 / 36,500 = 10,191.780… → 10,191.78
#               666,666.67 × 12 × 29 / 36,500 = 6,356.164… → 6,356.16
#               333,333.34 × 12 × 31 / 36,500 = 3,397.260… → 3,397.26


@pytest.mark.parametrize(
    ("day_count", "interest"),
    [
        (DayCount.ACTUAL_360, ("10333.33", "6444.44", "3444.44")),
        (DayCount.ACTUAL_365, ("10191.78", "6356.16", "3397.26")),
        (DayCount.THIRTY_360, ("10000.00", "6666.67", "3333.33")),
    ],
)
def test_interest_by_day_count(day_count, interest):
    schedule = build_schedule(
        terms(term_months=3, method=Method.DIFFERENTIATED, day_count=day_count)
    )
    assert [line.interest for line in schedule.installments] == [D(x) for x in interest]
    assert [line.principal for line in schedule.installments] == [
        D("333333.33"),
        D("333333.33"),
        D("333333.34"),
    ]
    expected_days = (31, 29, 31) if day_count != DayCount.THIRTY_360 else (30, 30, 30)
    assert tuple(line.days for line in schedule.installments) == expected_days


def test_interest_rounds_an_exact_half_tiyn_up():
    # 100.05 × 12 × 30 / 36,000 = 1.0005 → 1.00 (no tie); 0.5 × 12 × 30 / 36,000 = 0.005 → 0.01.
    assert period_interest(D("0.50"), D("12"), 30, DayCount.THIRTY_360) == D("0.01")
    assert period_interest(D("100.05"), D("12"), 30, DayCount.THIRTY_360) == D("1.00")


# --- Due dates --------------------------------------------------------------------------------


def test_due_dates_clamp_to_month_end_from_the_first_due_day():
    schedule = build_schedule(
        terms(
            term_months=5,
            disbursement_date=date(2023, 12, 31),
            first_payment_date=date(2024, 1, 31),
        )
    )
    assert [line.due_date for line in schedule.installments] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),  # back to the 31st: computed from the first due date, not chained
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]
    # 30E/360 days of those periods: 30, 29, 31, 30, 30.
    assert [line.days for line in schedule.installments] == [30, 29, 31, 30, 30]


def test_default_first_due_date_is_one_month_later_on_the_disbursement_day():
    schedule = build_schedule(terms(term_months=3, disbursement_date=date(2023, 1, 31)))
    assert [line.due_date for line in schedule.installments] == [
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
    ]


def test_first_payment_may_be_45_days_after_disbursement():
    schedule = build_schedule(terms(first_payment_date=date(2024, 2, 29)))  # 45 days
    first = schedule.installments[0]
    assert first.due_date == date(2024, 2, 29)
    assert first.days == days_between(date(2024, 1, 15), date(2024, 2, 29), DayCount.THIRTY_360)
    assert first.interest == D("14666.67")  # 1,000,000 × 12 × 44 / 36,000
    assert schedule.installments[1].due_date == date(2024, 3, 29)


def test_first_payment_more_than_45_days_after_disbursement_is_refused():
    with pytest.raises(InvalidLoanTerms) as error:
        build_schedule(terms(first_payment_date=date(2024, 3, 1)))  # 46 days
    assert error.value.field == "first_payment_date"
    assert error.value.code == "first_payment_too_late"


def test_first_payment_on_the_disbursement_date_is_refused():
    with pytest.raises(InvalidLoanTerms) as error:
        build_schedule(terms(first_payment_date=date(2024, 1, 15)))
    assert error.value.field == "first_payment_date"


# --- Annuity details --------------------------------------------------------------------------


def test_payment_multiple_of_one_tenge():
    # 1,000,000 × 0.02 / (1 − 1.02^−12) = 94,559.5966… → 94,560 (whole tenge, half-up).
    schedule = build_schedule(
        terms(annual_rate=D("24"), payment_multiple=D("1"), day_count=DayCount.THIRTY_360)
    )
    assert schedule.payment == D("94560.00")
    assert [line.total for line in schedule.installments[:11]] == [D("94560.00")] * 11
    assert schedule.installments[-1].total != D("94560.00")  # the last takes the remainder
    assert schedule.total_principal == D("1000000")


def test_a_coarse_multiple_that_would_repay_early_rounds_down_instead():
    # 10,000 at 0 % in 6: 1,666.67 → 2,000 would repay everything by the 5th instalment.
    schedule = build_schedule(
        terms(amount=D("10000"), annual_rate=ZERO, term_months=6, payment_multiple=D("1000"))
    )
    assert schedule.payment == D("1000.00")
    assert [line.principal for line in schedule.installments] == [D("1000.00")] * 5 + [D("5000.00")]


def test_a_multiple_larger_than_the_payment_is_refused():
    with pytest.raises(InvalidLoanTerms) as error:
        build_schedule(
            terms(amount=D("10000"), annual_rate=ZERO, term_months=12, payment_multiple=D("5000"))
        )
    assert error.value.field == "payment_multiple"


def test_zero_rate_annuity_is_amount_over_term():
    schedule = build_schedule(terms(amount=D("1000"), annual_rate=ZERO, term_months=3))
    assert [line.total for line in schedule.installments] == [D("333.33"), D("333.33"), D("333.34")]
    assert schedule.total_interest == ZERO


def test_grace_months_are_interest_only_and_the_annuity_runs_over_the_rest():
    # 1,200,000 × 0.01 / (1 − 1.01^−9) = 140,088.4354… → 140,088.44 over the 9 instalments.
    schedule = build_schedule(terms(amount=D("1200000"), grace_months=3))
    lines = schedule.installments
    assert [(line.principal, line.interest) for line in lines[:3]] == [(ZERO, D("12000.00"))] * 3
    assert schedule.payment == D("140088.44")
    assert [line.total for line in lines[3:11]] == [D("140088.44")] * 8
    assert lines[-1].total == D("140088.40")
    assert schedule.total_principal == D("1200000")


def test_interest_above_the_payment_is_never_capitalised():
    # A 45-day first period at 45 %, 30/360: interest 55,000 exceeds the 51,090.xx payment.
    schedule = build_schedule(
        terms(annual_rate=D("45"), term_months=36, first_payment_date=date(2024, 2, 29))
    )
    first = schedule.installments[0]
    assert first.interest == D("55000.00")  # 1,000,000 × 45 × 44 / 36,000
    assert first.interest > schedule.payment
    assert first.principal == ZERO
    assert first.balance == D("1000000")
    assert schedule.installments[1].total == schedule.payment


def test_interest_only_repays_principal_at_the_last_instalment():
    schedule = build_schedule(terms(term_months=4, method=Method.INTEREST_ONLY))
    assert [line.principal for line in schedule.installments] == [ZERO] * 3 + [D("1000000")]
    assert {line.interest for line in schedule.installments} == {D("10000.00")}


def test_custom_parts_are_used_as_given():
    parts = (D("0"), D("500000"), D("0"), D("500000"))
    schedule = build_schedule(
        terms(term_months=4, method=Method.CUSTOM, custom_principal_parts=parts)
    )
    assert tuple(line.principal for line in schedule.installments) == parts
    assert [line.interest for line in schedule.installments] == [
        D("10000.00"),
        D("10000.00"),
        D("5000.00"),
        D("5000.00"),
    ]


# --- Validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": ZERO}, "amount"),
        ({"amount": D("-1")}, "amount"),
        ({"amount": D("100.001")}, "amount"),
        ({"annual_rate": D("-0.01")}, "annual_rate"),
        # above 100 % is no domain error: the ceiling is the caps' in force (loans.calculator)
        ({"disbursement_date": date(9950, 6, 1), "term_months": 600}, "disbursement_date"),
        ({"disbursement_date": date(9999, 12, 15)}, "disbursement_date"),
        ({"term_months": 0}, "term_months"),
        ({"grace_months": 12}, "grace_months"),
        ({"grace_months": -1}, "grace_months"),
        ({"payment_multiple": ZERO}, "payment_multiple"),
        (
            {"method": Method.CUSTOM, "custom_principal_parts": (D("1000000"),)},
            "custom_principal_parts",
        ),
        (
            {"term_months": 2, "method": Method.CUSTOM, "custom_principal_parts": (D(1), D(2))},
            "custom_principal_parts",
        ),
        (
            {
                "term_months": 2,
                "method": Method.CUSTOM,
                "custom_principal_parts": (D("1000000"), ZERO),
            },
            "custom_principal_parts",
        ),
        ({"custom_principal_parts": (D("1000000"),)}, "custom_principal_parts"),
    ],
)
def test_invalid_terms_name_the_field(overrides, field):
    with pytest.raises(InvalidLoanTerms) as error:
        build_schedule(terms(**overrides))
    assert error.value.field == field


def test_rates_at_the_bounds_are_accepted():
    assert build_schedule(terms(annual_rate=D("100"))).total_principal == D("1000000")
    assert build_schedule(terms(annual_rate=ZERO)).total_interest == ZERO


def test_floats_are_refused_and_ints_taken_as_decimals():
    with pytest.raises(TypeError):
        terms(amount=1000.0)
    assert terms(amount=1000000, annual_rate=12).amount == D("1000000")
    assert build_schedule(terms(amount=1000000)) == build_schedule(terms())


# --- Invariants ---------------------------------------------------------------------------------


def assert_reconciles(schedule, amount):
    lines = schedule.installments
    assert sum(line.principal for line in lines) == amount
    balance = amount
    for line in lines:
        assert line.principal >= 0
        assert line.total == line.principal + line.interest
        balance -= line.principal
        assert line.balance == balance >= 0
    assert lines[-1].balance == 0


@PROPERTY
@given(loan_terms())
def test_principal_sums_to_the_amount_and_balances_end_at_zero(loan):
    schedule = build_schedule(loan)
    assert len(schedule.installments) == loan.term_months
    assert_reconciles(schedule, loan.amount)


AMORTIZING = (Method.ANNUITY, Method.DIFFERENTIATED)


@PROPERTY
@given(loan_terms(methods=AMORTIZING, grace=False))
def test_every_instalment_total_is_positive(loan):
    # Interest-only lines (grace, balloon) may round to 0.00 at tiny rates; these may not.
    schedule = build_schedule(loan)
    assert all(line.total > 0 for line in schedule.installments)


@PROPERTY
@given(loan_terms())
def test_interest_is_the_period_rule_on_the_balance(loan):
    schedule = build_schedule(loan)
    balance, previous = loan.amount, loan.disbursement_date
    for line in schedule.installments:
        days = days_between(previous, line.due_date, loan.day_count)
        assert line.days == days >= 0  # 0 only for 30 → 31 of a month under 30E/360
        assert line.interest == period_interest(balance, loan.annual_rate, days, loan.day_count)
        balance, previous = line.balance, line.due_date


@PROPERTY
@given(loan_terms(methods=(Method.ANNUITY,)))
def test_annuity_instalments_are_the_payment_except_the_last(loan):
    schedule = build_schedule(loan)
    grace = loan.grace_months
    for line in schedule.installments[grace:-1]:
        # The level payment, or interest only when a long period's interest exceeds it.
        assert line.total == schedule.payment or (
            line.principal == ZERO and line.interest > schedule.payment
        )
    assert all(line.principal == ZERO for line in schedule.installments[:grace])
    assert schedule.payment % loan.payment_multiple == 0


@SLOW_PROPERTY
@given(loan_terms(methods=AMORTIZING, max_term=360, rate=rates("0", "20"), grace=False))
def test_long_loans_reconcile(loan):
    assume(loan.term_months > 84)
    schedule = build_schedule(loan)
    assert_reconciles(schedule, loan.amount)
    assert all(line.total > 0 for line in schedule.installments)
