"""Repayment schedules by the conventions this project fixes (DOMAIN.md §6).

Pure: every date is passed in, every amount is a ``Decimal`` rounded with ``core.money``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import TIYN, ZERO, round_to_multiple
from lending.domain.amortization import annuity_payment
from lending.domain.dates import add_months
from lending.domain.daycount import DayCount, days_between
from lending.domain.errors import InvalidLoanTerms
from lending.domain.interest import period_interest
from lending.domain.terms import LoanTerms, Method, validate_terms

__all__ = [
    "Installment",
    "LoanTerms",
    "Method",
    "Schedule",
    "build_schedule",
    "due_dates",
    "repaid_before_last",
    "schedule_over",
]


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    days: int  # of interest, by the day count, since the previous due date (or the start)
    principal: Decimal
    interest: Decimal
    total: Decimal
    balance: Decimal  # principal outstanding after this instalment


@dataclass(frozen=True)
class Schedule:
    """The instalments that repay ``amount`` lent (or left outstanding) on ``start_date``."""

    amount: Decimal
    start_date: date
    annual_rate: Decimal
    day_count: DayCount
    method: Method
    payment_multiple: Decimal
    grace_months: int  # the first instalments that repay no principal
    payment: Decimal | None  # the level payment of an annuity
    principal_part: Decimal | None  # the equal principal part of a differentiated schedule
    installments: tuple[Installment, ...]

    @property
    def total_principal(self) -> Decimal:
        return sum((line.principal for line in self.installments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((line.interest for line in self.installments), ZERO)

    @property
    def total_payments(self) -> Decimal:
        return sum((line.total for line in self.installments), ZERO)


def build_schedule(terms: LoanTerms) -> Schedule:
    """The schedule of a new loan; raises ``InvalidLoanTerms`` naming the offending field."""
    validate_terms(terms)
    if terms.first_payment_date is not None:
        first_due, day = terms.first_payment_date, terms.first_payment_date.day
    else:
        # By default the payment day is the disbursement's: lent on 31 Jan, due 29 Feb, 31 Mar.
        day = terms.disbursement_date.day
        first_due = add_months(terms.disbursement_date, 1)
    return schedule_over(
        amount=terms.amount,
        start_date=terms.disbursement_date,
        due=due_dates(first_due, terms.term_months, day),
        annual_rate=terms.annual_rate,
        day_count=terms.day_count,
        method=terms.method,
        grace_months=0 if terms.method is Method.CUSTOM else terms.grace_months,
        payment_multiple=terms.payment_multiple,
        principal_parts=terms.custom_principal_parts,
    )


def due_dates(first_due: date, count: int, day: int | None = None) -> tuple[date, ...]:
    """Monthly on ``day`` (default: the first due date's); a shorter month gives its last day."""
    # Each date is computed from the first one, not chained, so 31 Jan → 29 Feb → 31 Mar.
    return tuple(add_months(first_due, k, day=day or first_due.day) for k in range(count))


def schedule_over(
    *,
    amount: Decimal,
    start_date: date,
    due: Sequence[date],
    annual_rate: Decimal,
    day_count: DayCount,
    method: Method,
    grace_months: int = 0,
    payment_multiple: Decimal = TIYN,
    principal_parts: Sequence[Decimal] = (),
    level: Decimal | None = None,
    stop_when_repaid: bool = False,
) -> Schedule:
    """Amortise ``amount`` from ``start_date`` over the ``due`` dates.

    ``level`` fixes the annuity payment or the differentiated principal part instead of
    computing it; with ``stop_when_repaid`` the schedule ends at the instalment that repays
    the balance (a prepayment that shortens the term). Both are for rebuilt schedules.
    """
    amortizing = len(due) - grace_months
    if method is Method.ANNUITY:
        exact = level if level is not None else annuity_payment(amount, annual_rate, amortizing)
    elif method is Method.DIFFERENTIATED:
        exact = level if level is not None else amount / amortizing
    else:
        exact = None

    def build(level_amount: Decimal | None) -> Schedule:
        rule = _principal_rule(method, grace_months, level_amount, principal_parts)
        lines = _lines(amount, start_date, due, annual_rate, day_count, rule, stop_when_repaid)
        return Schedule(
            amount=amount,
            start_date=start_date,
            annual_rate=annual_rate,
            day_count=day_count,
            method=method,
            payment_multiple=payment_multiple,
            grace_months=grace_months,
            payment=level_amount if method is Method.ANNUITY else None,
            principal_part=level_amount if method is Method.DIFFERENTIATED else None,
            installments=tuple(lines),
        )

    if exact is None:
        return build(None)
    if level is not None:
        return build(level)
    return _first_that_repays_on_time(build, exact, payment_multiple, amount, len(due))


def _first_that_repays_on_time(
    build: Callable[[Decimal], Schedule],
    exact: Decimal,
    multiple: Decimal,
    amount: Decimal,
    count: int,
) -> Schedule:
    """The schedule with the level amount rounded half-up to the multiple, as the convention
    says, unless that repays the loan before its last due date and leaves empty instalments.

    That happens when rounding up to a coarse multiple, and on long loans at high rates with
    actual-day interest (a 31-day month's interest can exceed the payment; interest is never
    capitalised, so such months repay no principal and later ones repay more). Then we take
    the largest lower multiple that still leaves principal for the last instalment, which
    takes the remainder. Repaying early is monotone in the level amount, so bisect.
    """
    nearest = round_to_multiple(exact, multiple)
    steps = int(nearest / multiple)
    if steps <= 0:
        raise _unrepresentable(multiple, amount, count)
    schedule = build(nearest)
    if not repaid_before_last(schedule):
        return schedule
    found, on_time, too_soon = None, 0, steps
    probe = steps - 1  # rounding down is the usual answer; bisect only if it is not
    while too_soon - on_time > 1:
        candidate = build(probe * multiple)
        if repaid_before_last(candidate):
            too_soon = probe
        else:
            found, on_time = candidate, probe
        probe = (on_time + too_soon) // 2
    if found is None:
        raise _unrepresentable(multiple, amount, count)
    return found


def _principal_rule(
    method: Method,
    grace_months: int,
    level_amount: Decimal | None,
    parts: Sequence[Decimal],
) -> Callable[[int, Decimal], Decimal]:
    """Principal wanted from instalment ``index`` (0-based) with ``interest`` due on it."""
    if method is Method.CUSTOM:
        return lambda index, interest: parts[index]
    if method is Method.INTEREST_ONLY or level_amount is None:
        return lambda index, interest: ZERO
    if method is Method.ANNUITY:
        # When a period's interest exceeds the payment (a first period of up to 45 days),
        # the instalment is interest only and larger: interest is never capitalised.
        return lambda index, interest: (
            ZERO if index < grace_months else max(level_amount - interest, ZERO)
        )
    return lambda index, interest: ZERO if index < grace_months else level_amount


def _lines(
    amount: Decimal,
    start_date: date,
    due: Sequence[date],
    annual_rate: Decimal,
    day_count: DayCount,
    principal_wanted: Callable[[int, Decimal], Decimal],
    stop_when_repaid: bool,
) -> list[Installment]:
    balance, previous, lines = amount, start_date, []
    for index, due_date in enumerate(due):
        days = days_between(previous, due_date, day_count)
        interest = period_interest(balance, annual_rate, days, day_count)
        if index == len(due) - 1:
            principal = balance  # the last instalment takes the remaining principal
        else:
            principal = min(principal_wanted(index, interest), balance)
        balance -= principal
        lines.append(
            Installment(
                number=index + 1,
                due_date=due_date,
                days=days,
                principal=principal,
                interest=interest,
                total=principal + interest,
                balance=balance,
            )
        )
        previous = due_date
        if stop_when_repaid and balance == 0:
            break
    return lines


def repaid_before_last(schedule: Schedule) -> bool:
    """The balance reaches zero before the last instalment, leaving empty ones after it."""
    return any(line.balance == 0 for line in schedule.installments[:-1])


def _unrepresentable(multiple: Decimal, amount: Decimal, count: int) -> InvalidLoanTerms:
    if multiple == TIYN:
        return InvalidLoanTerms(
            f"An amount of {amount} cannot be repaid in {count} positive instalments; "
            "lend more or over fewer months.",
            field="amount",
            code="amount_too_small_for_term",
        )
    return InvalidLoanTerms(
        f"A payment multiple of {multiple} is too coarse for {amount} over {count} instalments; "
        "choose a smaller multiple.",
        field="payment_multiple",
        code="payment_multiple_too_coarse",
    )
