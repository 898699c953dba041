"""Partial prepayment and the payoff amount (DOMAIN.md §9, §12).

A partial prepayment on ``on`` first pays the interest accrued since the last due date, then
principal (the order of the Civil Code, art. 282); the remaining principal is rescheduled
from ``on`` over the remaining due dates. Instalments due on or before ``on`` are taken as
paid: the loan must be current, its overdue amounts settled first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.money import ZERO, to_tiyn
from lending.domain.daycount import DayCount, days_between
from lending.domain.interest import accrued_interest, period_interest
from lending.domain.schedule import (
    Installment,
    Method,
    Schedule,
    repaid_before_last,
    schedule_over,
)
from loans.domain.errors import InvalidPrepayment
from loans.domain.servicing import interest_waived

MIN_SCHEDULED_PAYMENTS = 3  # seed 004 ch.7 §4 p.3


class PrepaymentMode(StrEnum):
    SHORTEN_TERM = "shorten_term"  # same payment, fewer instalments
    REDUCE_PAYMENT = "reduce_payment"  # same due dates, smaller payment


@dataclass(frozen=True)
class Prepayment:
    on: date
    amount: Decimal
    interest_paid: Decimal  # accrued from the last due date to ``on``
    principal_paid: Decimal
    principal_before: Decimal
    schedule: Schedule  # the rest of the loan, from ``on``: repays principal_before − paid


@dataclass(frozen=True)
class PayoffQuote:
    on: date
    principal: Decimal
    interest: Decimal
    overdue: Decimal
    penalties: Decimal
    held: Decimal = ZERO  # the borrower's money already with the MFO
    # interest to the day not charged: the full stop after days overdue (DOMAIN.md §12)
    interest_waived: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.overdue + self.penalties

    @property
    def to_pay(self) -> Decimal:
        """What the borrower still has to bring: the total less the money held for them."""
        return max(ZERO, self.total - self.held)


def rebuild_after_prepayment(
    schedule: Schedule,
    on: date,
    amount: Decimal,
    mode: PrepaymentMode | str,
    *,
    min_payments: int = MIN_SCHEDULED_PAYMENTS,
) -> Prepayment:
    """The remaining schedule after a partial prepayment of ``amount`` on ``on``.

    Refused (field ``amount``) below three scheduled payments, or when it would repay all the
    principal: that is a full prepayment, quoted by ``payoff_quote``.
    """
    mode = PrepaymentMode(mode)
    settled = [line for line in schedule.installments if line.due_date <= on]
    remaining = [line for line in schedule.installments if line.due_date > on]
    if on < schedule.start_date or not remaining:
        raise InvalidPrepayment(
            "A prepayment date must fall between the disbursement and the last due date.",
            field="on",
            code="outside_schedule",
        )
    principal_before = settled[-1].balance if settled else schedule.amount
    interest_from = settled[-1].due_date if settled else schedule.start_date
    interest = accrued_interest(
        principal_before, schedule.annual_rate, interest_from, on, schedule.day_count
    )
    _check_amount(amount, remaining, principal_before, min_payments)
    principal_paid = amount - interest
    rest = principal_before - principal_paid
    rebuilt = _rebuild(schedule, mode, on, rest, remaining, settled)
    level = rebuilt.payment or rebuilt.principal_part
    if (
        level is not None
        and mode is PrepaymentMode.REDUCE_PAYMENT
        and not _no_payment_grows(rebuilt, schedule, remaining)
    ):
        # Rounded half-up to a coarse multiple, the level can round down so far that the last
        # instalment outgrows the old payment; rounding it up instead spreads that remainder.
        level += schedule.payment_multiple
        rebuilt = _rebuild(schedule, mode, on, rest, remaining, settled, level)
    if not _no_payment_grows(rebuilt, schedule, remaining) or repaid_before_last(rebuilt):
        raise InvalidPrepayment(
            "Rebuilt this way, a payment would grow; the new payment may not exceed the old.",
            field="mode",
            code="payment_would_increase",
        )
    return Prepayment(
        on=on,
        amount=amount,
        interest_paid=interest,
        principal_paid=principal_paid,
        principal_before=principal_before,
        schedule=rebuilt,
    )


def payoff_quote(
    *,
    on: date,
    principal_outstanding: Decimal,
    interest_from: date,
    annual_rate: Decimal,
    day_count: DayCount,
    overdue: Decimal = ZERO,
    penalties: Decimal = ZERO,
    held: Decimal = ZERO,
    stopped_days: int = 0,
) -> PayoffQuote:
    """What closes the loan on ``on``; the posting of a full prepayment calls this too.

    ``interest_from`` is the date interest was last settled (the last due date paid, or the
    disbursement). ``overdue``: amounts already due and unpaid, with the interest accrued on
    overdue principal (DOMAIN.md §8); ``penalties``: as computed by ``penalty_owed``;
    ``stopped_days``: days since ``interest_from`` on which no interest accrued (the full stop
    after days overdue, DOMAIN.md §12).
    """
    if on < interest_from:
        raise InvalidPrepayment(
            "The payoff date cannot precede the date interest was last settled.",
            field="on",
            code="before_interest_from",
        )
    for field, value in (
        ("principal_outstanding", principal_outstanding),
        ("overdue", overdue),
        ("penalties", penalties),
        ("held", held),
    ):
        if value < 0 or to_tiyn(value) != value:
            raise InvalidPrepayment(
                "Amounts must be zero or positive, in whole tiyn.",
                field=field,
                code="invalid_amount",
            )
    days = days_between(interest_from, on, day_count)
    # the same rule as the close's for an instalment falling due on ``on``
    scheduled = period_interest(principal_outstanding, annual_rate, days, day_count)
    waived = interest_waived(scheduled, days, stopped_days)
    return PayoffQuote(
        on, principal_outstanding, scheduled - waived, overdue, penalties, held, waived
    )


def payoff_quote_for_schedule(
    schedule: Schedule, on: date, *, overdue: Decimal = ZERO, penalties: Decimal = ZERO
) -> PayoffQuote:
    """Payoff by the schedule: instalments due before ``on`` are paid or counted in ``overdue``;
    one due on ``on`` itself is still open, so its principal and interest are in the quote."""
    earlier = [line for line in schedule.installments if line.due_date < on]
    return payoff_quote(
        on=on,
        principal_outstanding=earlier[-1].balance if earlier else schedule.amount,
        interest_from=earlier[-1].due_date if earlier else schedule.start_date,
        annual_rate=schedule.annual_rate,
        day_count=schedule.day_count,
        overdue=overdue,
        penalties=penalties,
    )


def _check_amount(
    amount: Decimal, remaining: list[Installment], principal: Decimal, min_payments: int
) -> None:
    if amount <= 0 or to_tiyn(amount) != amount:
        raise InvalidPrepayment(
            "The prepayment must be a positive amount in whole tiyn.",
            field="amount",
            code="invalid_amount",
        )
    minimum = sum((line.total for line in remaining[:min_payments]), ZERO)
    if amount < minimum:
        raise InvalidPrepayment(
            f"A partial prepayment must be at least {min_payments} scheduled payments: {minimum}.",
            field="amount",
            code="below_minimum_prepayment",
        )
    if amount >= principal:
        raise InvalidPrepayment(
            f"{amount} covers the outstanding principal {principal}: that is a full "
            "prepayment, closed by paying the payoff amount.",
            field="amount",
            code="full_prepayment",
        )


def _no_payment_grows(new: Schedule, old: Schedule, remaining: list[Installment]) -> bool:
    """No new instalment above the largest remaining old one, no level above the old level."""
    if max(line.total for line in new.installments) > max(line.total for line in remaining):
        return False
    for new_level, old_level in (
        (new.payment, old.payment),
        (new.principal_part, old.principal_part),
    ):
        if new_level is not None and old_level is not None and new_level > old_level:
            return False
    return True


def _rebuild(
    schedule: Schedule,
    mode: PrepaymentMode,
    on: date,
    principal: Decimal,
    remaining: list[Installment],
    settled: list[Installment],
    level: Decimal | None = None,
) -> Schedule:
    method = schedule.method
    if mode is PrepaymentMode.SHORTEN_TERM and method in (Method.INTEREST_ONLY, Method.CUSTOM):
        raise InvalidPrepayment(
            "This schedule has no level payment to keep; rebuild it with a smaller payment.",
            field="mode",
            code="mode_not_available",
        )
    shorten = mode is PrepaymentMode.SHORTEN_TERM
    return schedule_over(
        amount=principal,
        start_date=on,
        due=[line.due_date for line in remaining],
        annual_rate=schedule.annual_rate,
        day_count=schedule.day_count,
        method=method,
        grace_months=max(0, schedule.grace_months - len(settled)),
        payment_multiple=schedule.payment_multiple,
        principal_parts=_scaled_parts(remaining, principal) if method is Method.CUSTOM else (),
        level=(schedule.payment or schedule.principal_part) if shorten else level,
        stop_when_repaid=shorten,
    )


def _scaled_parts(remaining: list[Installment], principal: Decimal) -> list[Decimal]:
    """A custom schedule keeps its shape: each remaining part shrinks in proportion."""
    before = sum((line.principal for line in remaining), ZERO)
    parts = [to_tiyn(line.principal * principal / before) for line in remaining[:-1]]
    last = principal - sum(parts, ZERO)
    if last <= 0:
        raise InvalidPrepayment(
            "This custom schedule cannot be scaled down; agree a new schedule instead.",
            field="mode",
            code="custom_not_scalable",
        )
    return [*parts, last]
