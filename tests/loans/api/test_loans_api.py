from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Role
from loans import services
from loans.models import LedgerEntry, Loan

from .conftest import DAY_CLOSES, LOANS, refused, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


IBAN = "KZ86125KZT5004100100"
PAYOUT = {"payout_account": "kz86 125k zt50 0410 0100", "payout_account_source": "borrower_file"}


def draw_body(application_id: int) -> dict:
    return {
        "application": application_id,
        "planned_disbursement_date": TODAY.isoformat(),
        **PAYOUT,
    }


def draw(api, application_id: int, **change):
    return api.post(LOANS, {**draw_body(application_id), **change}, format="json")


# --- contract, signing, disbursement --------------------------------------------------------


def test_credit_administrator_draws_signs_and_an_accountant_disburses(api_as, accepted):
    application = accepted()
    api = api_as(Role.CREDIT_ADMINISTRATOR)

    created = draw(api, application.pk)
    assert created.status_code == 201, created.json()
    loan = created.json()
    assert loan["status"] == "draft"
    assert loan["application"] == application.pk
    assert loan["amount"] == "1000000.00"
    assert loan["term_months"] == 12
    assert loan["contract_date"] == TODAY.isoformat()
    assert Decimal(loan["gesv"]) >= Decimal(12)
    assert loan["borrower_identifier"] == "900101300017"  # need-to-know: in full
    assert loan["balances"] == {
        "principal": "0.00",
        "interest": "0.00",
        "penalty": "0.00",
        "held": "0.00",
    }
    assert loan["latest_snapshot"] is None
    assert loan["payout_account"] == IBAN  # normalised, from the borrower's file
    assert loan["payout_account_source"] == "borrower_file"

    signed = api.post(url(loan["id"], "sign"), {"signed_on": TODAY.isoformat()}, format="json")
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_on"] == TODAY.isoformat()

    accountant = api_as(Role.ACCOUNTANT)
    disbursed = accountant.post(
        url(loan["id"], "disburse"),
        {"on": TODAY.isoformat(), "channel": "account"},  # to the contract's account
        format="json",
    )
    assert disbursed.status_code == 200, disbursed.json()
    body = disbursed.json()
    assert body["status"] == "active"
    assert body["disbursed_on"] == TODAY.isoformat()
    assert body["payee_account"] == IBAN  # the accountant pays it out
    assert body["schedule_version"] == 1
    assert body["balances"]["principal"] == "1000000.00"
    assert body["borrower_identifier"] == "900101300017"  # the payment order names it


def test_drawing_a_contract_is_for_contract_roles_and_names_a_broken_rule(api_as, accepted):
    application = accepted()
    for role in (Role.ACCOUNTANT, Role.BRANCH_SYSTEM, Role.COMMITTEE_MEMBER):
        response = draw(api_as(role), application.pk)
        assert response.status_code == 403, role
        assert response.json()["code"] == "permission_denied"
    assert Loan.objects.count() == 0

    api = api_as(Role.CREDIT_ADMINISTRATOR)
    undated = api.post(LOANS, {"application": application.pk, **PAYOUT}, format="json")
    refused(undated, 400, "planned_disbursement_date")
    refused(api.post(LOANS, draw_body(999999), format="json"), 400, "application")
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    response = draw(api, application.pk, planned_disbursement_date=yesterday)
    refused(response, 400, "planned_disbursement_date", "disbursement_before_contract")
    assert Loan.objects.count() == 0

    assert draw(api_as(Role.ADMINISTRATOR), application.pk).status_code == 201
    refused(draw(api, application.pk), 409, "application", "exists")
    assert Loan.objects.count() == 1


def test_a_draft_shows_its_schedule_unpaid_and_is_signed_by_contract_roles(
    api_as, accepted, officer
):
    application = accepted()
    loan = services.contract_create(
        application_id=application.pk, planned_disbursement_date=TODAY, by=officer
    )
    # the draft contract's schedule: nothing paid before the money is paid out
    schedule = api_as(Role.CREDIT_ADMINISTRATOR).get(url(loan.pk, "schedule")).json()
    assert schedule["version"] == 0
    assert schedule["totals"]["principal"] == "1000000.00"
    assert schedule["totals"]["principal_paid"] == "0.00"
    assert {line["state"] for line in schedule["installments"]} == {"not_due"}

    body = {"signed_on": TODAY.isoformat()}
    refusal = api_as(Role.ACCOUNTANT).post(url(loan.pk, "sign"), body, format="json")
    assert refusal.status_code == 403

    api = api_as(Role.CREDIT_ADMINISTRATOR)
    tomorrow = {"signed_on": (TODAY + timedelta(days=1)).isoformat()}
    refused(api.post(url(loan.pk, "sign"), tomorrow, format="json"), 400, "signed_on")
    refused(api.post(url(loan.pk, "sign"), {}, format="json"), 400, "signed_on")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.DRAFT

    assert api.post(url(loan.pk, "sign"), body, format="json").status_code == 200
    refused(api.post(url(loan.pk, "sign"), body, format="json"), 409, "status", "not_draft")


def test_disbursement_and_payments_before_signing_are_conflicts(api_as, accepted, officer):
    application = accepted()
    loan = services.contract_create(
        application_id=application.pk, planned_disbursement_date=TODAY, by=officer
    )
    body = {"on": TODAY.isoformat(), "channel": "account"}

    assert (
        api_as(Role.CREDIT_ADMINISTRATOR).post(url(loan.pk, "disburse"), body, format="json")
    ).status_code == 403
    assert (
        api_as(Role.ADMINISTRATOR).post(url(loan.pk, "disburse"), body, format="json")
    ).status_code == 403
    response = api_as(Role.ACCOUNTANT).post(url(loan.pk, "disburse"), body, format="json")
    refused(response, 409, "status", "not_signed")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.DRAFT
    assert LedgerEntry.objects.count() == 0

    money = {"amount": "1000", "value_date": TODAY.isoformat(), "channel": "cash"}
    response = api_as(Role.ACCOUNTANT).post(url(loan.pk, "payments"), money, format="json")
    refused(response, 409, "loan", "not_disbursed")
    assert not loan.payments.exists()


def test_disbursement_input_names_the_field(api_as, accepted, officer):
    application = accepted()
    loan = services.contract_create(
        application_id=application.pk, planned_disbursement_date=TODAY, by=officer
    )
    services.contract_sign(loan_id=loan.pk, signed_on=TODAY, by=officer)
    api = api_as(Role.ACCOUNTANT)
    body = {"on": TODAY.isoformat(), "channel": "by_pigeon"}
    refused(api.post(url(loan.pk, "disburse"), body, format="json"), 400, "channel")
    future = {**body, "channel": "account", "on": (TODAY + timedelta(days=1)).isoformat()}
    refused(api.post(url(loan.pk, "disburse"), future, format="json"), 400, "on")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SIGNED
    assert LedgerEntry.objects.count() == 0


# --- reading --------------------------------------------------------------------------------


def test_anonymous_callers_and_the_committee_read_no_loans(api_client, api_as, late_loan):
    reads = [LOANS, DAY_CLOSES, *(url(late_loan.pk, a) for a in ("", "schedule", "ledger"))]
    for path in reads:
        assert api_client.get(path).status_code == 401, path
    assert api_client.post(LOANS, {}, format="json").status_code == 401
    committee = api_as(Role.COMMITTEE_MEMBER)
    for path in reads:
        assert committee.get(path).status_code == 403, path


def test_the_loan_state_is_read_and_its_opening_audited(api_as, late_loan):
    response = api_as(Role.COLLECTOR).get(url(late_loan.pk))
    assert response.status_code == 200, response.json()
    loan = response.json()
    assert loan["number"] == late_loan.number
    assert loan["status"] == "active"
    assert loan["borrower_name"] == "ИП Сейтқали"
    assert loan["borrower_identifier"] == "9001******17"
    assert loan["payee_account"] == "KZ86**************00"  # no need-to-know
    assert loan["balances"]["principal"] == "1000000.00"
    assert loan["acceleration_flagged_on"] is None
    assert AuditEvent.objects.filter(
        action="credit_file.opened", target_id=str(late_loan.application_id)
    ).exists()
    assert api_as(Role.COLLECTOR).get(url(999999)).status_code == 404


def test_after_the_daily_close_the_figures_are_read_from_its_snapshots(api_as, late_loan):
    """One close for every snapshot reader: the list, the loan, its snapshots, the closes."""
    first, second = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
    services.close_day(on=first)
    services.close_day(on=second)
    api = api_as(Role.RISK_MANAGER)

    # the loan's daily snapshots: the close fills every date from the disbursement
    body = api.get(url(late_loan.pk, "snapshots"), {"page_size": 100}).json()
    dates = [row["on"] for row in body["results"]]
    assert body["count"] == (second - late_loan.disbursed_on).days + 1
    assert dates[0] == late_loan.disbursed_on.isoformat()
    assert dates[-2:] == [first.isoformat(), second.isoformat()]
    row = body["results"][-1]
    assert set(row) == {
        "on", "principal", "interest", "penalty", "held", "overdue_principal",
        "overdue_interest", "accrued_interest", "days_past_due", "bucket",
    }  # fmt: skip
    assert row["principal"] == "1000000.00"
    assert row["days_past_due"] == body["results"][-2]["days_past_due"] + 1 > 1
    assert row["bucket"] == "1-30"

    only = api.get(url(late_loan.pk, "snapshots"), {"from": second.isoformat()}).json()
    assert [row["on"] for row in only["results"]] == [second.isoformat()]
    early = {"to": late_loan.disbursed_on.isoformat()}
    assert api.get(url(late_loan.pk, "snapshots"), early).json()["count"] == 1
    backwards = {"from": second.isoformat(), "to": first.isoformat()}
    refused(api.get(url(late_loan.pk, "snapshots"), backwards), 400, "to")

    # the loan: its latest snapshot
    snapshot = api.get(url(late_loan.pk)).json()["latest_snapshot"]
    assert snapshot["on"] == second.isoformat()
    assert snapshot["days_past_due"] == row["days_past_due"]
    assert snapshot["bucket"] == "1-30"
    assert snapshot["overdue_principal"] == row["overdue_principal"] != "0.00"

    # the portfolio, filtered by the figures of the last closed date
    listed = api.get(LOANS).json()
    assert listed["count"] == 1
    (summary,) = listed["results"]
    assert summary["id"] == late_loan.pk
    assert summary["days_past_due"] == row["days_past_due"]
    assert summary["bucket"] == "1-30"
    assert summary["overdue_principal"] == row["overdue_principal"]
    assert summary["borrower_identifier"] == "9001******17"
    assert api.get(LOANS, {"min_dpd": 1, "status": "active"}).json()["count"] == 1
    assert api.get(LOANS, {"max_dpd": 0}).json()["count"] == 0
    assert api.get(LOANS, {"status": "closed"}).json()["count"] == 0
    assert api.get(LOANS, {"branch": late_loan.branch_id + 1}).json()["count"] == 0
    refused(api.get(LOANS, {"min_dpd": "many"}), 400, "min_dpd")
    refused(api.get(LOANS, {"min_dpd": 5, "max_dpd": 2}), 400, "max_dpd")
    refused(api.get(LOANS, {"status": "draft"}), 400, "status")

    # the closes themselves, for the accounting and risk roles only
    closes = api_as(Role.ACCOUNTANT).get(DAY_CLOSES).json()["results"]
    assert [close["business_date"] for close in closes] == [second.isoformat(), first.isoformat()]
    assert closes[0]["loans"] == 1
    assert closes[0]["runs"] == 1
    assert api_as(Role.COLLECTOR).get(DAY_CLOSES).status_code == 403


def test_before_any_payment_the_schedule_is_unpaid_and_the_ledger_has_the_disbursement(
    api_as, late_loan
):
    api = api_as(Role.BRANCH_SYSTEM)
    body = api.get(url(late_loan.pk, "schedule")).json()
    lines = body["installments"]
    assert body["version"] == 1
    assert len(lines) == 12
    assert lines[0]["state"] in {"overdue", "due"}
    assert lines[0]["principal_paid"] == "0.00"
    assert {line["state"] for line in lines[1:]} == {"not_due"}
    assert body["totals"]["principal"] == "1000000.00"
    assert body["totals"]["principal_paid"] == "0.00"
    assert sum(Decimal(line["total"]) for line in lines) == Decimal(body["totals"]["total"])

    ledger = api.get(url(late_loan.pk, "ledger")).json()
    assert ledger["count"] == 1
    (entry,) = ledger["results"]
    assert entry["kind"] == "disbursement"
    assert entry["component"] == "principal"
    assert entry["amount"] == "1000000.00"
    assert entry["payment"] is None
    assert entry["reverses"] is None
