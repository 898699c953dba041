"""CSRF: no page view is exempt, every POST form carries the token, a real state-changing POST
without it is refused and writes nothing; the API enforces CSRF on browser sessions (DRF's
SessionAuthentication) but not on token calls, which no browser sends by itself."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from applications import committee
from applications.models import Applicant, Vote
from core.models import AuditEvent
from core.roles import Role
from loans import services as loan_services
from loans.models import Loan, Payment

ROOT = Path(__file__).resolve().parents[2]


def all_views() -> list[tuple[str, object]]:
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append((prefix + str(pattern.pattern), pattern.callback))

    walk(get_resolver().url_patterns, "")
    return found


def _drf_view(callback) -> type[APIView] | None:
    cls = getattr(callback, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def test_no_page_view_is_csrf_exempt():
    views = all_views()
    pages = [(route, view) for route, view in views if _drf_view(view) is None]
    assert len(pages) > 100  # the walk reached every app's pages and the admin
    assert [route for route, view in pages if getattr(view, "csrf_exempt", False)] == []


def test_every_api_view_authenticates_only_by_token_or_by_a_csrf_checked_session():
    """DRF marks its views csrf_exempt and checks CSRF itself in SessionAuthentication."""
    api = [(route, _drf_view(view)) for route, view in all_views() if _drf_view(view)]
    assert len(api) > 50
    for route, cls in api:
        for authentication in cls.authentication_classes:
            assert issubclass(authentication, SessionAuthentication | TokenAuthentication), route
            if issubclass(authentication, SessionAuthentication):
                assert authentication.enforce_csrf is SessionAuthentication.enforce_csrf, route


FORM = re.compile(r"<form\b[^>]*>", re.I)


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    checked = 0
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for form in FORM.finditer(text):
            if not re.search(r"method\s*=\s*[\"']?post", form.group(0), re.I):
                continue
            end = text.find("</form>", form.end())
            body = text[form.end() : end if end != -1 else len(text)]
            assert "{% csrf_token %}" in body, f"{path.relative_to(ROOT)}: {form.group(0)}"
            checked += 1
    assert checked > 40


# --- real POSTs without the token -----------------------------------------------------------


def assert_csrf_refused(response) -> None:
    assert response.status_code == 403
    assert b"CSRF" in response.content


@pytest.fixture
def strict() -> Client:
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_login_without_the_token_is_refused_and_opens_no_session(strict, make_user):
    user = make_user(Role.ACCOUNTANT)
    response = strict.post(
        "/accounts/login/", {"username": user.username, "password": "pw-Secret-123"}
    )
    assert_csrf_refused(response)
    assert "sessionid" not in response.cookies
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    # the same login with the token from the form works: the refusal was the missing token
    strict.get("/accounts/login/")
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        "/accounts/login/",
        {"username": user.username, "password": "pw-Secret-123", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_payment_posting_without_the_token_is_refused(strict, active_loan, accountant):
    loan = active_loan(on=timezone.localdate())
    strict.force_login(accountant)
    response = strict.post(
        f"/loans/{loan.pk}/payments/new/",
        {
            "amount": "50000",
            "value_date": timezone.localdate().isoformat(),
            "channel": "cash",
            "reference": "PKO-1",
            "payer": "IE Seitkali",
        },
    )
    assert_csrf_refused(response)
    assert not Payment.objects.filter(loan=loan).exists()


@pytest.mark.django_db
def test_disbursement_without_the_token_is_refused(strict, accepted, officer, accountant):
    today = timezone.localdate()
    loan = loan_services.contract_create(
        application_id=accepted().pk,
        planned_disbursement_date=today,
        payout_account="KZ86125KZT5004100100",
        payout_account_source="borrower_file",
        by=officer,
    )
    loan_services.contract_sign(loan_id=loan.pk, signed_on=today, by=officer)
    strict.force_login(accountant)
    response = strict.post(
        f"/loans/{loan.pk}/disburse/",
        {"on": today.isoformat(), "channel": "account", "payee_account": "KZ86125KZT5004100100"},
    )
    assert_csrf_refused(response)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SIGNED
    assert loan.disbursed_on is None


@pytest.mark.django_db
def test_a_committee_vote_without_the_token_is_refused(strict, at_committee, make_user):
    members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    item = committee.agenda_add(
        meeting_id=meeting.pk, application_id=at_committee().pk, by=members[0]
    )
    strict.force_login(members[1])
    response = strict.post(f"/committee/items/{item.pk}/vote/", {"choice": "for", "comment": ""})
    assert_csrf_refused(response)
    assert not Vote.objects.filter(item=item).exists()


# --- the API --------------------------------------------------------------------------------

APPLICANT = {
    "kind": "individual_entrepreneur",
    "iin": "900101300017",
    "name": "IE Seitkali Nurlan",
    "region": "almaty_city",
    "phone": "+77015551234",
    "monthly_income": "900000",
    "existing_monthly_payments": "0",
    "activity_code": "47.11",
}


@pytest.mark.django_db
def test_a_session_authenticated_api_post_needs_the_csrf_token(make_user):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(make_user(Role.CREDIT_ADMINISTRATOR))
    response = browser.post("/api/v1/applicants/", APPLICANT, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Applicant.objects.exists()

    browser.get("/accounts/password/")  # any page with a form sets the cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/applicants/", APPLICANT, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_a_token_authenticated_api_post_is_not_subject_to_csrf(make_user):
    token = Token.objects.create(user=make_user(Role.BRANCH_SYSTEM))
    branch = APIClient(enforce_csrf_checks=True)
    branch.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = branch.post("/api/v1/applicants/", APPLICANT, format="json")
    assert response.status_code == 201, response.json()
    assert Applicant.objects.get().monthly_income == Decimal("900000")
