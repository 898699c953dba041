from __future__ import annotations

from decimal import Decimal

import pytest

from core.roles import Role
from lending.models import Product
from shell.demo import seed_products

pytestmark = pytest.mark.django_db

SCHEDULE_URL = "/api/v1/calculator/schedule/"
GESV_URL = "/api/v1/calculator/gesv/"

DIFFERENTIATED_5000 = {
    "amount": "5000",
    "annual_rate": "12",
    "term_months": 18,
    "method": "differentiated",
    "day_count": "30/360",
    "disbursement_date": "2022-11-01",
}


@pytest.fixture
def api(api_as):
    return api_as(Role.BRANCH_SYSTEM)


def test_published_differentiated_schedule(api):
    response = api.post(SCHEDULE_URL, DIFFERENTIATED_5000, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    lines = body["installments"]
    assert len(lines) == 18
    assert [line["principal"] for line in lines] == ["277.78"] * 17 + ["277.74"]
    assert [line["interest"] for line in lines[:5]] == ["50.00", "47.22", "44.44", "41.67", "38.89"]
    assert lines[-1]["interest"] == "2.78"
    assert lines[-1]["balance"] == "0.00"
    assert lines[0]["due_date"] == "2022-12-01"
    assert body["totals"] == {"principal": "5000.00", "interest": "475.00", "payments": "5475.00"}
    assert set(lines[0]) == {"number", "due_date", "principal", "interest", "total", "balance"}


def test_published_annuity_schedule(api):
    response = api.post(
        SCHEDULE_URL,
        {
            "amount": "100.00",
            "annual_rate": "9.4822",
            "term_months": 6,
            "method": "annuity",
            "day_count": "30/360",
            "disbursement_date": "2024-01-01",
        },
        format="json",
    )
    lines = response.json()["installments"]
    assert [line["total"] for line in lines[:5]] == ["17.13"] * 5
    assert [line["interest"] for line in lines] == ["0.79", "0.66", "0.53", "0.40", "0.27", "0.13"]
    assert lines[-1]["principal"] == "17.00"


def test_gesv_and_cap_in_force_on_the_disbursement_date(api):
    body = api.post(SCHEDULE_URL, DIFFERENTIATED_5000, format="json").json()
    assert body["gesv"] == "12.7"
    assert body["gesv_cap"] == "56"  # 2022: the cap before 2025-01-01
    assert body["gesv_within_cap"] is True
    assert body["limit_violations"] == []

    later = {**DIFFERENTIATED_5000, "disbursement_date": "2026-11-30", "annual_rate": "45"}
    body = api.post(SCHEDULE_URL, later, format="json").json()
    assert body["gesv_cap"] == "46"
    assert body["gesv_within_cap"] is False
    assert [v["code"] for v in body["limit_violations"]] == ["gesv_above_cap"]


def test_a_fee_is_counted_in_the_gesv(api):
    without = api.post(SCHEDULE_URL, DIFFERENTIATED_5000, format="json").json()["gesv"]
    with_fee = {**DIFFERENTIATED_5000, "fees": [{"date": "2022-11-01", "amount": "100.00"}]}
    body = api.post(SCHEDULE_URL, with_fee, format="json").json()
    assert Decimal(body["gesv"]) > Decimal(without)


def test_product_limits_are_enforced_and_reported(api):
    seed_products()
    product = Product.objects.get(code="almaty-secured")
    response = api.post(
        SCHEDULE_URL,
        {
            **DIFFERENTIATED_5000,
            "product": product.pk,
            "disbursement_date": "2026-11-30",
        },
        format="json",
    )
    assert response.status_code == 200
    codes = {v["field"]: v["code"] for v in response.json()["limit_violations"]}
    assert codes == {
        "amount": "amount_out_of_range",  # 500,000 minimum
        "annual_rate": "rate_out_of_range",  # 2–6 %
        "day_count": "day_count_differs",  # actual/360
    }


def test_max_amount_in_mrp_uses_the_year_mrp(api):
    seed_products()
    product = Product.objects.get(code="almaty-secured")
    terms = {
        "amount": "86500000.00",  # 20,000 MRP of 2026 exactly
        "annual_rate": "6",
        "term_months": 36,
        "method": "annuity",
        "day_count": "actual/360",
        "disbursement_date": "2026-11-30",
        "product": product.pk,
    }
    assert api.post(SCHEDULE_URL, terms, format="json").json()["limit_violations"] == []
    over = {**terms, "disbursement_date": "2025-11-30"}  # 20,000 × 3,932 = 78,640,000
    codes = [
        v["code"] for v in api.post(SCHEDULE_URL, over, format="json").json()["limit_violations"]
    ]
    assert codes == ["amount_out_of_range"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"annual_rate": "100.01"}, "annual_rate"),
        ({"method": "balloon"}, "method"),
        ({"day_count": "actual/366"}, "day_count"),
        ({"term_months": 0}, "term_months"),
        ({"disbursement_date": "2022-13-01"}, "disbursement_date"),
        ({"disbursement_date": "01.11.2022"}, "disbursement_date"),
        ({"first_payment_date": "2022-12-17"}, "first_payment_date"),  # 46 days after
        ({"first_payment_date": "2022-11-01"}, "first_payment_date"),  # not after
        ({"grace_months": 18}, "grace_months"),
        ({"fees": [{"date": "2022-11-01", "amount": "-1"}]}, "fees.0.amount"),
        ({"fees": [{"date": "2022-10-31", "amount": "10"}]}, "fees.0.date"),
        ({"product": 999999}, "product"),
    ],
)
def test_bad_input_gets_400_naming_the_field(api, change, field):
    response = api.post(SCHEDULE_URL, {**DIFFERENTIATED_5000, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_missing_fields_are_each_named(api):
    response = api.post(SCHEDULE_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {
        "amount",
        "annual_rate",
        "term_months",
        "method",
        "day_count",
        "disbursement_date",
    }


def test_first_payment_exactly_45_days_after_is_accepted(api):
    response = api.post(
        SCHEDULE_URL, {**DIFFERENTIATED_5000, "first_payment_date": "2022-12-16"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["installments"][0]["due_date"] == "2022-12-16"


def test_calculator_needs_authentication(api_client):
    assert api_client.post(SCHEDULE_URL, DIFFERENTIATED_5000, format="json").status_code == 401


@pytest.mark.parametrize(
    ("payments", "expected"),
    [
        ([{"date": "2026-01-31", "amount": "110000"}], "218.9"),
        ([{"date": "2027-01-01", "amount": "105000"}], "5.0"),
    ],
)
def test_gesv_api_worked_values(api, payments, expected):
    response = api.post(
        GESV_URL,
        {"payouts": [{"date": "2026-01-01", "amount": "100000"}], "payments": payments},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"gesv": expected}


def test_gesv_api_refuses_empty_lists(api):
    response = api.post(GESV_URL, {"payouts": [], "payments": []}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"payouts", "payments"}
