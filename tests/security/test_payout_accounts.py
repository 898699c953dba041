"""Payout accounts are verified (issue 15, item 3): the money goes to the account written in the
contract, checked when it was drawn; an account typed at disbursement or refund that is not a
valid Kazakhstan IBAN or card is refused naming the field, and any other account is paid only
after a second person approved it. The API and the pages alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Role
from loans import services
from loans.models import LedgerEntry, Loan, PayoutAccountChange, Refund
from tests.fixtures.lending import BORROWER_IBAN, CARD_MASKED, CARD_NUMBER, OTHER_IBAN

pytestmark = pytest.mark.django_db

LOANS = "/api/v1/loans/"
CHANGES = "/api/v1/payout-account-changes/"
# typed at disbursement and at refund by the hostile review, and paid out
BAD_ACCOUNTS = ["MY-OWN-CARD-4111", "KZ00125KZT5004100100"]
WRONG_ROLES = [Role.COLLECTOR, Role.RISK_MANAGER, Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM]


@pytest.fixture(autouse=True)
def _english(api_client, client):
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def signed(accepted, officer, today) -> Loan:
    loan = services.contract_create(
        application_id=accepted().pk,
        planned_disbursement_date=today,
        payout_account=BORROWER_IBAN,
        payout_account_source="borrower_file",
        by=officer,
    )
    return services.contract_sign(loan_id=loan.pk, signed_on=today, by=officer)


@pytest.fixture
def closed(active_loan, accountant, today) -> Loan:
    """Paid off today with 500 KZT too much, held for the borrower's refund."""
    loan = active_loan(on=today.replace(day=1))
    quote = services.payoff_quote_on(loan_id=loan.pk, on=today)
    services.payment_post(
        loan_id=loan.pk,
        amount=quote.to_pay + Decimal("500"),
        value_date=today,
        channel="cash",
        by=accountant,
    )
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    return loan


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def refused(response, status: int, field: str, code: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert list(body["errors"]) == [field], body
    if code:
        assert body["code"] == code, body


def disburse_body(today, **changes) -> dict:
    return {"on": today.isoformat(), "channel": "account", **changes}


def refund_body(today, **changes) -> dict:
    day = today.isoformat()
    return {"amount": "500", "on": day, "applied_on": day, **changes}


def request_body(**changes) -> dict:
    return {"account": OTHER_IBAN, "source": "borrower_file", "reason": "New bank", **changes}


# --- the accounts the review got paid -----------------------------------------------------------


@pytest.mark.parametrize("account", BAD_ACCOUNTS)
def test_a_bad_account_is_refused_at_disbursement_naming_the_field(
    api_client, accountant, signed, today, account
):
    api = as_user(api_client, accountant)
    response = api.post(
        f"{LOANS}{signed.pk}/disburse/", disburse_body(today, payee_account=account)
    )
    refused(response, 400, "payee_account")
    signed.refresh_from_db()
    assert signed.status == Loan.Status.SIGNED and signed.payee_account == ""
    assert not LedgerEntry.objects.filter(loan=signed).exists()
    assert not AuditEvent.objects.filter(action="loan.disbursed").exists()


@pytest.mark.parametrize("account", BAD_ACCOUNTS)
def test_a_bad_account_is_refused_at_refund_naming_the_field(
    api_client, accountant, closed, today, account
):
    entries = LedgerEntry.objects.count()
    response = as_user(api_client, accountant).post(
        f"{LOANS}{closed.pk}/refunds/", refund_body(today, account=account)
    )
    refused(response, 400, "account")
    assert not Refund.objects.exists() and LedgerEntry.objects.count() == entries
    assert not AuditEvent.objects.filter(action="loan.refunded").exists()


@pytest.mark.parametrize("account", BAD_ACCOUNTS)
def test_a_bad_account_is_refused_on_the_disbursement_page(
    client, accountant, signed, today, account
):
    client.force_login(accountant)
    response = client.post(
        reverse("servicing:disburse", args=[signed.pk]),
        disburse_body(today, payee_account=account, payee_name="", payee_purpose=""),
    )
    assert response.status_code == 400
    assert 'data-error-for="payee_account"' in response.content.decode()
    signed.refresh_from_db()
    assert signed.status == Loan.Status.SIGNED


def test_a_valid_iban_drawn_into_the_contract_is_paid_and_audited(
    api_client, make_user, accountant, accepted, today
):
    api = as_user(api_client, make_user(Role.CREDIT_ADMINISTRATOR))
    draw = {
        "application": accepted().pk,
        "planned_disbursement_date": today.isoformat(),
        "payout_account_source": "borrower_file",
    }
    refused(api.post(LOANS, draw, format="json"), 400, "payout_account")  # required
    bad = {**draw, "payout_account": "KZ00125KZT5004100100"}
    refused(api.post(LOANS, bad, format="json"), 400, "payout_account")
    assert not Loan.objects.exists()

    good = {**bad, "payout_account": "KZ86 125K ZT50 0410 0100"}
    loan = api.post(LOANS, good, format="json").json()
    assert loan["payout_account"] == BORROWER_IBAN
    api.post(f"{LOANS}{loan['id']}/sign/", {"signed_on": today.isoformat()}, format="json")
    paid = as_user(api_client, accountant).post(
        f"{LOANS}{loan['id']}/disburse/", disburse_body(today), format="json"
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["payee_account"] == BORROWER_IBAN
    assert AuditEvent.objects.get(action="loan.disbursed").data["account"] == BORROWER_IBAN


def test_a_card_is_drawn_by_its_full_number_and_never_kept_in_full(
    api_client, make_user, accepted, today
):
    api = as_user(api_client, make_user(Role.CREDIT_ADMINISTRATOR))
    draw = {
        "application": accepted().pk,
        "planned_disbursement_date": today.isoformat(),
        "payout_account": "4400 4300 0000 1238",  # one digit off: Luhn refuses it
        "payout_account_source": "borrower_file",
    }
    refused(api.post(LOANS, draw, format="json"), 400, "payout_account")
    refused(api.post(LOANS, {**draw, "payout_account": CARD_MASKED}, format="json"), 400,
            "payout_account")  # fmt: skip
    response = api.post(LOANS, {**draw, "payout_account": CARD_NUMBER}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["payout_account"] == CARD_MASKED
    assert Loan.objects.get().payout_account == CARD_MASKED
    assert not any(CARD_NUMBER in str(event.data) for event in AuditEvent.objects.all())


# --- four eyes ------------------------------------------------------------------------------------


def test_another_account_needs_a_second_persons_approval(
    api_client, accountant, make_user, signed, today
):
    api = as_user(api_client, accountant)
    response = api.post(
        f"{LOANS}{signed.pk}/disburse/", disburse_body(today, payee_account=OTHER_IBAN)
    )
    refused(response, 400, "payee_account", "account_not_approved")

    requested = api.post(f"{LOANS}{signed.pk}/payout-account-changes/", request_body())
    assert requested.status_code == 201, requested.json()
    change = requested.json()
    assert (change["state"], change["account"]) == ("requested", OTHER_IBAN)
    # the requester cannot approve it
    refused(api.post(f"{CHANGES}{change['id']}/approve/"), 403, "change", "own_request")
    refused(
        api.post(f"{LOANS}{signed.pk}/disburse/", disburse_body(today, payee_account=OTHER_IBAN)),
        400,
        "payee_account",
    )

    second = as_user(api_client, make_user(Role.ACCOUNTANT))
    assert second.get(f"{CHANGES}?state=requested").json()["results"][0]["id"] == change["id"]
    approved = second.post(f"{CHANGES}{change['id']}/approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["state"] == "approved"

    api = as_user(api_client, accountant)
    paid = api.post(f"{LOANS}{signed.pk}/disburse/", disburse_body(today, payee_account=OTHER_IBAN))
    assert paid.status_code == 200, paid.json()
    assert paid.json()["payee_account"] == OTHER_IBAN
    event = AuditEvent.objects.get(action="loan.disbursed")
    assert (event.data["account"], event.data["account_change"]) == (OTHER_IBAN, change["id"])
    assert PayoutAccountChange.objects.get().state == PayoutAccountChange.State.USED


@pytest.mark.parametrize("role", WRONG_ROLES)
def test_other_roles_are_refused_on_the_payout_account_endpoints(
    api_client, accountant, make_user, signed, role
):
    change = services.payout_account_change_request(
        loan_id=signed.pk, account=OTHER_IBAN, source="borrower_file", reason="x", by=accountant
    )
    api = as_user(api_client, make_user(role))
    assert (
        api.post(f"{LOANS}{signed.pk}/payout-account-changes/", request_body()).status_code == 403
    )
    assert api.get(f"{LOANS}{signed.pk}/payout-account-changes/").status_code == 403
    assert api.get(CHANGES).status_code == 403
    for action in ("approve", "reject"):
        assert api.post(f"{CHANGES}{change.pk}/{action}/").status_code == 403
    assert PayoutAccountChange.objects.get().state == PayoutAccountChange.State.REQUESTED
    assert PayoutAccountChange.objects.count() == 1


def test_a_refund_to_another_account_is_approved_by_a_second_person(
    api_client, accountant, make_user, closed, today
):
    api = as_user(api_client, accountant)
    other = refund_body(today, account=OTHER_IBAN)
    refused(api.post(f"{LOANS}{closed.pk}/refunds/", other), 400, "account", "account_not_approved")
    change = api.post(f"{LOANS}{closed.pk}/payout-account-changes/", request_body()).json()
    as_user(api_client, make_user(Role.ADMINISTRATOR)).post(f"{CHANGES}{change['id']}/approve/")
    api = as_user(api_client, accountant)
    response = api.post(f"{LOANS}{closed.pk}/refunds/", other)
    assert response.status_code == 201, response.json()
    assert response.json()["account"] == OTHER_IBAN
    assert AuditEvent.objects.get(action="loan.refunded").data["account"] == OTHER_IBAN


def test_four_eyes_on_the_pages(client, accountant, make_user, signed):
    client.force_login(accountant)
    new = reverse("servicing:payout-account-change-new", args=[signed.pk])
    response = client.post(new, request_body(account="KZ18 722S 0000 1234 5678"))
    assert response.status_code == 302
    change = PayoutAccountChange.objects.get()
    assert change.account == OTHER_IBAN and change.requested_by == accountant

    decide = reverse("servicing:payout-account-change-decide", args=[change.pk])
    own = client.post(decide, {"decision": "approve"})
    assert own.status_code == 403
    assert "you asked for this account yourself" in own.content.decode()
    change.refresh_from_db()
    assert change.state == PayoutAccountChange.State.REQUESTED

    for role in WRONG_ROLES[:3]:  # a branch system has no pages at all
        client.force_login(make_user(role))
        assert client.get(new).status_code == 403
        assert client.post(decide, {"decision": "approve"}).status_code == 403
        assert client.get(reverse("servicing:payout-account-changes")).status_code == 403
    change.refresh_from_db()
    assert change.state == PayoutAccountChange.State.REQUESTED

    client.force_login(make_user(Role.ACCOUNTANT))
    listed = client.get(reverse("servicing:payout-account-changes")).content.decode()
    assert f'data-change="{change.pk}"' in listed and "KZ18 722S 0000 1234 5678" in listed
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    change.refresh_from_db()
    assert change.state == PayoutAccountChange.State.APPROVED
    disburse_page = client.get(reverse("servicing:disburse", args=[signed.pk])).content.decode()
    assert "KZ86 125K ZT50 0410 0100" in disburse_page  # the contract's
    assert "data-approved-account>KZ18 722S 0000 1234 5678<" in disburse_page


def test_the_account_in_the_audit_trail_follows_the_privacy_policy(
    api_client, make_user, accountant, signed, today
):
    paid = as_user(api_client, accountant).post(
        f"{LOANS}{signed.pk}/disburse/", disburse_body(today), format="json"
    )
    assert paid.status_code == 200, paid.json()

    def disbursed(user) -> dict:
        response = as_user(api_client, user).get("/api/v1/audit-events/", {"action": "loan."})
        assert response.status_code == 200
        return {row["action"]: row["data"] for row in response.json()["results"]}

    risk = disbursed(make_user(Role.RISK_MANAGER))
    assert risk["loan.disbursed"]["account"] == BORROWER_IBAN[:4] + "*" * 14 + BORROWER_IBAN[-2:]
    assert BORROWER_IBAN not in str(risk)
    assert risk["loan.disbursed"]["amount"] == str(signed.amount)  # the rest as recorded
    administrator = disbursed(make_user(Role.ADMINISTRATOR))
    assert administrator["loan.disbursed"]["account"] == BORROWER_IBAN
