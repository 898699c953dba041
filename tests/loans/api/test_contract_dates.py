"""A contract whose schedule would run past 9999-12-31 is refused on the date the request gave,
by the API and by the page, and nothing is written (issue 15, item 7)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Branch
from core.roles import Role
from loans.models import Loan

pytestmark = pytest.mark.django_db

FAR = "9999-06-01"  # 12 monthly instalments from here end in 10000


def contract(**change) -> dict:
    return {
        "contract_date": timezone.localdate().isoformat(),
        "planned_disbursement_date": FAR,
        "payout_account": "KZ86125KZT5004100100",
        "payout_account_source": "borrower_file",
        **change,
    }


def test_the_api_refuses_a_schedule_past_the_calendar_naming_the_planned_date(api_as, accepted):
    application = accepted()
    api = api_as(Role.CREDIT_ADMINISTRATOR)
    response = api.post(
        "/api/v1/loans/",
        {"application": application.pk, **contract()},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "maturity_out_of_range"
    (message,) = body["errors"]["planned_disbursement_date"]
    assert list(body["errors"]) == ["planned_disbursement_date"]
    assert "9999-12-31" in message
    assert not Loan.objects.exists()


def test_the_page_shows_it_beside_the_planned_date(client_as, accepted):
    application = accepted()
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    response = client.post(
        reverse("servicing:contract-create", args=[application.pk]),
        contract(branch=Branch.objects.first().pk),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'data-error-for="planned_disbursement_date">([^<]*)<', html)
    assert error and "9999-12-31" in error.group(1)
    assert not Loan.objects.exists()
