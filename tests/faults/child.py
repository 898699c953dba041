"""One OS process of a race: ``python -m tests.faults.child <action> <json arguments>``.

Started by ``tests/faults/conftest.py`` with ``DATABASE_URL`` set to the test database. It sets
Django up, connects, prints ``ready`` and waits for a line on stdin, so that every process of a
race starts its call at the same moment; then it prints what it got as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from decimal import Decimal


def _user(pk: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def _refusal(error) -> dict:
    return {"error": error.code, "status": error.http_status}


def pay(loan_id: int, amount: str, value_date: str, user_id: int) -> dict:
    from core.errors import DomainError
    from loans import services

    try:
        payment, created = services.payment_post(
            loan_id=loan_id,
            amount=Decimal(amount),
            value_date=date.fromisoformat(value_date),
            channel="bank_transfer",
            by=_user(user_id),
            today=date.fromisoformat(value_date),
        )
    except DomainError as error:
        return _refusal(error)
    return {"payment": payment.pk, "created": created}


def disburse(loan_id: int, on: str, user_id: int) -> dict:
    from core.errors import DomainError
    from loans import services

    try:
        loan = services.loan_disburse(
            loan_id=loan_id,
            on=date.fromisoformat(on),
            channel="account",
            payee_account="KZ86125KZT5004100100",  # the contract's (signed_loan)
            by=_user(user_id),
            today=date.fromisoformat(on),
        )
    except DomainError as error:
        return _refusal(error)
    return {"disbursed": loan.pk}


def api_pay(path: str, body: dict, key: str, token: str) -> dict:
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    return {
        "status": response.status_code,
        "body": response.json(),
        "replayed": response.headers.get("Idempotent-Replayed"),
    }


def nightly(close_through: str, k1_through: str) -> dict:
    """The night's jobs run in this process, undisturbed (the reference for a killed worker)."""
    from loans.tasks import close_day_task
    from prudential.tasks import k1_nightly_task

    return {
        "close": close_day_task.apply(kwargs={"on": close_through}).get(),
        "k1": k1_nightly_task.apply(kwargs={"on": k1_through}).get(),
    }


ACTIONS = {"pay": pay, "disburse": disburse, "api_pay": api_pay, "nightly": nightly}


def main() -> None:
    action, arguments = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mfo.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.utils import translation

    translation.activate("en")
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    result = ACTIONS[action](**arguments)
    connection.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
