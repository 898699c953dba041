from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lending.domain.daycount import DayCount
from lending.domain.errors import InvalidCashFlows
from lending.domain.gesv import effective_rate, gesv, gesv_after_change, gesv_of_schedule
from lending.domain.schedule import LoanTerms, Method, build_schedule
from tests.lending.domain.strategies import PROPERTY, SLOW_PROPERTY, dates, loan_terms, money, rates

D = Decimal
DAY0 = date(2024, 1, 1)


def on_day(days: int) -> date:
    return DAY0 + timedelta(days=days)


def single(out: str, back: str, days: int) -> Decimal:
    return gesv([(DAY0, D(out))], [(on_day(days), D(back))])


@pytest.mark.parametrize(
    ("out", "back", "days", "expected"),
    [
        # DOMAIN.md §12 worked values.
        ("100000", "110000", 30, "218.9"),  # 1.1^(365/30) − 1 = 2.18858…
        ("100000", "105000", 365, "5.0"),
        # Exact ties on the hundredths are decided on the exact root and round up.
        ("100000", "105050", 365, "5.1"),  # exactly 5.05 %
        ("100000", "105049.99", 365, "5.0"),
        ("1000000", "1103550.25", 730, "5.1"),  # 1.0505² = 1.10355025: exactly 5.05 %
        ("1000000", "1103550.24", 730, "5.0"),  # one tiyn less: 5.04999…
        ("1000000", "1001000.25", 730, "0.1"),  # 1.0005²: exactly 0.05 %
        ("100000", "121000", 730, "10.0"),
        ("100000", "100000", 30, "0.0"),  # zero rate
        ("100000", "90000", 365, "-10.0"),  # paid back less: a negative rate, still a rate
        ("100000", "100010", 1, "3.7"),  # one day: 1.0001^365 − 1 = 3.717 %
        ("100000", "110000", 1, "128330558031335169.7"),  # 1.1^365 − 1, exactly in tenths
        ("1000", "800", 1, "-100.0"),  # 0.8^365 − 1: −99.99…%, still solved
    ],
)
def test_single_repayment(out, back, days, expected):
    result = single(out, back, days)
    assert result == D(expected)
    assert str(result) == expected


def test_fee_at_disbursement_is_a_payment_on_day_zero():
    # 99,000 really lent, 105,000 back a year later: 105/99 − 1 = 6.0606 %.
    result = gesv([(DAY0, D("100000"))], [(DAY0, D("1000")), (on_day(365), D("105000"))])
    assert result == D("6.1")


def test_monthly_loan_against_an_independent_formula():
    # Twelve payments of 8,884.88 every 30 days on 100,000: the IRR per 30 days is 1 %
    # (the annuity factor of 1 % over 12), so GESV = 1.01^(365/30) − 1 = 12.8753… %.
    payments = [(on_day(30 * k), D("8884.88")) for k in range(1, 13)]
    assert gesv([(DAY0, D("100000"))], payments) == D("12.9")
    exact = effective_rate([(DAY0, D("100000"))], payments)
    assert abs(float(exact) - (1.01 ** (365 / 30) - 1)) < 1e-5


def test_gesv_of_the_published_annuity_schedule():
    schedule = build_schedule(
        LoanTerms(D("100.00"), D("9.4822"), 6, Method.ANNUITY, DayCount.THIRTY_360, DAY0)
    )
    assert gesv_of_schedule(schedule) == D("9.9")
    assert gesv_of_schedule(schedule, fees=[(DAY0, D("1.00"))]) > D("9.9")


def test_gesv_after_change_ignores_earlier_payments():
    remaining = [(on_day(400 + 30 * k), D("10100")) for k in range(1, 4)]
    after = gesv_after_change(on_day(400), D("29000"), remaining)
    assert after == gesv([(on_day(400), D("29000"))], remaining)
    with pytest.raises(InvalidCashFlows) as error:
        gesv_after_change(on_day(400), D("29000"), [(on_day(399), D("100")), *remaining])
    assert error.value.field == "remaining_payments"


@pytest.mark.parametrize(
    ("payouts", "payments", "field", "code"),
    [
        ([], [(on_day(30), D("1"))], "payouts", "invalid_cash_flows"),
        ([(DAY0, D("100"))], [], "payments", "invalid_cash_flows"),
        ([(DAY0, D("100"))], [(on_day(-1), D("101"))], "payments", "payment_before_payout"),
        ([(DAY0, D("100"))], [(DAY0, D("100"))], "payments", "no_effective_rate"),
        (
            [(DAY0, D("100"))],
            [(DAY0, D("150")), (on_day(30), D("1"))],
            "payments",
            "no_effective_rate",
        ),
        (
            [(DAY0, D("100")), (on_day(60), D("50"))],
            [(on_day(30), D("160"))],
            "payments",
            "no_effective_rate",
        ),
        ([(DAY0, D("100"))], [(on_day(30), D("-1"))], "payments", "negative_amount"),
    ],
)
def test_refused_cash_flows(payouts, payments, field, code):
    with pytest.raises(InvalidCashFlows) as error:
        gesv(payouts, payments)
    assert (error.value.field, error.value.code) == (field, code)


def test_thirty_year_loan_is_solved():
    schedule = build_schedule(
        LoanTerms(D("20000000"), D("12"), 360, Method.ANNUITY, DayCount.THIRTY_360, DAY0)
    )
    # Monthly 1 % compounded, paid on calendar months: close to 1.01^12 − 1 = 12.68 %.
    assert D("12.6") <= gesv_of_schedule(schedule) <= D("12.8")


# --- The solver against an independent reference ---------------------------------------------


def reference_gesv(payouts, payments) -> Decimal:
    """Tenths decided by the sign of Σ P/(1+X)^t − Σ S/(1+X)^t at the .x5 boundaries, with
    Decimal's own fractional power: no Newton, no shared code with the solver."""
    start = min(day for day, _ in payouts)
    flows = [(-a, (d - start).days) for d, a in payouts] + [
        (a, (d - start).days) for d, a in payments
    ]

    def npv(percent: Decimal) -> Decimal:
        with localcontext() as context:
            context.prec = 60
            growth = 1 + percent / 100
            return sum(a / growth ** (D(t) / 365) for a, t in flows)

    def rough_npv(log_growth: float) -> float:
        return sum(float(a) * math.exp(-log_growth * t / 365) for a, t in flows)

    low, high = -30.0, 60.0  # ln(1 + X): a float bisection, then the tenths around it exactly
    for _ in range(200):
        middle = (low + high) / 2
        if rough_npv(middle) > 0:
            low = middle
        else:
            high = middle
    tenth = D(math.floor(math.expm1(low) * 1000)) / 10
    for _ in range(20):  # a few steps at most: the float root is good to ~1e-12
        if npv(tenth + D("0.05")) >= 0:  # the root is at or above tenth + 0.05: round up
            tenth += D("0.1")
        elif npv(tenth - D("0.05")) < 0:  # the root is below tenth − 0.05: round down
            tenth -= D("0.1")
        else:
            return tenth
    raise AssertionError("reference did not settle")


@st.composite
def cash_flows(draw):
    start = draw(dates)
    lent = draw(money(1_000, 10_000_000))
    count = draw(st.integers(1, 12))
    offsets = sorted(draw(st.lists(st.integers(30, 3650), min_size=count, max_size=count)))
    factor = draw(st.integers(80, 250)) / 100  # paid back 0.8× to 2.5× what was lent
    amounts = [max(D("0.01"), (lent * D(factor) / count).quantize(D("0.01"))) for _ in offsets]
    fee = (lent * draw(st.integers(0, 50)) / 1000).quantize(D("0.01"))  # up to 5 % upfront
    payments = [(start + timedelta(days=o), a) for o, a in zip(offsets, amounts, strict=True)]
    if fee:
        payments.append((start, fee))
    return [(start, lent)], payments


@SLOW_PROPERTY
@given(cash_flows())
def test_solver_agrees_with_an_independent_reference(flows):
    payouts, payments = flows
    assert gesv(payouts, payments) == reference_gesv(payouts, payments)


# --- Properties of schedules ------------------------------------------------------------------


def nominal(rate: Decimal) -> Decimal:
    return rate.quantize(D("0.1"), rounding=ROUND_HALF_UP)


AMORTIZING = (Method.ANNUITY, Method.DIFFERENTIATED)
# Tiyn rounding of a few days' interest can outweigh compounding, so periods of two weeks on.
USUAL_FIRST_PERIOD = st.none() | st.integers(14, 45)


@PROPERTY
@given(
    loan_terms(
        methods=AMORTIZING,
        rate=rates("1", "56"),
        day_count=st.sampled_from([DayCount.ACTUAL_365, DayCount.ACTUAL_360]),
        multiples=("0.01",),
        first_offsets=USUAL_FIRST_PERIOD,
    )
)
def test_gesv_is_at_least_the_nominal_rate_with_actual_days(loan):
    schedule = build_schedule(loan)
    assert gesv_of_schedule(schedule) >= nominal(loan.annual_rate)


@PROPERTY
@given(
    loan_terms(
        methods=AMORTIZING,
        rate=rates("1", "56"),
        day_count=st.just(DayCount.THIRTY_360),
        multiples=("0.01",),
        first_offsets=st.none(),
        terms=st.sampled_from([12, 24, 36, 48, 60, 72, 84]),
    )
)
def test_gesv_is_at_least_the_nominal_rate_with_30_360_over_whole_years(loan):
    # 30E/360 gives the 31st of a month free (a period 10 → 31 Jan is 20 days of interest for
    # 21 of use), so a short loan may fall under its nominal rate; a whole year is 360 days.
    schedule = build_schedule(loan)
    assert gesv_of_schedule(schedule) >= nominal(loan.annual_rate)


def test_a_30_360_period_ending_on_the_31st_can_fall_under_the_nominal_rate():
    # Documents why the property above is stated over whole years: 20 days' interest, 21 used.
    schedule = build_schedule(
        LoanTerms(
            D("10000"),
            D("5"),
            1,
            Method.ANNUITY,
            DayCount.THIRTY_360,
            date(2020, 1, 10),
            first_payment_date=date(2020, 1, 31),
        )
    )
    assert schedule.installments[0].interest == D("27.78")  # 10,000 × 5 × 20 / 36,000
    assert gesv_of_schedule(schedule) == D("4.9")  # 1.002778^(365/21) − 1 = 4.94 %


@PROPERTY
@given(loan_terms(), st.integers(1, 500), st.integers(0, 10))
def test_a_fee_never_lowers_gesv(loan, fee_tenge, when):
    schedule = build_schedule(loan)
    due = [line.due_date for line in schedule.installments]
    fee_date = loan.disbursement_date if when == 0 else due[min(when, len(due)) - 1]
    fee = [(fee_date, D(fee_tenge) * 10)]
    assert gesv_of_schedule(schedule, fee) >= gesv_of_schedule(schedule)
    payouts = [(loan.disbursement_date, loan.amount)]
    payments = [(line.due_date, line.total) for line in schedule.installments]
    assert effective_rate(payouts, [*payments, *fee]) > effective_rate(payouts, payments)
