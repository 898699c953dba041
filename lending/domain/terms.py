"""What a schedule is built from, and the rules those terms must meet (DOMAIN.md §5, §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.errors import DateOutOfRange
from core.money import TIYN, to_tiyn
from lending.domain.dates import add_months
from lending.domain.daycount import DayCount
from lending.domain.errors import InvalidLoanTerms

MAX_DAYS_TO_FIRST_PAYMENT = 45  # seed 004 ch.7 §1 p.4
# No upper bound on the rate here: the highest lawful rate is a regulatory number of the
# date and the loan's class (``lending.calculator.check_rate``), not a constant.


class Method(StrEnum):
    ANNUITY = "annuity"
    DIFFERENTIATED = "differentiated"
    INTEREST_ONLY = "interest_only"  # principal in one balloon at the last instalment
    CUSTOM = "custom"  # principal parts agreed by the committee (seasonal and the like)


@dataclass(frozen=True)
class LoanTerms:
    amount: Decimal
    annual_rate: Decimal  # percent a year: Decimal("12") is 12 %
    term_months: int  # number of monthly instalments
    method: Method
    day_count: DayCount
    disbursement_date: date
    first_payment_date: date | None = None  # default: one month after disbursement
    grace_months: int = 0  # first instalments that pay interest only
    payment_multiple: Decimal = TIYN  # e.g. Decimal("1"): payments in whole tenge
    custom_principal_parts: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        # Accept the plain strings, ints and lists a form or serializer hands over.
        object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "day_count", DayCount(self.day_count))
        for name in ("amount", "annual_rate", "payment_multiple"):
            object.__setattr__(self, name, _decimal(getattr(self, name)))
        parts = tuple(_decimal(part) for part in self.custom_principal_parts)
        object.__setattr__(self, "custom_principal_parts", parts)


def _decimal(value: Decimal | int) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"money and rates must be Decimal, never {type(value).__name__}")


def validate_terms(terms: LoanTerms) -> None:
    """Raise ``InvalidLoanTerms`` for the first rule the terms break."""
    if terms.amount <= 0 or to_tiyn(terms.amount) != terms.amount:
        raise _error("amount", "The amount must be positive, in whole tiyn.", "invalid_amount")
    if terms.annual_rate < 0:
        raise _error("annual_rate", "The rate cannot be negative.", "invalid_rate")
    if terms.term_months < 1:
        raise _error("term_months", "The term must be at least one month.", "invalid_term")
    if not 0 <= terms.grace_months < terms.term_months:
        raise _error(
            "grace_months",
            "The grace period must be shorter than the term.",
            "grace_not_shorter_than_term",
        )
    if terms.payment_multiple <= 0 or to_tiyn(terms.payment_multiple) != terms.payment_multiple:
        raise _error(
            "payment_multiple",
            "The payment multiple must be a positive amount in whole tiyn.",
            "invalid_payment_multiple",
        )
    _validate_first_payment(terms)
    _validate_maturity(terms)
    _validate_custom_parts(terms)


def _validate_first_payment(terms: LoanTerms) -> None:
    if terms.first_payment_date is None:
        return  # one month later is never more than 31 days
    days = (terms.first_payment_date - terms.disbursement_date).days
    if days < 1:
        raise _error(
            "first_payment_date",
            "The first payment must fall after the disbursement date.",
            "first_payment_not_after_disbursement",
        )
    if days > MAX_DAYS_TO_FIRST_PAYMENT:
        raise _error(
            "first_payment_date",
            f"The first payment must be no later than {MAX_DAYS_TO_FIRST_PAYMENT} days after "
            f"disbursement; this one is {days} days after.",
            "first_payment_too_late",
        )


def _validate_maturity(terms: LoanTerms) -> None:
    """The last due date must exist: 9950-06-01 plus 600 months is no date at all."""
    try:
        first_due = terms.first_payment_date or add_months(terms.disbursement_date, 1)
        add_months(first_due, terms.term_months - 1)
    except DateOutOfRange:
        raise _error(
            "disbursement_date",
            f"A loan disbursed on {terms.disbursement_date.isoformat()} for "
            f"{terms.term_months} months would end after 9999-12-31; check the date and the term.",
            "maturity_out_of_range",
        ) from None


def _validate_custom_parts(terms: LoanTerms) -> None:
    parts = terms.custom_principal_parts
    if terms.method is not Method.CUSTOM:
        if parts:
            raise _error(
                "custom_principal_parts",
                "Principal parts are given only for a custom schedule.",
                "parts_without_custom_method",
            )
        return
    if terms.grace_months:
        raise _error(
            "grace_months",
            "A custom schedule sets its principal parts itself; leave the grace period at 0.",
            "grace_with_custom_parts",
        )
    if len(parts) != terms.term_months:
        raise _error(
            "custom_principal_parts",
            f"Give one principal part per instalment: {terms.term_months}, not {len(parts)}.",
            "parts_count_mismatch",
        )
    if any(part < 0 or to_tiyn(part) != part for part in parts):
        raise _error(
            "custom_principal_parts",
            "Each principal part must be zero or positive, in whole tiyn.",
            "invalid_part",
        )
    if sum(parts) != terms.amount:
        raise _error(
            "custom_principal_parts",
            f"The principal parts add up to {sum(parts)}, not to the amount {terms.amount}.",
            "parts_sum_mismatch",
        )
    if parts[-1] == 0:
        raise _error(
            "custom_principal_parts",
            "The last instalment must repay principal; the loan ends with it.",
            "last_part_zero",
        )


def _error(field: str, message: str, code: str) -> InvalidLoanTerms:
    return InvalidLoanTerms(message, field=field, code=code)
