"""The calculator API refuses what no loan can be, naming the field, and computes what the
regulation allows: dates that leave the calendar, and rates above the caps in force
(issue 15, items 7 and 9)."""

from __future__ import annotations

import pytest

from core.roles import Role

pytestmark = pytest.mark.django_db

SCHEDULE_URL = "/api/v1/calculator/schedule/"

# 100,000 KZT for one month at 105 %: a loan of at most 45 days and 45 MRP (4,325 KZT in 2026),
# whose GESV cap is 179 % and whose rate must stay under 0.3 % a day (DOMAIN.md §12).
SHORT_LOAN = {
    "amount": "100000",
    "annual_rate": "105",
    "term_months": 1,
    "method": "annuity",
    "day_count": "actual/365",
    "disbursement_date": "2026-02-15",  # due 2026-03-15: 28 days
}


@pytest.fixture
def api(api_as):
    api = api_as(Role.BRANCH_SYSTEM)
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return api


def refused(response, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert list(body["errors"]) == [field], body
    return body["errors"][field][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"disbursement_date": "9950-06-01", "term_months": 600}, "disbursement_date"),
        ({"disbursement_date": "9999-12-31", "term_months": 1}, "disbursement_date"),
        (
            {
                "disbursement_date": "9999-11-20",
                "first_payment_date": "9999-12-20",
                "term_months": 2,
            },
            "disbursement_date",
        ),
    ],
)
def test_a_loan_ending_after_the_calendar_is_a_400_naming_the_field(api, overrides, field):
    terms = {**SHORT_LOAN, "annual_rate": "12", **overrides}
    message = refused(api.post(SCHEDULE_URL, terms, format="json"), field)
    assert "9999-12-31" in message


def test_a_short_small_loan_at_105_percent_is_computed_under_its_own_cap(api):
    response = api.post(SCHEDULE_URL, SHORT_LOAN, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["installments"][0]["interest"] == "8054.79"  # 100,000 × 105 % × 28 / 365
    assert body["gesv"] == "174.5"
    assert body["gesv_cap"] == "179"
    assert body["gesv_within_cap"] is True
    assert body["limit_violations"] == []


def test_a_long_loan_at_105_percent_is_refused_naming_the_rate_and_the_cap(api):
    message = refused(
        api.post(SCHEDULE_URL, {**SHORT_LOAN, "term_months": 12}, format="json"), "annual_rate"
    )
    assert "46 %" in message  # the GESV cap of any other loan in 2026


def test_a_short_loan_above_the_general_cap_is_refused_too_when_it_is_not_small(api):
    # 45 MRP of 2026 is 194,625 KZT: one tenge more and the short-loan cap no longer applies
    response = api.post(SCHEDULE_URL, {**SHORT_LOAN, "amount": "194626"}, format="json")
    assert "46 %" in refused(response, "annual_rate")


def test_the_daily_cap_bounds_the_rate_of_a_short_loan(api):
    # under 0.3 % a day: under 109.5 % a year on 365 days, under 108 % on 360
    message = refused(
        api.post(SCHEDULE_URL, {**SHORT_LOAN, "annual_rate": "109.5"}, format="json"),
        "annual_rate",
    )
    assert "0.3 %" in message and "109.5 %" in message
    on_360 = {**SHORT_LOAN, "annual_rate": "108", "day_count": "actual/360"}
    assert "108 %" in refused(api.post(SCHEDULE_URL, on_360, format="json"), "annual_rate")
    below = api.post(SCHEDULE_URL, {**SHORT_LOAN, "annual_rate": "109.4"}, format="json")
    assert below.status_code == 200


def test_the_caps_are_those_in_force_on_the_disbursement_date(api):
    # before 2025 no short-loan cap was in force: every loan was capped at 56 %
    before = {**SHORT_LOAN, "disbursement_date": "2024-02-15"}
    assert "56 %" in refused(api.post(SCHEDULE_URL, before, format="json"), "annual_rate")
    at_cap = api.post(SCHEDULE_URL, {**before, "annual_rate": "56"}, format="json")
    assert at_cap.status_code == 200
    # a rate at the cap can still give a GESV above it: shown, not refused
    assert at_cap.json()["gesv_within_cap"] is False
