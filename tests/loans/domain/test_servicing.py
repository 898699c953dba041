"""One loan's day: what is due and late, the daily accruals, buckets and schedule progress."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import ZERO, to_tiyn
from lending.domain.dates import add_years
from lending.domain.daycount import DayCount, days_between, year_basis
from loans.domain.allocation import Component as Debt
from loans.domain.servicing import (
    Accruals,
    AccrualTerms,
    Bucket,
    InstallmentDue,
    LineState,
    Position,
    ScheduleLine,
    ScheduleTotals,
    accrue_day,
    accrued_not_due,
    bucket_of,
    debts_due,
    late_amounts,
    oldest_late,
    schedule_progress,
)
from tests.lending.domain.strategies import dates, day_counts, money, rates

D = Decimal
ONE_DAY = timedelta(days=1)
QUICK = settings(max_examples=40, deadline=None, database=None, derandomize=True)
FAST = settings(max_examples=60, deadline=None, database=None, derandomize=True)

# A 300,000 loan disbursed on 10 Jan 2024 in three instalments. The first falls due on a
# Saturday and may be paid on Monday 12 Feb; the second on a Sunday, payable Monday 11 Mar.
START = date(2024, 1, 10)
LINES = [
    ScheduleLine(1, date(2024, 2, 10), date(2024, 2, 12), D("100000.00"), D("3000.00")),
    ScheduleLine(2, date(2024, 3, 10), date(2024, 3, 11), D("100000.00"), D("2000.00")),
    ScheduleLine(3, date(2024, 4, 10), date(2024, 4, 10), D("100000.00"), D("1000.00")),
]
DUE_1 = ScheduleTotals(D("100000.00"), D("3000.00"), last_due_date=date(2024, 2, 10))
LATE_1 = replace(DUE_1, principal_late=D("100000.00"), interest_late=D("3000.00"))
DUE_2_LATE_1 = replace(
    LATE_1, principal_due=D("200000.00"), interest_due=D("5000.00"), last_due_date=date(2024, 3, 10)
)


def debts(
    overdue_principal="0", overdue_interest="0", penalty="0", principal="0", interest="0"
) -> dict[Debt, Decimal]:
    return {
        Debt.OVERDUE_PRINCIPAL: D(overdue_principal),
        Debt.OVERDUE_INTEREST: D(overdue_interest),
        Debt.PENALTY: D(penalty),
        Debt.CURRENT_PRINCIPAL: D(principal),
        Debt.CURRENT_INTEREST: D(interest),
    }


# --- position and what is due ----------------------------------------------------------------


def test_repaid_figures_come_from_the_balances():
    # 300,000 lent, 208,000 left: 92,000 repaid. 5,040 interest charged, 1,940 left: 3,100 paid.
    position = Position(D("300000"), D("208000"), D("1940"), interest_accrued=D("5040"))
    assert (position.principal_repaid, position.interest_repaid) == (D("92000"), D("3100"))


@pytest.mark.parametrize(
    ("position", "totals", "expected"),
    [
        pytest.param(
            Position(D("300000"), D("300000")),
            ScheduleTotals(),
            debts(),
            id="nothing-due-before-the-first-due-date",
        ),
        pytest.param(
            Position(D("300000"), D("300000"), D("3000"), interest_accrued=D("3000")),
            DUE_1,
            debts(principal="100000", interest="3000"),
            id="due-on-the-due-date-not-late",
        ),
        pytest.param(
            # Late since 13 Feb: 40 of overdue interest on the late principal, 250 of penalty.
            Position(D("300000"), D("300000"), D("3040"), D("250"), interest_accrued=D("3040")),
            LATE_1,
            debts(overdue_principal="100000", overdue_interest="3040", penalty="250"),
            id="late-after-the-grace-date",
        ),
        pytest.param(
            # 60,000 of the first principal and its 3,000 interest repaid; the second falls due:
            # 40,000 principal late, 100,000 current; 2,000 current interest, 40 overdue.
            Position(D("300000"), D("240000"), D("2040"), interest_accrued=D("5040")),
            DUE_2_LATE_1,
            debts(
                overdue_principal="40000",
                overdue_interest="40",
                principal="100000",
                interest="2000",
            ),
            id="partly-repaid-late-instalment-and-a-current-one",
        ),
        pytest.param(
            # 150,000 repaid by prepayment: no principal is due although 100,000 was scheduled.
            Position(D("300000"), D("150000"), D("3000"), interest_accrued=D("3000")),
            DUE_1,
            debts(interest="3000"),
            id="principal-repaid-ahead-is-not-due-again",
        ),
        pytest.param(
            # A recomputation left the penalty and interest overpaid: nothing negative is due.
            Position(D("300000"), D("200000"), D("-5"), D("-10"), interest_accrued=D("2995")),
            DUE_1,
            debts(),
            id="overpaid-components-are-not-negative-debts",
        ),
        pytest.param(
            # Every instalment late and 270,000 repaid: the 30,000 left is all overdue.
            Position(D("300000"), D("30000"), D("0"), interest_accrued=D("6000")),
            replace(DUE_2_LATE_1, principal_due=D("300000"), principal_late=D("300000")),
            debts(overdue_principal="30000"),
            id="all-instalments-late-the-balance-is-overdue",
        ),
    ],
)
def test_debts_due_split_by_the_allocation_components(position, totals, expected):
    assert debts_due(position, totals) == expected


@pytest.mark.parametrize(
    ("position", "totals", "expected"),
    [
        (Position(D("300000"), D("300000"), D("3000"), interest_accrued=D("3000")), DUE_1,
         (ZERO, ZERO)),  # due, within grace: nothing late
        (Position(D("300000"), D("300000"), D("3040"), interest_accrued=D("3040")), LATE_1,
         (D("100000"), D("3000"))),  # the 40 of overdue interest carries no penalty
        (Position(D("300000"), D("240000"), D("2040"), interest_accrued=D("5040")), DUE_2_LATE_1,
         (D("40000"), ZERO)),
        (Position(D("300000"), D("300000"), D("2000"), interest_accrued=D("3000")), LATE_1,
         (D("100000"), D("2000"))),  # 1,000 of the late interest paid
        (Position(D("300000"), D("-1"), D("-1"), interest_accrued=D("3000")), LATE_1,
         (ZERO, ZERO)),  # overpaid: nothing is late
    ],
)  # fmt: skip
def test_late_amounts_are_what_penalty_is_charged_on(position, totals, expected):
    assert late_amounts(position, totals) == expected


# --- accruals: table ---------------------------------------------------------------------------

TERMS = AccrualTerms(
    annual_rate=D("12"),
    day_count=DayCount.ACTUAL_360,
    penalty_rate=D("1"),
    penalty_year_cap=None,
    stop_after_days=None,
    start=START,
)


def run(
    terms: AccrualTerms,
    first: date,
    days: int,
    late_principal: Decimal = ZERO,
    late_interest: Decimal = ZERO,
    late_since: date | None = None,
    before: Accruals | None = None,
) -> list[Accruals]:
    """The accruals at the end of each of ``days`` days from ``first``, the late amounts fixed."""
    out, accruals = [], before or Accruals()
    for n in range(days):
        accruals = accrue_day(
            terms,
            accruals,
            on=first + timedelta(days=n),
            late_principal=late_principal,
            late_interest=late_interest,
            late_since=late_since,
        )
        out.append(accruals)
    return out


def posted(days: list[Accruals], name: str) -> list[Decimal]:
    """What the ledger gets each day: the change in the rounded cumulative total."""
    totals = [ZERO, *(getattr(day, name) for day in days)]
    return [after - before for before, after in pairwise(totals)]


def test_overdue_interest_posts_the_rounded_cumulative_total_without_drift():
    # 79,633.94 late at 12 % a year, actual/360: 79,633.94 × 12 / 36,000 = 26.544646… a day.
    # Cumulative 26.54, 53.09 (53.0893), 79.63 (79.6339), 106.18 (106.1786)…: the posted days
    # alternate; the 16th day 424.71 (424.714346…) − 398.17 (398.1697) = 26.54.
    days = run(TERMS, date(2024, 2, 14), 16, D("79633.94"), late_since=date(2024, 2, 10))
    assert posted(days, "overdue_interest_posted") == [D("26.54"), D("26.55")] * 7 + [
        D("26.54"),
        D("26.54"),
    ]
    assert days[-1].overdue_interest_posted == D("424.71")  # 79,633.94 × 12 × 16 / 36,000
    assert days[-1].late_principal_days == D("79633.94") * 16


def test_penalty_posts_the_rounded_cumulative_total_without_drift():
    # 1 % a day on 88,848.79 late: 888.4879 a day; 16 days 14,215.8064 exact → 14,215.81,
    # where 16 days rounded one by one would give 16 × 888.49 = 14,215.84.
    days = run(TERMS, date(2024, 2, 14), 16, D("80000.00"), D("8848.79"), date(2024, 2, 10))
    assert days[-1].penalty_exact == D("14215.8064")
    assert days[-1].penalty_posted == D("14215.81")
    assert set(posted(days, "penalty_posted")) == {D("888.48"), D("888.49")}
    # Overdue interest runs on the principal only: 80,000 × 12 × 16 / 36,000 = 426.666… → 426.67.
    assert days[-1].overdue_interest_posted == D("426.67")


@pytest.mark.parametrize(
    ("day_count", "on", "expected_days"),
    [
        (DayCount.ACTUAL_360, date(2025, 1, 31), 1),
        (DayCount.ACTUAL_365, date(2025, 1, 31), 1),
        (DayCount.THIRTY_360, date(2025, 1, 31), 0),  # the 31st counts as the 30th
        (DayCount.THIRTY_360, date(2025, 3, 1), 3),  # 28 Feb → 1 Mar: the month makes 30
        (DayCount.THIRTY_360, date(2024, 3, 1), 2),  # 29 Feb → 1 Mar in a leap year
        (DayCount.ACTUAL_360, date(2025, 3, 1), 1),
    ],
)
def test_overdue_interest_counts_the_days_of_the_day_count(day_count, on, expected_days):
    # 36,500 late at 12 %: 36,500 × 12 / (100 × basis) = 12.166… (360) or 12.00 (365) a day.
    terms = replace(TERMS, day_count=day_count)
    after = accrue_day(
        terms,
        Accruals(),
        on=on,
        late_principal=D("36500"),
        late_interest=ZERO,
        late_since=None,
    )
    assert after.late_principal_days == D("36500") * expected_days
    basis = {DayCount.ACTUAL_365: 365}.get(day_count, 360)
    exact = D("36500") * 12 * expected_days / (100 * basis)
    assert after.overdue_interest_posted == to_tiyn(exact)
    assert after.penalty_exact == D("365")  # the penalty is per calendar day, whatever the count


def test_penalty_is_charged_on_late_interest_too():
    after = accrue_day(
        TERMS,
        Accruals(),
        on=date(2024, 2, 13),
        late_principal=D("10000"),
        late_interest=D("500"),
        late_since=date(2024, 2, 10),
    )
    assert (after.penalty_exact, after.penalty_posted) == (D("105"), D("105.00"))
    assert after.late_principal_days == D("10000")  # overdue interest only on the principal


@pytest.mark.parametrize("on", [START - ONE_DAY, START])
def test_nothing_accrues_on_or_before_the_disbursement(on):
    before = Accruals(penalty_exact=D("7"), penalty_posted=D("7.00"))
    after = accrue_day(
        TERMS, before, on=on, late_principal=D("1000"), late_interest=D("10"), late_since=on
    )
    assert after == before


def test_nothing_accrues_when_nothing_is_late():
    before = Accruals(
        late_principal_days=D("1000"),
        overdue_interest_base=D("1000") * TERMS.annual_rate,
        overdue_interest_posted=D("0.33"),
    )
    after = accrue_day(
        TERMS, before, on=date(2024, 3, 1), late_principal=ZERO, late_interest=ZERO, late_since=None
    )
    assert after == before


def test_accruals_stop_after_the_stop_day():
    # Late since 10 Feb 2024, stop after 90 days: 10 May is day 90 (19 + 31 + 30 + 10) and
    # accrues; 11 May (day 91) and later accrue nothing, neither penalty nor overdue interest.
    terms = replace(TERMS, stop_after_days=90)
    late = {"late_principal": D("1000"), "late_interest": ZERO, "late_since": date(2024, 2, 10)}
    days = run(terms, date(2024, 5, 9), 4, **late)
    assert [day.penalty_exact for day in days] == [D("10"), D("20"), D("20"), D("20")]
    assert [day.late_principal_days for day in days] == [D("1000"), D("2000")] + [D("2000")] * 2


def test_penalty_year_cap_binds_within_a_contract_year_and_resets_on_the_anniversary():
    # Cap 1,000 a contract year; 1 % of 30,000 late = 300 a day: 300, 600, 900, then only 100.
    # The contract year from 10 Jan 2024 ends on 9 Jan 2025; on 10 Jan 2025 the cap is new.
    terms = replace(TERMS, penalty_year_cap=D("1000.00"))
    late = {"late_principal": D("30000"), "late_interest": ZERO, "late_since": date(2025, 1, 1)}
    days = run(terms, date(2025, 1, 5), 9, **late)
    assert posted(days, "penalty_posted") == [
        D("300.00"),
        D("300.00"),
        D("300.00"),
        D("100.00"),  # 8 Jan: the cap reached
        ZERO,  # 9 Jan: the last day of the first contract year
        D("300.00"),  # 10 Jan 2025: the second contract year
        D("300.00"),
        D("300.00"),
        D("100.00"),
    ]
    assert [day.penalty_exact_this_year for day in days][4:6] == [D("1000.00"), D("300")]
    # Overdue interest is not capped: 9 days of 30,000 × 12 / 36,000 = 10 a day.
    assert days[-1].overdue_interest_posted == D("90.00")


@pytest.mark.parametrize(
    ("on", "resets"),
    [
        (date(2025, 2, 28), True),  # started on 29 Feb 2024: the anniversary in 2025
        (date(2025, 3, 1), False),
        (date(2028, 2, 28), False),  # a leap year has its 29 Feb
        (date(2028, 2, 29), True),
        (date(2024, 2, 29), False),  # the start itself accrues nothing at all
    ],
)
def test_a_contract_started_on_29_february_renews_its_cap_on_28_february(on, resets):
    terms = replace(TERMS, start=date(2024, 2, 29), penalty_year_cap=D("500"))
    before = Accruals(penalty_exact=D("500"), penalty_exact_this_year=D("500"))
    after = accrue_day(
        terms, before, on=on, late_principal=D("100"), late_interest=ZERO, late_since=None
    )
    assert after.penalty_exact - before.penalty_exact == (D("1") if resets else ZERO)


def test_the_cap_renews_on_the_anniversary_even_with_nothing_late():
    terms = replace(TERMS, penalty_year_cap=D("1000"))
    before = Accruals(penalty_exact=D("1000"), penalty_exact_this_year=D("1000"))
    after = accrue_day(
        terms, before, on=date(2025, 1, 10), late_principal=ZERO, late_interest=ZERO,
        late_since=None,
    )  # fmt: skip
    assert after.penalty_exact_this_year == ZERO
    assert after.penalty_exact == D("1000")


def test_accruing_a_day_again_from_the_same_start_gives_the_same_totals():
    # The close re-runs a date from the previous day's snapshot: the posted change is the same.
    before = run(TERMS, date(2024, 2, 14), 3, D("79633.94"), late_since=date(2024, 2, 10))[-1]
    kwargs = {
        "on": date(2024, 2, 17),
        "late_principal": D("79633.94"),
        "late_interest": ZERO,
        "late_since": date(2024, 2, 10),
    }
    assert accrue_day(TERMS, before, **kwargs) == accrue_day(TERMS, before, **kwargs)


# --- oldest late, interest not yet due, buckets ----------------------------------------------

DUES = [
    InstallmentDue(date(2024, 2, 10), date(2024, 2, 12), D("100000"), D("3000")),
    InstallmentDue(date(2024, 3, 10), date(2024, 3, 11), D("200000"), D("5000")),
    InstallmentDue(date(2024, 4, 10), date(2024, 4, 10), D("300000"), D("6000")),
]


@pytest.mark.parametrize(
    ("principal", "interest", "accrued", "on", "expected"),
    [
        ("300000", "3000", "3000", date(2024, 2, 12), None),  # within the grace date
        ("300000", "3000", "3000", date(2024, 2, 13), 0),
        ("200000", "0", "3000", date(2024, 2, 13), None),  # the first is repaid
        ("200000", "2000", "5000", date(2024, 3, 12), 1),
        ("200000", "1", "3001", date(2024, 3, 12), 1),  # 1 of overdue interest: 1st is paid
        ("200000", "2000", "3000", date(2024, 2, 13), 0),  # 1,000 of its interest left
        ("100000", "0", "5000", date(2024, 4, 10), None),  # the third within its grace date
        ("100000", "0", "5000", date(2024, 4, 11), 2),
        ("0", "0", "6000", date(2024, 5, 1), None),  # all repaid
    ],
)
def test_oldest_late_is_the_oldest_instalment_past_grace_and_unpaid(
    principal, interest, accrued, on, expected
):
    position = Position(D("300000"), D(principal), D(interest), interest_accrued=D(accrued))
    found = oldest_late(list(reversed(DUES)), position, on)
    assert found == (None if expected is None else DUES[expected])


@pytest.mark.parametrize(
    ("totals", "principal", "on", "expected"),
    [
        # 360,000 at 12 %, actual/360: 120 a day. From the start (10 Jan) to 20 Jan: 1,200.
        (ScheduleTotals(), "360000", date(2024, 1, 20), "1200.00"),
        (ScheduleTotals(), "360000", START, "0"),
        # 100,000 fell due on 10 Feb: 260,000 × 12 × 5 / 36,000 = 433.333… → 433.33.
        (DUE_1, "360000", date(2024, 2, 15), "433.33"),
        (DUE_1, "360000", date(2024, 2, 10), "0"),
        # 150,000 repaid ahead: 210,000 × 12 × 5 / 36,000 = 350.
        (DUE_1, "210000", date(2024, 2, 15), "350.00"),
        (replace(DUE_1, principal_due=D("360000")), "50000", date(2024, 2, 15), "0"),
    ],
)
def test_interest_accrued_not_yet_due(totals, principal, on, expected):
    position = Position(D("360000"), D(principal))
    assert accrued_not_due(position, totals, TERMS, on) == D(expected)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, Bucket.CURRENT),
        (1, Bucket.DPD_1_30),
        (30, Bucket.DPD_1_30),
        (31, Bucket.DPD_31_60),
        (60, Bucket.DPD_31_60),
        (61, Bucket.DPD_61_90),
        (90, Bucket.DPD_61_90),
        (91, Bucket.DPD_90_PLUS),
        (1000, Bucket.DPD_90_PLUS),
    ],
)
def test_bucket_of_days_past_due(days, bucket):
    assert bucket_of(days) is bucket


# --- schedule progress -----------------------------------------------------------------------


def progress(principal: str, interest: str, on: date):
    return [
        (line.principal_paid, line.interest_paid, line.state)
        for line in schedule_progress(list(reversed(LINES)), D(principal), D(interest), on)
    ]


S = LineState


@pytest.mark.parametrize(
    ("principal", "interest", "on", "expected"),
    [
        ("0", "0", date(2024, 2, 9), [("0", "0", S.NOT_DUE)] * 3),
        ("0", "0", date(2024, 2, 10), [("0", "0", S.DUE), ("0", "0", S.NOT_DUE),
                                       ("0", "0", S.NOT_DUE)]),
        ("0", "0", date(2024, 2, 13), [("0", "0", S.OVERDUE), ("0", "0", S.NOT_DUE),
                                       ("0", "0", S.NOT_DUE)]),
        ("130000", "4000", date(2024, 3, 11), [("100000", "3000", S.PAID),
                                               ("30000", "1000", S.DUE), ("0", "0", S.NOT_DUE)]),
        ("130000", "4000", date(2024, 3, 12), [("100000", "3000", S.PAID),
                                               ("30000", "1000", S.OVERDUE),
                                               ("0", "0", S.NOT_DUE)]),
        ("250000", "5000", date(2024, 3, 12), [("100000", "3000", S.PAID),
                                               ("100000", "2000", S.PAID),
                                               ("50000", "0", S.PARTLY_PAID)]),
        ("250000", "5000", date(2024, 4, 11), [("100000", "3000", S.PAID),
                                               ("100000", "2000", S.PAID),
                                               ("50000", "0", S.OVERDUE)]),
        ("400000", "9000", date(2024, 5, 1), [("100000", "3000", S.PAID),
                                              ("100000", "2000", S.PAID),
                                              ("100000", "1000", S.PAID)]),
        ("100000", "0", date(2024, 2, 13), [("100000", "0", S.OVERDUE), ("0", "0", S.NOT_DUE),
                                            ("0", "0", S.NOT_DUE)]),  # interest unpaid
    ],
)  # fmt: skip
def test_schedule_progress_pays_the_lines_oldest_first(principal, interest, on, expected):
    assert progress(principal, interest, on) == [(D(p), D(i), state) for p, i, state in expected]


# --- properties ------------------------------------------------------------------------------


def _tiyn(value: Fraction) -> Decimal:
    """Half-up to the tiyn from an exact fraction: an oracle independent of Decimal's context."""
    hundredths = value * 100
    whole = int(abs(hundredths) + Fraction(1, 2))
    return D(whole if hundredths >= 0 else -whole) / 100


@st.composite
def late_paths(draw: st.DrawFn, max_days: int = 400) -> list[tuple[Decimal, Decimal]]:
    """Late principal and interest for each day: runs of days with the same amounts."""
    path: list[tuple[Decimal, Decimal]] = []
    for _ in range(draw(st.integers(1, 8))):
        amounts = (draw(money(0, 5_000_000)), draw(money(0, 200_000)))
        path += [amounts] * draw(st.integers(1, max_days // 4))
    return path[:max_days]


def penalty_rates() -> st.SearchStrategy[Decimal]:
    return st.integers(0, 100).map(lambda hundredths: D(hundredths) / 100)  # 0–1 % a day


@QUICK
@given(
    start=dates,
    offset=st.integers(-3, 30),
    path=late_paths(max_days=240),
    rate=rates(),
    penalty_rate=penalty_rates(),
    day_count=day_counts,
)
def test_accruing_day_by_day_posts_the_rounded_exact_total(
    start, offset, path, rate, penalty_rate, day_count
):
    terms = AccrualTerms(rate, day_count, penalty_rate, None, None, start)
    accruals = Accruals()
    principal_days, penalty = Fraction(0), Fraction(0)
    basis = 100 * year_basis(day_count)
    for n, (late_principal, late_interest) in enumerate(path):
        on = start + timedelta(days=offset + n)
        before = accruals
        accruals = accrue_day(
            terms,
            accruals,
            on=on,
            late_principal=late_principal,
            late_interest=late_interest,
            late_since=start,
        )
        if on > start:
            principal_days += Fraction(late_principal) * days_between(on - ONE_DAY, on, day_count)
            penalty += Fraction(late_principal + late_interest) * Fraction(penalty_rate) / 100
        interest = principal_days * Fraction(rate) / basis
        # Each day's total is the exact total rounded: never more than half a tiyn off.
        assert accruals.overdue_interest_posted == _tiyn(interest)
        assert accruals.penalty_posted == _tiyn(penalty)
        assert accruals.overdue_interest_posted >= before.overdue_interest_posted
        assert accruals.penalty_posted >= before.penalty_posted
    assert Fraction(accruals.late_principal_days) == principal_days
    assert Fraction(accruals.penalty_exact) == penalty


def _contract_year(start: date, on: date) -> int:
    year = on.year - start.year
    while add_years(start, year) > on:
        year -= 1
    return year


@QUICK
@given(
    start=dates,
    lead=st.integers(1, 150),  # the days run from this many days before an anniversary
    path=late_paths(max_days=240),
    penalty_rate=penalty_rates(),
    cap=money(0, 100_000),
)
def test_the_penalty_year_cap_is_never_exceeded_within_a_contract_year(
    start, lead, path, penalty_rate, cap
):
    terms = AccrualTerms(D("20"), DayCount.ACTUAL_365, penalty_rate, cap, None, start)
    accruals = Accruals()
    exact_in_year: dict[int, Decimal] = {}
    uncapped_in_year: dict[int, Decimal] = {}
    posted_in_year: dict[int, Decimal] = {}
    for n, (late_principal, late_interest) in enumerate(path, start=1):
        on = add_years(start, 1) - timedelta(days=lead) + timedelta(days=n)
        before = accruals
        accruals = accrue_day(
            terms,
            accruals,
            on=on,
            late_principal=late_principal,
            late_interest=late_interest,
            late_since=start,
        )
        year = _contract_year(start, on)
        exact_in_year[year] = exact_in_year.get(year, ZERO) + (
            accruals.penalty_exact - before.penalty_exact
        )
        uncapped_in_year[year] = uncapped_in_year.get(year, ZERO) + (
            (late_principal + late_interest) * penalty_rate / 100
        )
        posted_in_year[year] = posted_in_year.get(year, ZERO) + (
            accruals.penalty_posted - before.penalty_posted
        )
        assert accruals.penalty_exact_this_year == exact_in_year[year]
    for year, exact in exact_in_year.items():
        assert exact <= cap
        assert posted_in_year[year] <= cap  # a whole-tiyn cap: the rounding adds no tiyn
        assert exact == min(cap, uncapped_in_year[year])  # the cap is reached, not undershot


@QUICK
@given(
    start=dates,
    late_after=st.integers(1, 60),
    stop=st.integers(0, 120),
    path=late_paths(max_days=160),
    rate=rates(),
    day_count=day_counts,
)
def test_nothing_accrues_after_the_stop_day(start, late_after, stop, path, rate, day_count):
    terms = AccrualTerms(rate, day_count, D("0.5"), None, stop, start)
    late_since = start + timedelta(days=late_after)
    accruals, last_accruing = Accruals(), Accruals()
    for n, (late_principal, late_interest) in enumerate(path, start=1):
        on = late_since + timedelta(days=n)
        accruals = accrue_day(
            terms,
            accruals,
            on=on,
            late_principal=late_principal,
            late_interest=late_interest,
            late_since=late_since,
        )
        if (on - late_since).days <= stop:
            last_accruing = accruals
        else:
            for name in (
                "late_principal_days",
                "overdue_interest_posted",
                "penalty_exact",
                "penalty_posted",
            ):
                assert getattr(accruals, name) == getattr(last_accruing, name), (on, name)
    # Exactly the first ``stop`` days late accrued penalty.
    charged = sum(
        ((p + i) * D("0.5") / 100 for p, i in path[: min(stop, len(path))]),
        ZERO,
    )
    assert accruals.penalty_exact == charged


@st.composite
def positions_and_totals(draw: st.DrawFn, negative: bool = False):
    """A schedule's cumulative totals on a date and a position, late never above due."""
    amount = draw(money(10_000, 5_000_000))
    parts = draw(st.lists(st.integers(0, 100), min_size=1, max_size=12))
    weights = sum(parts) or 1
    cumulative_principal = [amount * w / weights for w in accumulate(parts)]
    cumulative_interest = list(accumulate(draw(money(0, 100_000)) for _ in parts))
    due = draw(st.integers(0, len(parts)))
    late = draw(st.integers(0, due))
    totals = ScheduleTotals(
        principal_due=cumulative_principal[due - 1].quantize(D("0.01")) if due else ZERO,
        interest_due=cumulative_interest[due - 1] if due else ZERO,
        principal_late=cumulative_principal[late - 1].quantize(D("0.01")) if late else ZERO,
        interest_late=cumulative_interest[late - 1] if late else ZERO,
    )
    # Scheduled interest is posted when it falls due; overdue interest on top of it.
    accrued = totals.interest_due + draw(money(0, 50_000))
    over = 1000 if negative else 0  # a recomputation may leave a component overpaid
    principal = draw(st.integers(-over * 100, int(amount * 100)).map(lambda t: D(t) / 100))
    interest_repaid = draw(st.integers(0, int((accrued + over) * 100)).map(lambda t: D(t) / 100))
    penalty = draw(money(-over, 50_000))
    position = Position(
        amount, principal, accrued - interest_repaid, penalty, interest_accrued=accrued
    )
    return position, totals


@FAST
@given(case=positions_and_totals())
def test_debts_due_are_never_negative_nor_more_than_the_balances(case):
    position, totals = case
    due = debts_due(position, totals)
    assert all(part >= 0 for part in due.values()), due
    assert sum(due.values(), ZERO) <= position.principal + position.interest + position.penalty
    principal = due[Debt.OVERDUE_PRINCIPAL] + due[Debt.CURRENT_PRINCIPAL]
    interest = due[Debt.OVERDUE_INTEREST] + due[Debt.CURRENT_INTEREST]
    assert principal <= position.principal
    # Nothing not yet due: principal only up to the scheduled principal due, less repaid.
    assert principal <= max(ZERO, totals.principal_due - position.principal_repaid)
    assert interest == position.interest  # interest is posted only when it falls due
    assert due[Debt.PENALTY] == position.penalty
    late_principal, late_interest = late_amounts(position, totals)
    assert late_principal == due[Debt.OVERDUE_PRINCIPAL]
    assert late_interest <= due[Debt.OVERDUE_INTEREST]


@FAST
@given(case=positions_and_totals(negative=True))
def test_an_overpaid_component_makes_no_negative_debt(case):
    position, totals = case
    due = debts_due(position, totals)
    assert all(part >= 0 for part in due.values()), due
    owed = sum(max(ZERO, b) for b in (position.principal, position.interest, position.penalty))
    assert sum(due.values(), ZERO) <= owed
    assert all(part >= 0 for part in late_amounts(position, totals))


@st.composite
def schedules(draw: st.DrawFn) -> list[ScheduleLine]:
    """Lines like the schedules': interest-only (grace) lines first, then principal ones."""
    count = draw(st.integers(1, 12))
    grace = draw(st.integers(0, count - 1))
    with_interest = draw(st.booleans())  # a 0 % loan has no interest on any line
    first = draw(dates)
    lines = []
    for number in range(1, count + 1):
        due = first + timedelta(days=30 * (number - 1))
        lines.append(
            ScheduleLine(
                number,
                due,
                due + timedelta(days=draw(st.integers(0, 3))),  # the next business day
                draw(money(1, 500_000)) if number > grace else ZERO,
                draw(money(1, 50_000)) if with_interest else ZERO,
            )
        )
    return lines


@FAST
@given(lines=schedules(), data=st.data())
def test_schedule_progress_pays_what_was_repaid_oldest_first(lines, data):
    total_principal = sum((line.principal for line in lines), ZERO)
    total_interest = sum((line.interest for line in lines), ZERO)
    repaid_principal = data.draw(
        st.integers(0, int(total_principal * 100) + 10_000).map(lambda t: D(t) / 100)
    )
    repaid_interest = data.draw(
        st.integers(0, int(total_interest * 100) + 10_000).map(lambda t: D(t) / 100)
    )
    on = data.draw(st.dates(lines[0].due_date - timedelta(days=5), lines[-1].grace_date + ONE_DAY))
    result = schedule_progress(
        data.draw(st.permutations(lines)), repaid_principal, repaid_interest, on
    )

    assert [line.number for line in result] == [line.number for line in lines]
    assert sum((r.principal_paid for r in result), ZERO) == min(repaid_principal, total_principal)
    assert sum((r.interest_paid for r in result), ZERO) == min(repaid_interest, total_interest)
    states = [r.state for r in result]
    paid = [state is LineState.PAID for state in states]
    assert paid == sorted(paid, reverse=True), states  # no paid line after an unpaid one
    for line, row in zip(lines, result, strict=True):
        assert 0 <= row.principal_paid <= line.principal
        assert 0 <= row.interest_paid <= line.interest
        if row.state is not LineState.PAID:
            expected = (
                LineState.OVERDUE
                if line.grace_date < on
                else LineState.DUE
                if line.due_date <= on
                else LineState.PARTLY_PAID
                if row.principal_paid + row.interest_paid
                else LineState.NOT_DUE
            )
            assert row.state is expected


def test_paid_interest_on_late_principal_does_not_make_the_next_instalment_overdue():
    # Instalment 1 (3,000 interest) and 50 of interest on its late principal are paid;
    # instalment 2 (2,000 interest) fell due today and is within its grace date.
    position = Position(D("300000"), D("200000"), D("2000"), interest_accrued=D("5050"))
    totals = ScheduleTotals(D("200000"), D("5000"), D("100000"), D("3000"))
    debts = debts_due(position, totals)
    assert debts[Debt.CURRENT_INTEREST] == D("2000")
    assert debts[Debt.OVERDUE_INTEREST] == 0
    assert late_amounts(position, totals) == (0, 0)
