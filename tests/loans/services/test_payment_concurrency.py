"""Payments racing on one loan: one posting per idempotency key, and no lost update."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from loans import services
from loans.models import LedgerEntry, Payment
from loans.selectors import current_installments, loan_position

ON = date(2026, 3, 2)
DUE = date(2026, 4, 2)


def _race(*calls) -> list:
    """Run the calls at the same moment in threads (each with its own connection)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _post(loan, accountant, amount, key=None):
    return lambda: services.payment_post(
        loan_id=loan.pk,
        amount=amount,
        value_date=DUE,
        channel="bank_transfer",
        by=accountant,
        idempotency_key=key,
        fingerprint=f"{amount}" if key else "",
        today=DUE,
    )


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_idempotency_key_post_once(reference_data, active_loan, accountant):
    loan = active_loan(on=ON)
    results = _race(*[_post(loan, accountant, Decimal("20000.00"), key="bank-77")] * 2)
    payments = [payment for payment, _created in results]
    assert payments[0].pk == payments[1].pk
    assert sorted(created for _payment, created in results) == [False, True]
    assert Payment.objects.count() == 1
    received = LedgerEntry.objects.filter(kind="repayment")
    assert sum(entry.amount for entry in received) == Decimal("-20000.00")


@pytest.mark.django_db(transaction=True)
def test_two_different_payments_at_once_are_both_applied_exactly(
    reference_data, active_loan, accountant
):
    loan = active_loan(on=ON)
    first = current_installments(loan).first()
    results = _race(
        _post(loan, accountant, Decimal("30000.00")),
        _post(loan, accountant, Decimal("70000.00")),
    )
    assert all(isinstance(result, tuple) for result in results), results
    position = loan_position(loan)
    # Together they paid the first instalment and 11,151.21 is held for the next.
    assert position.principal == loan.amount - first.principal
    assert position.interest == 0
    assert position.held == Decimal("100000.00") - first.total
