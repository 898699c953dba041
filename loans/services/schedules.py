"""Storing a schedule version as instalment rows, with grace dates and cumulative totals."""

from __future__ import annotations

from core.money import ZERO
from core.selectors import business_calendar
from loans.domain.dates import roll_to_business_day
from loans.domain.schedule import LoanTerms, Schedule, build_schedule
from loans.models import Installment, Loan


def loan_terms(loan: Loan, *, disbursement_date) -> LoanTerms:
    return LoanTerms(
        amount=loan.amount,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        method=loan.method,
        day_count=loan.day_count,
        disbursement_date=disbursement_date,
        grace_months=loan.grace_months,
        payment_multiple=loan.payment_multiple,
    )


def loan_schedule(loan: Loan, *, disbursement_date) -> Schedule:
    return build_schedule(loan_terms(loan, disbursement_date=disbursement_date))


def schedule_store(loan: Loan, schedule: Schedule, *, version: int) -> list[Installment]:
    """Write ``schedule`` as version ``version`` of the loan's instalments."""
    last = schedule.installments[-1].due_date
    calendar = business_calendar(years=range(schedule.start_date.year, last.year + 2))
    rows, principal, interest = [], ZERO, ZERO
    for line in schedule.installments:
        principal += line.principal
        interest += line.interest
        rows.append(
            Installment(
                loan=loan,
                version=version,
                number=line.number,
                due_date=line.due_date,
                grace_date=roll_to_business_day(line.due_date, calendar.is_business_day),
                days=line.days,
                principal=line.principal,
                interest=line.interest,
                total=line.total,
                balance=line.balance,
                cumulative_principal=principal,
                cumulative_interest=interest,
            )
        )
    return Installment.objects.bulk_create(rows)
