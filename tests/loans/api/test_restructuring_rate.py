"""A change of terms may ask for any rate up to the loan's GESV cap, not up to a fixed 100 %
(issue 15, item 9): above the cap no schedule could be lawful, so it is refused at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from loans.models import Restructuring

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(active_loan):
    return active_loan(on=timezone.localdate() - timedelta(days=10))


@pytest.fixture
def api(api_as):
    api = api_as(Role.CREDIT_ADMINISTRATOR)
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return api


def ask(api, loan, rate: str):
    return api.post(
        f"/api/v1/loans/{loan.pk}/restructurings/",
        {
            "requested_on": timezone.localdate().isoformat(),
            "reason": "The borrower asks for a shorter, dearer loan.",
            "annual_rate": rate,
            "consent_to_higher_rate": True,
        },
        format="json",
    )


@pytest.mark.parametrize("above", ["0.000001", "1", "60"])
def test_a_rate_above_the_loans_gesv_cap_is_refused_naming_the_cap(api, loan, above):
    cap = f"{loan.gesv_cap.normalize():f}"
    response = ask(api, loan, str(loan.gesv_cap + type(loan.gesv_cap)(above)))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rate_above_cap"
    assert body["errors"] == {
        "annual_rate": [f"The rate may not exceed {cap} % a year, the loan's GESV cap."]
    }
    assert not Restructuring.objects.filter(loan=loan).exists()


def test_a_higher_rate_up_to_the_cap_is_registered(api, loan):
    response = ask(api, loan, str(loan.gesv_cap))
    assert response.status_code == 201, response.json()
