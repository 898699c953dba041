"""A branch system's token registers applicants and posts payments, nothing more: it cannot
vote, decide, approve, disburse or write off, through the API or the pages, and a branch-system
account cannot open a browser session at all."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications import committee
from applications.models import Stage, Vote
from core.models import AuditEvent
from core.roles import Role
from loans import services as loan_services
from loans.models import Loan

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"


@pytest.fixture
def branch_user(make_user):
    # the head office's integration, which reaches every branch: what it still may not do is
    # the role's limit, not the branch's (scoping: test_branch_scope.py)
    return make_user(
        Role.BRANCH_SYSTEM, username="branch-almaty", password=PASSWORD, all_branches=True
    )


@pytest.fixture
def branch(branch_user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=branch_user).key}")
    return client


@pytest.fixture
def signed(accepted, officer) -> Loan:
    today = timezone.localdate()
    loan = loan_services.contract_create(
        application_id=accepted().pk,
        planned_disbursement_date=today,
        payout_account="KZ86125KZT5004100100",
        payout_account_source="borrower_file",
        by=officer,
    )
    return loan_services.contract_sign(loan_id=loan.pk, signed_on=today, by=officer)


@pytest.fixture
def agenda_item(at_committee, make_user):
    members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    return committee.agenda_add(
        meeting_id=meeting.pk, application_id=at_committee().pk, by=members[0]
    )


def test_the_token_works_for_what_a_branch_system_does(branch):
    assert branch.get("/api/v1/me/").status_code == 200  # so the 403s below are about the role


def test_the_token_cannot_disburse_and_nothing_moves(branch, signed):
    today = timezone.localdate().isoformat()
    response = branch.post(
        f"/api/v1/loans/{signed.pk}/disburse/",
        {"on": today, "channel": "account", "payee_account": "KZ86125KZT5004100100"},
        format="json",
    )
    assert response.status_code == 403
    signed.refresh_from_db()
    assert signed.status == Loan.Status.SIGNED
    assert not AuditEvent.objects.filter(action="loan.disbursed").exists()


@pytest.mark.parametrize(
    "action",
    [
        "sign/",
        "write-off/",
        "close/",
        "refunds/",
        "payments/1/reverse/",
        "restructurings/",
    ],
)
def test_the_token_cannot_change_a_loan_beyond_payments(branch, signed, action):
    response = branch.post(f"/api/v1/loans/{signed.pk}/{action}", {}, format="json")
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/restructurings/1/agenda/",  # putting a change of terms to the committee
        "/api/v1/restructurings/1/apply/",
        "/api/v1/prudential/k1-runs/",
        "/api/v1/prudential/action-plans/1/approve/",
    ],
)
def test_the_token_cannot_reach_the_committee_or_the_regulator_workflows(branch, path):
    assert branch.post(path, {}, format="json").status_code == 403


def test_the_token_cannot_approve_an_application_or_write_its_conclusions(branch, at_committee):
    application = at_committee()
    response = branch.post(
        f"/api/v1/applications/{application.pk}/advance/", {"to": "approved"}, format="json"
    )
    assert response.status_code == 409  # only the committee's decision approves
    response = branch.post(
        f"/api/v1/applications/{application.pk}/conclusions/",
        {"kind": "credit", "recommendation": "positive", "text": "Solvent."},
        format="json",
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.stage == Stage.COMMITTEE


def test_the_api_offers_no_vote_or_decision_to_anyone():
    """Votes and decisions are taken in the committee's pages only (with a session)."""
    from tests.security.test_csrf import all_views

    api_routes = [route for route, _ in all_views() if route.startswith("api/")]
    assert api_routes
    for word in ("vote", "decide", "meeting"):
        assert [route for route in api_routes if word in route] == []


def test_the_token_opens_no_page(branch, agenda_item, signed):
    """Pages authenticate by session only: the token header is ignored there."""
    response = branch.post(f"/committee/items/{agenda_item.pk}/vote/", {"choice": "for"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = branch.post(f"/loans/{signed.pk}/disburse/", {"on": "2026-01-01"})
    assert response.status_code == 302
    assert not Vote.objects.filter(item=agenda_item).exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/committee/items/{item}/vote/", {"choice": "for", "comment": ""}),
        ("/committee/items/{item}/decide/", {}),
        ("/loans/{loan}/disburse/", {"on": "2026-01-01", "channel": "account"}),
        ("/committee/meetings/new/", {}),
    ],
)
def test_even_a_session_of_a_branch_system_is_refused_on_the_committee_and_disbursement_pages(
    client, branch_user, agenda_item, signed, path, data
):
    client.force_login(branch_user)  # cannot happen through the login form (below)
    url = path.format(item=agenda_item.pk, loan=signed.pk)
    assert client.post(url, data).status_code == 403
    assert not Vote.objects.filter(item=agenda_item).exists()
    signed.refresh_from_db()
    assert signed.status == Loan.Status.SIGNED


def test_a_branch_system_account_cannot_log_in_to_the_pages_or_the_admin(client, branch_user):
    response = client.post(
        "/accounts/login/",
        {"username": branch_user.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "it may only use the API" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/admin/login/", {"username": branch_user.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again: not staff
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()
