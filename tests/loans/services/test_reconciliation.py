"""Whatever the payments, the ledger, the snapshots and the money received reconcile exactly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loans import services
from loans.models import LedgerEntry, LoanSnapshot
from loans.selectors import loan_position
from tests.transactions import rolled_back

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)
END = ON + timedelta(days=75)

payments = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=75),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("150000"), places=2),
    ),
    max_size=4,
)


def _sum(loan, **filters) -> Decimal:
    entries = LedgerEntry.objects.filter(loan=loan, **filters)
    return entries.aggregate(total=Sum("amount"))["total"] or Decimal("0")


@pytest.fixture
def loan(active_loan):
    return active_loan(on=ON)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(payments=payments)
def test_ledger_snapshots_and_money_received_reconcile(loan, accountant, payments):
    with rolled_back():
        for offset, amount in sorted(payments):
            services.payment_post(
                loan_id=loan.pk,
                amount=amount,
                value_date=ON + timedelta(days=offset),
                channel="cash",
                by=accountant,
                today=END,
            )
        services.close_day(on=END)
        position = loan_position(loan)
        snapshot = LoanSnapshot.objects.get(loan=loan, on=END)
        assert (snapshot.principal, snapshot.interest, snapshot.penalty, snapshot.held) == (
            position.principal,
            position.interest,
            position.penalty,
            position.held,
        )
        assert min(position.principal, position.interest, position.penalty, position.held) >= 0
        received = sum((amount for _offset, amount in payments), Decimal("0"))
        assert -_sum(loan, kind="repayment") == received
        # Every tiyn received repaid a debt or is still held: nothing created or lost.
        charged_interest = _sum(loan, component="interest", amount__gt=0)
        charged_penalty = _sum(loan, component="penalty", amount__gt=0)
        settled = (
            (loan.amount - position.principal)
            + (charged_interest - position.interest)
            + (charged_penalty - position.penalty)
        )
        assert settled + position.held == received
