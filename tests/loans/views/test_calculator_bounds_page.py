"""The calculator page refuses, beside the field, what the API refuses: a loan ending after the
calendar and a rate above the caps in force; a legal short loan at 105 % is computed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db

SHORT_LOAN = {
    "amount": "100000",
    "annual_rate": "105",
    "term_months": "1",
    "day_count": "actual/365",
    "disbursement_date": "2026-02-15",
}


@pytest.fixture
def page(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return lambda **terms: client.get(reverse("calculator"), {**SHORT_LOAN, **terms})


def field_error(html: str, field: str) -> str:
    found = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    assert found, f"no error beside {field}"
    return found.group(1)


def test_a_loan_ending_after_the_calendar_is_refused_beside_the_date(page):
    response = page(disbursement_date="9950-06-01", term_months="600", annual_rate="12")
    assert response.status_code == 400
    html = response.content.decode()
    assert "9999-12-31" in field_error(html, "disbursement_date")
    assert "data-gesv" not in html


def test_a_short_small_loan_at_105_percent_is_computed(page):
    response = page()
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-error-for" not in html
    assert re.findall(r"data-gesv>([^<]*)<", html) == ["174.5 %", "174.5 %"]  # both methods


def test_a_long_loan_at_105_percent_is_refused_beside_the_rate(page):
    response = page(term_months="12")
    assert response.status_code == 400
    assert "46 %" in field_error(response.content.decode(), "annual_rate")


def test_the_draft_schedule_pdf_of_the_short_loan_is_printed(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    response = client.get(reverse("calculator-pdf", args=["annuity", "ru"]), SHORT_LOAN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_pdf_of_terms_the_page_refuses_is_a_400_naming_the_field(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    far = {**SHORT_LOAN, "disbursement_date": "9950-06-01", "term_months": "600"}
    response = client.get(reverse("calculator-pdf", args=["annuity", "ru"]), far)
    assert response.status_code == 400
    assert response.content.decode().startswith("disbursement_date: A loan disbursed on 9950-06-01")
    long_loan = client.get(
        reverse("calculator-pdf", args=["annuity", "ru"]), {**SHORT_LOAN, "term_months": "12"}
    )
    assert long_loan.status_code == 400
    assert "annual_rate: The rate may not exceed 46 %" in long_loan.content.decode()
