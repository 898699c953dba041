"""Money in a JSON body is never altered on the way in (issue 15, item 7).

Python's ``json`` reads a number as a float, so ``1234567890123456.78`` became
``1234567890123456.8`` before any field saw it. The API's JSON parser reads numbers as Decimal:
an amount written as a number or as a string arrives exactly, and a money field refuses more
than two decimals or more digits than it holds, naming the field. Nothing is rounded.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.roles import Role
from loans.models import Payment

pytestmark = pytest.mark.django_db

SCHEDULE_URL = "/api/v1/calculator/schedule/"
BIG = "1234567890123456.78"  # 18 digits: the most a money field holds


def post_raw(client, url: str, body: str):
    """The body exactly as written: a test client would re-encode a float on its own."""
    return client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def schedule_body(amount: str, **extra: str) -> str:
    terms = {
        "annual_rate": "12",
        "term_months": 1,
        "method": "annuity",
        "day_count": "30/360",
        "disbursement_date": "2026-02-02",
        **extra,
    }
    return json.dumps(terms)[:-1] + f', "amount": {amount}}}'


@pytest.fixture
def api(api_as):
    return api_as(Role.BRANCH_SYSTEM)


def test_a_big_amount_as_a_json_number_arrives_exactly(api):
    response = post_raw(api, SCHEDULE_URL, schedule_body(BIG))
    assert response.status_code == 200, response.json()
    assert response.json()["totals"]["principal"] == BIG  # not …456.80


def test_the_same_amount_as_a_string_arrives_exactly(api):
    response = post_raw(api, SCHEDULE_URL, schedule_body(f'"{BIG}"'))
    assert response.json()["totals"]["principal"] == BIG


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.005", "Ensure that there are no more than 2 decimal places."),
        ('"1.005"', "Ensure that there are no more than 2 decimal places."),
        ("123456789012345678.9", "Ensure that there are no more than 18 digits in total."),
        (
            "12345678901234567.8",
            "Ensure that there are no more than 16 digits before the decimal point.",
        ),
        ("1e400", "Ensure that there are no more than 18 digits in total."),
    ],
)
def test_an_amount_the_field_cannot_hold_is_refused_naming_it(api, amount, message):
    response = post_raw(api, SCHEDULE_URL, schedule_body(amount))
    assert response.status_code == 400
    assert response.json()["errors"] == {"amount": [message]}


def test_a_nested_amount_is_exact_and_checked_too(api):
    fee = '{"date": "2026-02-02", "amount": 1.005}'
    body = schedule_body("1000").replace('"amount": 1000', f'"amount": 1000, "fees": [{fee}]')
    response = post_raw(api, SCHEDULE_URL, body)
    assert response.json()["errors"] == {
        "fees.0.amount": ["Ensure that there are no more than 2 decimal places."]
    }


def test_a_stored_payment_keeps_every_tiyn_of_a_json_number(api_as, active_loan):
    loan = active_loan(on=timezone.localdate() - timedelta(days=5))
    client = api_as(Role.ACCOUNTANT)
    body = (
        f'{{"amount": {BIG}, "value_date": "{timezone.localdate().isoformat()}", '
        '"channel": "cash"}'
    )
    response = post_raw(client, f"/api/v1/loans/{loan.pk}/payments/", body)
    assert response.status_code == 201, response.json()
    assert Payment.objects.get(loan=loan).amount == Decimal(BIG)
    assert response.json()["amount"] == BIG


def test_numbers_for_other_fields_still_read_as_before(api):
    """An integer field takes ``1`` and ``1.0``; NaN and Infinity stay refused."""
    body = schedule_body("1000").replace('"term_months": 1', '"term_months": 1.0')
    assert post_raw(api, SCHEDULE_URL, body).status_code == 200
    refused = post_raw(api, SCHEDULE_URL, schedule_body("NaN"))
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": [refused.json()["detail"]]}
