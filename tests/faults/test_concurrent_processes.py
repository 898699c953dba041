"""Repayments, disbursements and API replays racing on one loan from several OS processes.

Each call runs in its own process with its own connection (tests/faults/child.py), released at
the same moment: the row lock on the loan must order them, so no update is lost, a loan is
paid out once and an idempotency key posts one payment.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.models import AuditEvent
from core.roles import Role
from loans import services
from loans.models import Installment, LedgerEntry, Loan, Payment
from loans.selectors import loan_position

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ON = date(2026, 3, 2)
DUE = date(2026, 4, 2)
AMOUNTS = ["30000.00", "70000.00", "12345.67"]


def _balances(loan: Loan) -> dict:
    position = loan_position(loan)
    ledger = dict(
        LedgerEntry.objects.filter(loan=loan)
        .values_list("component")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    states = Counter(Installment.objects.filter(loan=loan).values_list("version", "status"))
    return {
        "principal": position.principal,
        "interest": position.interest,
        "penalty": position.penalty,
        "held": position.held,
        "ledger": ledger,
        "installments": states,
    }


def test_repayments_from_several_processes_are_each_recorded_once_and_all_count(
    reference_data, active_loan, accountant, race
):
    loan, twin = active_loan(on=ON), active_loan(on=ON)  # the same terms, the same day

    answers = race(
        [
            (
                "pay",
                {
                    "loan_id": loan.pk,
                    "amount": a,
                    "value_date": DUE.isoformat(),
                    "user_id": accountant.pk,
                },
            )
            for a in AMOUNTS
        ]
    )

    assert all(answer.get("created") for answer in answers), answers
    assert len({answer["payment"] for answer in answers}) == len(AMOUNTS)
    payments = Payment.objects.filter(loan=loan)
    assert sorted(str(p.amount) for p in payments) == sorted(AMOUNTS)
    for payment in payments:  # every payment's money went somewhere, once
        assert payment.entries.aggregate(total=Sum("amount"))["total"] == -payment.amount
    received = LedgerEntry.objects.filter(loan=loan, kind="repayment").aggregate(t=Sum("amount"))
    assert received["t"] == -sum(Decimal(a) for a in AMOUNTS)

    # the same payments one after the other on the twin loan: the same balances, to the tiyn
    for amount in AMOUNTS:
        services.payment_post(
            loan_id=twin.pk,
            amount=Decimal(amount),
            value_date=DUE,
            channel="bank_transfer",
            by=accountant,
            today=DUE,
        )
    assert _balances(loan) == _balances(twin)
    assert _balances(loan)["held"] > 0  # more than the first instalment: the rest is held


@pytest.fixture
def signed_loan(accepted, officer):
    application = accepted()
    loan = services.contract_create(
        application_id=application.pk,
        planned_disbursement_date=ON,
        contract_date=ON - timedelta(days=1),
        payout_account="KZ86125KZT5004100100",
        payout_account_source="borrower_file",
        by=officer,
    )
    return services.contract_sign(loan_id=loan.pk, signed_on=ON - timedelta(days=1), by=officer)


def test_a_loan_disbursed_from_several_processes_at_once_is_paid_out_once(
    reference_data, signed_loan, accountant, race
):
    processes = 3
    answers = race(
        [("disburse", {"loan_id": signed_loan.pk, "on": ON.isoformat(), "user_id": accountant.pk})]
        * processes
    )

    assert [a for a in answers if "disbursed" in a] == [{"disbursed": signed_loan.pk}]
    assert [a for a in answers if "error" in a] == [{"error": "not_signed", "status": 409}] * (
        processes - 1
    )
    signed_loan.refresh_from_db()
    assert signed_loan.status == Loan.Status.ACTIVE
    paid_out = LedgerEntry.objects.filter(loan=signed_loan, kind="disbursement")
    assert list(paid_out.values_list("amount", flat=True)) == [signed_loan.amount]
    assert AuditEvent.objects.filter(action="loan.disbursed").count() == 1
    assert (
        Installment.objects.filter(loan=signed_loan, version=1).count() == signed_loan.term_months
    )


def test_an_api_payment_replayed_from_several_processes_posts_once(
    reference_data, active_loan, make_user, race, api_client
):
    loan = active_loan(on=timezone.localdate() - timedelta(days=40))
    branch = make_user(Role.BRANCH_SYSTEM, username="branch.api")
    token = Token.objects.create(user=branch).key
    path = f"/api/v1/loans/{loan.pk}/payments/"
    key = "branch-7/receipt-0042"
    same = {"amount": "50000.00", "value_date": timezone.localdate().isoformat(), "channel": "cash"}
    other = {**same, "amount": "50000.01"}  # the same key for a different payment
    bodies = [same, same, other]

    answers = race(
        [("api_pay", {"path": path, "body": b, "key": key, "token": token}) for b in bodies]
    )

    (payment,) = Payment.objects.filter(loan=loan)
    assert payment.idempotency_key == key
    winner = f"{payment.amount:.2f}"
    posted = [a for a in answers if a["status"] == 201]
    replayed = [a for a in answers if a["status"] == 200]
    refused = [a for a in answers if a["status"] == 409]
    assert len(posted) == 1, answers
    assert posted[0]["body"]["id"] == payment.pk
    assert posted[0]["body"]["amount"] == winner
    # every request with the winner's body got the first answer again, marked as a replay
    assert len(replayed) == sum(b["amount"] == winner for b in bodies) - 1
    assert all(a["body"] == posted[0]["body"] and a["replayed"] == "true" for a in replayed)
    # every request with the other body was refused, naming the key
    assert len(refused) == sum(b["amount"] != winner for b in bodies)
    for answer in refused:
        assert answer["body"]["code"] == "idempotency_key_reused"
        assert list(answer["body"]["errors"]) == ["idempotency_key"]
    # the branch system sends it once more later (a webhook retried): the same answer again
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    again = api_client.post(
        path, {**same, "amount": winner}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert again.status_code == 200
    assert again.json() == posted[0]["body"]
    repayment = LedgerEntry.objects.filter(loan=loan, kind="repayment").aggregate(t=Sum("amount"))
    assert repayment["t"] == -payment.amount
    assert Payment.objects.count() == 1
    assert AuditEvent.objects.filter(action="loan.payment_posted").count() == 1
