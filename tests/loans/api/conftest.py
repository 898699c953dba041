from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

LOANS = "/api/v1/loans/"
DAY_CLOSES = "/api/v1/day-closes/"
# Disbursed 40 days ago: the first instalment fell due about ten days ago and is late today.
DISBURSED_DAYS_AGO = 40


def url(loan_id: int, action: str = "") -> str:
    return f"{LOANS}{loan_id}/" + (f"{action}/" if action else "")


def refused(response, status: int, field: str, code: str | None = None) -> str:
    """The one message of a refusal, after checking its status, body and field."""
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert list(body["errors"]) == [field], body
    if code:
        assert body["code"] == code
    (message,) = body["errors"][field]
    return message


@pytest.fixture(autouse=True)
def _english_requests(api_client):
    """Requests pick their language; these tests read the messages in English."""
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def late_loan(active_loan):
    """1,000,000 KZT for 12 months at 12 %, disbursed 40 days ago: one instalment due."""
    return active_loan(on=timezone.localdate() - timedelta(days=DISBURSED_DAYS_AGO))
