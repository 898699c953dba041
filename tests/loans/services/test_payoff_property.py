"""Property: on any day, whatever was paid before, paying the quote closes the loan exactly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loans import services
from loans.models import Loan
from loans.selectors import current_installments, loan_position

ON = date(2026, 3, 2)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # up to 1,500,000: above it a 6-month loan breaks the test applicant's debt-burden limit
    amount=st.integers(300, 1500).map(lambda thousands: str(thousands * 1000)),
    term=st.sampled_from([6, 12, 24]),
    days=st.integers(1, 150),
    instalments_paid=st.integers(0, 4),
)
def test_paying_the_quote_closes_the_loan_to_the_tiyn(
    active_loan, pay, amount, term, days, instalments_paid
):
    loan = active_loan(on=ON, amount=amount, term=term)
    on = ON + timedelta(days=days)
    due = list(current_installments(loan).filter(due_date__lt=on))[:instalments_paid]
    for line in due:
        pay(loan, line.total, line.due_date)
    loan.refresh_from_db()
    if loan.status == Loan.Status.CLOSED:
        return  # a short loan fully paid already
    quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
    assert quote.total == quote.principal + quote.interest + quote.overdue + quote.penalties
    pay(loan, quote.to_pay, on)
    loan.refresh_from_db()
    position = loan_position(loan)
    assert loan.status == Loan.Status.CLOSED and loan.closed_on == on
    assert (position.principal, position.interest, position.penalty) == (0, 0, 0)
    assert position.held == Decimal(0)
