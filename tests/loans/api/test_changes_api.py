"""The API for a loan after disbursement: payoff, prepayments, schedule versions, changes of
terms, demands, write-off, closure and refunds.

The API runs the services with today's date, so the loans are disbursed a little before today
and every date given is today or earlier.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from applications import committee
from core.roles import Role
from loans import services
from loans.models import (
    ArchivedFile,
    Demand,
    LedgerEntry,
    Loan,
    LoanSnapshot,
    Payment,
    Prepayment,
    Refund,
    Restructuring,
    ScheduleVersion,
    WriteOff,
)
from loans.selectors import loan_position

from .conftest import DISBURSED_DAYS_AGO, refused, url

pytestmark = pytest.mark.django_db

RESTRUCTURINGS = "/api/v1/restructurings/"
WRITE_OFFS = "/api/v1/write-offs/"
# A loan 40 days old has its first instalment about ten days late; the law allows demanding
# the whole debt from day 41 of delay: a loan 80 days old is about 50 days late.
LONG_LATE_DAYS_AGO = 80


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def loan(active_loan, today):
    """1,000,000 KZT for 12 months at 12 % (annuity), disbursed 40 days ago: one instalment due."""
    return active_loan(on=today - timedelta(days=DISBURSED_DAYS_AGO))


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def closed_loan(loan, accountant):
    """The same loan, paid off today with 5,000 KZT more than the payoff: held for a refund."""

    def close(extra: str = "0"):
        quote = services.payoff_quote_on(loan_id=loan.pk, on=timezone.localdate())
        services.payment_post(
            loan_id=loan.pk,
            amount=quote.to_pay + Decimal(extra),
            value_date=timezone.localdate(),
            channel="cash",
            by=accountant,
        )
        loan.refresh_from_db()
        assert loan.status == Loan.Status.CLOSED
        return loan

    return close


def money(value: str) -> Decimal:
    return Decimal(value)


def written() -> dict[str, int]:
    """What any change writes: a failed request leaves every count as it was."""
    models = (Payment, LedgerEntry, LoanSnapshot, ScheduleVersion, Prepayment, Restructuring,
              Demand, WriteOff, Refund, ArchivedFile)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


# --- payoff ---------------------------------------------------------------------------------


def test_paying_the_payoff_amount_closes_the_loan(api_as, loan, today):
    api = api_as(Role.COLLECTOR)
    response = api.get(url(loan.pk, "payoff"))
    assert response.status_code == 200, response.json()
    quote = {key: value if key in ("loan", "on") else money(value) for key, value in
             response.json().items()}  # fmt: skip
    assert quote["loan"] == loan.pk
    assert quote["on"] == today.isoformat()
    # one instalment is late: its principal and interest are overdue, the rest not yet due
    assert quote["overdue"] > 0
    assert quote["penalties"] > 0
    assert Decimal("900000") < quote["principal"] < Decimal("1000000")
    assert quote["interest"] > 0
    parts = quote["principal"] + quote["interest"] + quote["overdue"] + quote["penalties"]
    assert quote["total"] == parts
    assert quote["held"] == 0
    assert quote["to_pay"] == quote["total"]
    # the quote closed the loan's days only to undo it
    assert not LoanSnapshot.objects.filter(loan=loan).exists()

    paid = api_as(Role.ACCOUNTANT).post(
        url(loan.pk, "payments"),
        {"amount": str(quote["to_pay"]), "value_date": today.isoformat(), "channel": "cash"},
        format="json",
    )
    assert paid.status_code == 201, paid.json()
    state = api.get(url(loan.pk)).json()
    assert state["status"] == "closed"
    assert state["closed_on"] == today.isoformat()
    # the quote is what the posting charges: nothing is left owed, nothing overpaid
    assert state["balances"] == {
        "principal": "0.00", "interest": "0.00", "penalty": "0.00", "held": "0.00"
    }  # fmt: skip

    refused(api.get(url(loan.pk, "payoff")), 409, "loan", "loan_closed")


def test_a_payoff_for_a_later_date_owes_more_interest(api_as, loan, today):
    api = api_as(Role.BRANCH_SYSTEM)
    now = api.get(url(loan.pk, "payoff")).json()
    later = api.get(url(loan.pk, "payoff"), {"on": (today + timedelta(days=5)).isoformat()}).json()
    assert later["on"] == (today + timedelta(days=5)).isoformat()
    assert money(later["interest"]) > money(now["interest"])
    assert later["principal"] == now["principal"]


def test_a_payoff_date_must_be_a_date_from_the_disbursement_on(api_as, loan):
    api = api_as(Role.ACCOUNTANT)
    refused(api.get(url(loan.pk, "payoff"), {"on": "tomorrow"}), 400, "on")
    early = (loan.disbursed_on - timedelta(days=1)).isoformat()
    refused(api.get(url(loan.pk, "payoff"), {"on": early}), 400, "on", "date_closed")
    assert api.get(url(999999, "payoff")).status_code == 404
    assert api_as(Role.COMMITTEE_MEMBER).get(url(loan.pk, "payoff")).status_code == 403


# --- partial prepayment ---------------------------------------------------------------------


def prepayment(today, amount: str = "500000", mode: str = "reduce_payment", **change) -> dict:
    return {"amount": amount, "on": today.isoformat(), "mode": mode, "channel": "cash", **change}


def test_a_prepayment_preview_shows_the_smaller_payment_and_keeps_nothing(api_as, loan, today):
    api = api_as(Role.CREDIT_ADMINISTRATOR)
    before = written()
    response = api.post(
        url(loan.pk, "prepayments/preview"),
        {"amount": "500000", "on": today.isoformat(), "mode": "reduce_payment"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    plan = response.json()
    assert written() == before
    assert plan["loan"] == loan.pk
    assert plan["mode"] == "reduce_payment"
    due_paid, interest, principal = (
        money(plan[key]) for key in ("due_paid", "interest_paid", "principal_paid")
    )
    # the late instalment and its penalty first, then the interest to the day, then principal
    assert due_paid > 0
    assert interest > 0
    assert due_paid + interest + principal == Decimal("500000")
    lines = plan["installments"]
    assert len(lines) == 11  # the same due dates, smaller payments
    assert all(line["due_date"] > today.isoformat() for line in lines)
    rest = money(plan["principal_before"]) - principal
    assert sum(money(line["principal"]) for line in lines) == rest
    assert money(lines[-1]["balance"]) == 0
    assert money(plan["new_payment"]) < money(plan["old_payment"])
    assert money(plan["new_payment"]) == max(money(line["total"]) for line in lines)
    assert Decimal("12") <= money(plan["gesv"]) < Decimal("14")

    shorter = api.post(
        url(loan.pk, "prepayments/preview"),
        {"amount": "500000", "on": today.isoformat(), "mode": "shorten_term"},
        format="json",
    ).json()
    assert len(shorter["installments"]) < 11
    assert shorter["new_payment"] <= shorter["old_payment"]
    assert written() == before


def test_a_prepayment_makes_schedule_version_2_and_a_repeated_key_posts_nothing(
    as_user, accountant, loan, today
):
    api = as_user(accountant)
    path = url(loan.pk, "prepayments")
    headers = {"HTTP_IDEMPOTENCY_KEY": "desk-3/prepayment-17"}
    first = api.post(path, prepayment(today, application_number="A-17"), format="json", **headers)
    assert first.status_code == 201, first.json()
    assert "Idempotent-Replayed" not in first
    body = first.json()
    assert body["version"] == 2
    assert body["amount"] == "500000.00"
    assert body["application_number"] == "A-17"
    assert body["applied_on"] == today.isoformat()
    assert body["recorded_by"] == "accountant"
    parts = money(body["due_paid"]) + money(body["interest_paid"]) + money(body["principal_paid"])
    assert parts == Decimal("500000")
    loan.refresh_from_db()
    assert loan.schedule_version == 2
    left = Decimal("1000000") - _late_principal_paid(loan) - money(body["principal_paid"])
    assert loan_position(loan).principal == left
    posted = written()

    # the same request again: the first prepayment, nothing posted
    again = api.post(path, prepayment(today, application_number="A-17"), format="json", **headers)
    assert again.status_code == 200, again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert written() == posted
    # the key with another amount: refused, nothing posted
    other = api.post(path, prepayment(today, "500001"), format="json", **headers)
    refused(other, 409, "idempotency_key", "idempotency_key_reused")
    assert written() == posted

    listed = api.get(path).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def _late_principal_paid(loan) -> Decimal:
    """The principal of the late instalment, paid first out of the prepayment."""
    first = loan.installments.get(version=1, number=1)
    return first.principal


def test_the_versions_keep_every_schedule_the_loan_had(as_user, accountant, loan, today):
    api = as_user(accountant)
    created = api.post(url(loan.pk, "prepayments"), prepayment(today), format="json")
    assert created.status_code == 201, created.json()

    versions = api.get(url(loan.pk, "schedule-versions")).json()["results"]
    assert [(v["version"], v["reason"]) for v in versions] == [
        (0, "contract"), (1, "disbursement"), (2, "partial_prepayment")
    ]  # fmt: skip
    latest = versions[-1]
    assert latest["effective_on"] == today.isoformat()
    assert latest["created_by"] == "accountant"
    assert latest["gesv"] == created.json()["gesv"]
    assert latest["history_lines"] == 2  # the late instalment, and the prepayment itself

    detail = api.get(url(loan.pk, "schedule-versions/2"))
    assert detail.status_code == 200, detail.json()
    lines = detail.json()["installments"]
    assert [line["number"] for line in lines] == list(range(1, len(lines) + 1))
    # the late instalment, the prepayment due today, then the rebuilt rest
    assert lines[1]["due_date"] == today.isoformat()
    assert sum(money(line["principal"]) for line in lines) == Decimal("1000000")
    assert money(lines[-1]["balance"]) == 0
    assert {line["status"] for line in lines} <= {"pending", "paid", "overdue"}

    first = api.get(url(loan.pk, "schedule-versions/1")).json()
    assert first["reason"] == "disbursement"
    assert len(first["installments"]) == 12
    assert sum(money(line["principal"]) for line in first["installments"]) == Decimal("1000000")
    assert api.get(url(loan.pk, "schedule-versions/9")).status_code == 404


def test_a_prepayment_below_three_payments_is_refused_and_writes_nothing(api_as, loan, today):
    api = api_as(Role.ACCOUNTANT)
    before = written()
    # what is due is paid first; what is left of 150,000 is below three payments of ~88,849
    message = refused(
        api.post(url(loan.pk, "prepayments"), prepayment(today, "150000"), format="json"),
        400,
        "amount",
        "below_minimum_prepayment",
    )
    assert "3 scheduled payments" in message
    refused(
        api.post(url(loan.pk, "prepayments/preview"), prepayment(today, "150000"), format="json"),
        400,
        "amount",
        "below_minimum_prepayment",
    )
    for change, field in [
        ({"amount": "0"}, "amount"),
        ({"amount": "100.001"}, "amount"),
        ({"mode": "skip"}, "mode"),
        ({"channel": "transfer"}, "channel"),
        ({"on": "soon"}, "on"),
    ]:
        refused(api.post(url(loan.pk, "prepayments"), prepayment(today, **change)), 400, field)
    early = (loan.disbursed_on - timedelta(days=1)).isoformat()
    refused(
        api.post(url(loan.pk, "prepayments"), prepayment(today, on=early), format="json"),
        400,
        "on",
        "before_disbursement",
    )
    late_application = (today + timedelta(days=1)).isoformat()
    refused(
        api.post(
            url(loan.pk, "prepayments"),
            prepayment(today, applied_on=late_application),
            format="json",
        ),
        400,
        "applied_on",
    )
    assert written() == before


def test_only_the_money_roles_post_a_prepayment(api_as, loan, today):
    before = written()
    for role in (Role.COLLECTOR, Role.CREDIT_ADMINISTRATOR, Role.RISK_MANAGER):
        response = api_as(role).post(url(loan.pk, "prepayments"), prepayment(today), format="json")
        assert response.status_code == 403, role
    assert written() == before
    # a branch system may, and reads the list like every loan reader
    branch = api_as(Role.BRANCH_SYSTEM)
    assert branch.post(url(loan.pk, "prepayments"), prepayment(today)).status_code == 201
    assert api_as(Role.COLLECTOR).get(url(loan.pk, "prepayments")).json()["count"] == 1


# --- changes of terms -----------------------------------------------------------------------


def request_body(today, **change) -> dict:
    return {
        "requested_on": today.isoformat(),
        "reason": "The shop's turnover fell after the road works.",
        "term_months": 18,
        **change,
    }


@pytest.fixture
def members(make_user):
    return [make_user(Role.COMMITTEE_MEMBER, username=f"member{n}") for n in range(3)]


def test_a_change_of_terms_from_request_to_signed_agreement(
    as_user, api_as, officer, members, loan, today
):
    api = as_user(officer)
    created = api.post(url(loan.pk, "restructurings"), request_body(today), format="json")
    assert created.status_code == 201, created.json()
    request = created.json()
    assert request["status"] == "requested"
    assert request["number"] == f"RS-{loan.number}-01"
    assert request["term_months"] == 18
    assert request["registered_by"] == "officer"
    assert request["meeting"] is None
    assert request["version"] is None
    listed = api.get(url(loan.pk, "restructurings")).json()
    assert [row["id"] for row in listed["results"]] == [request["id"]]
    # a second request while one is pending: refused
    again = api.post(url(loan.pk, "restructurings"), request_body(today), format="json")
    refused(again, 409, "loan", "request_pending")

    # the new terms worked out, nothing kept
    before = written()
    preview = api_as(Role.RISK_MANAGER).get(f"{RESTRUCTURINGS}{request['id']}/preview/")
    assert preview.status_code == 200, preview.json()
    plan = preview.json()
    assert written() == before
    assert plan["on"] == today.isoformat()
    assert plan["term_months"] == 18
    assert plan["method"] == "annuity"
    assert money(plan["annual_rate"]) == Decimal("12")
    assert money(plan["principal"]) == Decimal("1000000")  # the late principal is rescheduled
    lines = plan["installments"]
    assert len(lines) == 18
    assert sum(money(line["principal"]) for line in lines) == Decimal("1000000")
    # the first instalment also carries the interest earned before the change
    assert money(plan["payment"]) == max(money(line["total"]) for line in lines[1:-1])

    # on the committee's agenda; the members vote on the existing committee pages
    meeting = committee.meeting_create(
        held_on=today, member_ids=[m.pk for m in members], by=members[0]
    )
    agenda = as_user(members[0]).post(
        f"{RESTRUCTURINGS}{request['id']}/agenda/", {"meeting": meeting.pk}, format="json"
    )
    assert agenda.status_code == 200, agenda.json()
    assert agenda.json()["status"] == "on_agenda"
    assert agenda.json()["meeting"] == meeting.pk
    item = Restructuring.objects.get(pk=request["id"]).agenda_items.get()
    for member in members:
        committee.vote_cast(item_id=item.pk, choice="for", comment="ok", by=member)
    committee.item_decide(item_id=item.pk, by=members[0])

    applied = as_user(officer).post(
        f"{RESTRUCTURINGS}{request['id']}/apply/", {"on": today.isoformat()}, format="json"
    )
    assert applied.status_code == 200, applied.json()
    body = applied.json()
    assert body["status"] == "applied"
    assert body["applied_on"] == today.isoformat()
    assert body["votes_for"] == 3
    assert body["version"] == 2
    loan.refresh_from_db()
    assert loan.schedule_version == 2
    version = api.get(url(loan.pk, "schedule-versions/2")).json()
    assert version["reason"] == "restructuring"
    assert version["amount"] == "1000000.00"
    new_lines = version["installments"][version["history_lines"] :]
    assert [line["total"] for line in new_lines] == [line["total"] for line in lines]
    # applied once: signing again is refused
    again = api.post(
        f"{RESTRUCTURINGS}{request['id']}/apply/", {"on": today.isoformat()}, format="json"
    )
    refused(again, 409, "restructuring", "not_approved")


def test_a_request_must_ask_for_a_change_and_name_what_is_wrong(as_user, officer, loan, today):
    api = as_user(officer)
    before = written()
    path = url(loan.pk, "restructurings")
    no_change = request_body(today, term_months=None)
    refused(api.post(path, no_change, format="json"), 400, "term_months", "no_change")
    higher = request_body(today, annual_rate="20")
    refused(
        api.post(path, higher, format="json"), 400, "annual_rate", "higher_rate_without_consent"
    )
    future = request_body(today, requested_on=(today + timedelta(days=1)).isoformat())
    refused(api.post(path, future, format="json"), 400, "requested_on")
    for change, field in [
        ({"reason": ""}, "reason"),
        ({"term_months": 0}, "term_months"),
        ({"method": "balloon"}, "method"),
        ({"requested_on": "last week"}, "requested_on"),
    ]:
        refused(api.post(path, request_body(today, **change), format="json"), 400, field)
    assert written() == before


def test_the_roles_of_a_change_of_terms(as_user, api_as, officer, members, loan, today):
    before = written()
    refused_request = api_as(Role.ACCOUNTANT).post(
        url(loan.pk, "restructurings"), request_body(today), format="json"
    )
    assert refused_request.status_code == 403
    assert written() == before
    request = services.restructuring_request(
        loan_id=loan.pk, requested_on=today, reason="Turnover fell.", term_months=18, by=officer
    )
    meeting = committee.meeting_create(
        held_on=today, member_ids=[m.pk for m in members], by=members[0]
    )
    # the credit administration registers requests but does not set the committee's agenda
    agenda = f"{RESTRUCTURINGS}{request.pk}/agenda/"
    for role in (Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM, Role.ACCOUNTANT):
        assert api_as(role).post(agenda, {"meeting": meeting.pk}).status_code == 403, role
    assert (
        api_as(Role.BRANCH_SYSTEM)
        .post(f"{RESTRUCTURINGS}{request.pk}/apply/", {"on": today.isoformat()})
        .status_code
        == 403
    )
    # applied before the committee approved it: refused by the service
    refused(
        as_user(officer).post(f"{RESTRUCTURINGS}{request.pk}/apply/", {"on": today.isoformat()}),
        409,
        "restructuring",
        "not_approved",
    )
    # a committee member puts it on the agenda, naming a meeting that exists
    member = as_user(members[0])
    refused(member.post(agenda, {"meeting": 999999}), 400, "meeting")
    assert member.post(agenda, {"meeting": meeting.pk}).status_code == 200
    refused(member.post(agenda, {"meeting": meeting.pk}), 409, "restructuring")
    assert written()["Restructuring"] == before["Restructuring"] + 1
    assert api_as(Role.COMMITTEE_MEMBER).get(f"{RESTRUCTURINGS}{request.pk}/").status_code == 403
    assert api_as(Role.COLLECTOR).get(f"{RESTRUCTURINGS}{request.pk}/").json()["id"] == request.pk
    assert api_as(Role.COLLECTOR).get(f"{RESTRUCTURINGS}999999/").status_code == 404


# --- demands --------------------------------------------------------------------------------


def test_a_misuse_demand_charges_the_fine(api_as, loan, today):
    api = api_as(Role.MONITORING_MANAGER)
    response = api.post(
        url(loan.pk, "demands"),
        {
            "kind": "misuse",
            "on": today.isoformat(),
            "misused_amount": "100000",
            "details": "Bought a car instead of stock.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    demand = response.json()
    assert demand["kind"] == "misuse"
    assert demand["number"] == f"DM-{loan.number}-01"
    assert demand["principal"] == "100000.00"
    assert demand["fine"] == "10000.00"  # 10 % of the misused amount
    assert demand["total"] == "110000.00"
    assert demand["pay_by"] == (today + timedelta(days=30)).isoformat()
    fines = LedgerEntry.objects.filter(loan=loan, kind="fine")
    assert [entry.amount for entry in fines] == [Decimal("10000.00")]
    listed = api_as(Role.COLLECTOR).get(url(loan.pk, "demands")).json()
    assert [row["id"] for row in listed["results"]] == [demand["id"]]


def test_a_demand_names_what_is_missing(api_as, loan, today):
    api = api_as(Role.COLLECTOR)
    path = url(loan.pk, "demands")
    before = written()
    misuse = {"kind": "misuse", "on": today.isoformat(), "details": "Spent on a car."}
    refused(api.post(path, misuse, format="json"), 400, "misused_amount")
    no_details = {**misuse, "misused_amount": "1000", "details": ""}
    refused(api.post(path, no_details, format="json"), 400, "details", "required")
    too_much = {**misuse, "misused_amount": "2000000"}
    refused(api.post(path, too_much, format="json"), 400, "misused_amount", "invalid_amount")
    accelerate = {"kind": "acceleration", "on": today.isoformat()}
    refused(api.post(path, {**accelerate, "misused_amount": "10"}), 400, "misused_amount")
    refused(api.post(path, {**accelerate, "kind": "threat"}), 400, "kind")
    # about ten days late: too early to demand the whole debt
    message = refused(api.post(path, accelerate, format="json"), 409, "loan", "not_late_enough")
    assert "day 41" in message
    assert written() == before
    for role in (Role.ACCOUNTANT, Role.RISK_MANAGER, Role.BRANCH_SYSTEM):
        assert api_as(role).post(path, misuse | {"misused_amount": "1"}).status_code == 403, role
    assert written() == before


def test_the_whole_debt_is_demanded_of_a_loan_late_past_day_41(api_as, active_loan, today):
    loan = active_loan(on=today - timedelta(days=LONG_LATE_DAYS_AGO))
    api = api_as(Role.COLLECTOR)
    response = api.post(
        url(loan.pk, "demands"),
        {"kind": "acceleration", "on": today.isoformat(), "pay_by": str(today + timedelta(10))},
        format="json",
    )
    assert response.status_code == 201, response.json()
    demand = response.json()
    assert demand["kind"] == "acceleration"
    assert demand["days_past_due"] >= 41
    assert demand["principal"] == "1000000.00"
    assert money(demand["interest"]) > 0
    assert money(demand["penalty"]) > 0
    assert demand["pay_by"] == (today + timedelta(days=10)).isoformat()
    payoff = api.get(url(loan.pk, "payoff")).json()
    assert money(demand["total"]) == money(payoff["total"])


# --- write-off ------------------------------------------------------------------------------


def write_off(today, **change) -> dict:
    return {
        "on": today.isoformat(),
        "decision_number": "B-12",
        "decided_on": today.isoformat(),
        "decided_by_body": "Board of directors",
        "reason": "The borrower cannot be found.",
        **change,
    }


def test_a_write_off_leaves_the_debt_and_counts_what_is_recovered(api_as, loan, today):
    response = api_as(Role.ACCOUNTANT).post(
        url(loan.pk, "write-off"), write_off(today), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["loan"] == loan.pk
    assert body["principal"] == "1000000.00"
    assert body["decision_number"] == "B-12"
    loan.refresh_from_db()
    assert loan.status == Loan.Status.WRITTEN_OFF

    recovered = api_as(Role.ACCOUNTANT).post(
        url(loan.pk, "payments"),
        {"amount": "25000", "value_date": today.isoformat(), "channel": "cash"},
        format="json",
    )
    assert recovered.status_code == 201, recovered.json()
    report = api_as(Role.RISK_MANAGER).get(WRITE_OFFS)
    assert report.status_code == 200, report.json()
    (row,) = report.json()["results"]
    assert row["loan_number"] == loan.number
    assert row["on"] == today.isoformat()
    assert row["principal"] == "1000000.00"
    assert row["interest"] == body["interest"]
    assert row["penalty"] == body["penalty"]
    assert row["days_past_due"] == body["days_past_due"]
    assert row["recovered"] == "25000.00"
    # written off once: only recoveries, demands and closure apply
    again = api_as(Role.ACCOUNTANT).post(url(loan.pk, "write-off"), write_off(today))
    refused(again, 409, "loan", "loan_written_off")


def test_a_write_off_needs_a_decision_before_it_and_the_accountant(api_as, loan, today):
    before = written()
    api = api_as(Role.ACCOUNTANT)
    later = (today + timedelta(days=1)).isoformat()
    refused(api.post(url(loan.pk, "write-off"), write_off(today, decided_on=later)), 400,
            "decided_on", "decision_after_write_off")  # fmt: skip
    refused(api.post(url(loan.pk, "write-off"), write_off(today, reason="")), 400, "reason")
    refused(api.post(url(loan.pk, "write-off"), write_off(today, on=later)), 400, "on")
    for role in (Role.COLLECTOR, Role.CREDIT_ADMINISTRATOR, Role.RISK_MANAGER):
        assert api_as(role).post(url(loan.pk, "write-off"), write_off(today)).status_code == 403
    assert written() == before
    for role in (Role.COLLECTOR, Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM):
        assert api_as(role).get(WRITE_OFFS).status_code == 403, role
    assert api_as(Role.ACCOUNTANT).get(WRITE_OFFS).json()["count"] == 0


# --- closure and refunds --------------------------------------------------------------------


def test_a_loan_that_still_owes_is_not_closed(api_as, loan, today):
    before = written()
    api = api_as(Role.CREDIT_ADMINISTRATOR)
    message = refused(
        api.post(url(loan.pk, "close"), {"on": today.isoformat()}), 409, "loan", "obligations_open"
    )
    assert "principal" in message
    refused(api.post(url(loan.pk, "close"), {}), 400, "on")
    for role in (Role.COLLECTOR, Role.BRANCH_SYSTEM, Role.RISK_MANAGER):
        assert (
            api_as(role).post(url(loan.pk, "close"), {"on": today.isoformat()}).status_code == 403
        )
    assert written() == before


def test_a_repaid_loan_left_open_is_closed_and_archived(api_as, closed_loan, today):
    # a repaid loan the payment did not close (say, migrated from the old system as active)
    loan = closed_loan()
    ArchivedFile.objects.filter(loan=loan).delete()
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.ACTIVE, closed_on=None)

    response = api_as(Role.ACCOUNTANT).post(url(loan.pk, "close"), {"on": today.isoformat()})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert response.json()["closed_on"] == today.isoformat()
    assert ArchivedFile.objects.get(loan=loan).archived_on == today


def test_held_money_of_a_closed_loan_is_refunded(api_as, closed_loan, loan, today):
    body = {
        "amount": "1",
        "on": today.isoformat(),
        "applied_on": today.isoformat(),
        "account": "KZ86125KZT5004100100",  # the contract's
    }
    api = api_as(Role.ACCOUNTANT)
    # held money of a loan being repaid goes to its next instalment
    refused(api.post(url(loan.pk, "refunds"), body), 409, "loan", "not_closed")
    closed_loan(extra="5000")
    held = loan_position(loan).held
    assert held == Decimal("5000")
    body["amount"] = "5000"
    before = written()
    too_much = {**body, "amount": str(held + Decimal("0.01"))}
    refused(api.post(url(loan.pk, "refunds"), too_much), 400, "amount", "above_held")
    later = (today + timedelta(days=1)).isoformat()
    refused(api.post(url(loan.pk, "refunds"), {**body, "applied_on": later}), 400, "applied_on")
    bad = {**body, "account": "KZ00125KZT5004100100"}  # wrong check digits
    assert "check digits" in refused(api.post(url(loan.pk, "refunds"), bad), 400, "account")
    for role in (Role.COLLECTOR, Role.CREDIT_ADMINISTRATOR, Role.BRANCH_SYSTEM):
        assert api_as(role).post(url(loan.pk, "refunds"), body).status_code == 403, role
    assert written() == before

    api = api_as(Role.ACCOUNTANT)
    response = api.post(url(loan.pk, "refunds"), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "5000.00"
    assert response.json()["account"] == "KZ86125KZT5004100100"
    assert loan_position(loan).held == 0
    refused(api.post(url(loan.pk, "refunds"), {**body, "amount": "1"}), 400, "amount")
    # the account is masked for roles that neither pay refunds nor need to know
    (row,) = api_as(Role.COLLECTOR).get(url(loan.pk, "refunds")).json()["results"]
    assert row["account"] == "KZ86**************00"


def test_a_closed_loan_refuses_every_change(api_as, closed_loan, today):
    loan = closed_loan()
    admin = api_as(Role.ADMINISTRATOR)
    before = written()
    on = today.isoformat()
    requests = [
        ("get", "payoff", None),
        ("post", "prepayments/preview", prepayment(today)),
        ("post", "prepayments", prepayment(today)),
        ("post", "restructurings", request_body(today)),
        ("post", "demands", {"kind": "misuse", "on": on, "misused_amount": "1", "details": "x"}),
        ("post", "demands", {"kind": "acceleration", "on": on}),
        ("post", "write-off", write_off(today)),
        ("post", "close", {"on": on}),
    ]
    for method, action, body in requests:
        if method == "get":
            response = admin.get(url(loan.pk, action))
        else:
            response = admin.post(url(loan.pk, action), body, format="json")
        refused(response, 409, "loan", "loan_closed")
    assert written() == before
    # its history stays readable
    assert admin.get(url(loan.pk, "schedule-versions")).json()["count"] == 3


# --- what the services get wrong (strict: a fix turns these red, to drop the mark) -----------


def test_a_write_off_records_the_debt_on_its_date(api_as, loan, today):
    response = api_as(Role.ACCOUNTANT).post(url(loan.pk, "write-off"), write_off(today))
    assert response.status_code == 201, response.json()
    # the first instalment is about ten days late: interest and penalty are owed
    assert money(response.json()["interest"]) > 0
    assert money(response.json()["penalty"]) > 0
    assert response.json()["days_past_due"] > 0


def test_a_future_prepayment_date_is_named_on(api_as, loan, today):
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = api_as(Role.ACCOUNTANT).post(
        url(loan.pk, "prepayments"), prepayment(today, on=tomorrow)
    )
    refused(response, 400, "on", "future_date")


def test_a_closed_loans_change_of_terms_is_not_previewed(api_as, officer, closed_loan, loan, today):
    request = services.restructuring_request(
        loan_id=loan.pk, requested_on=today, reason="Turnover fell.", term_months=18, by=officer
    )
    closed_loan()
    response = api_as(Role.ACCOUNTANT).get(f"{RESTRUCTURINGS}{request.pk}/preview/")
    refused(response, 409, "loan", "loan_closed")


# --- the published schema -------------------------------------------------------------------

CHANGE_ENDPOINTS = {
    "/api/v1/loans/{id}/payoff/": {"get"},
    "/api/v1/loans/{id}/prepayments/preview/": {"post"},
    "/api/v1/loans/{id}/prepayments/": {"get", "post"},
    "/api/v1/loans/{id}/schedule-versions/": {"get"},
    "/api/v1/loans/{id}/schedule-versions/{version}/": {"get"},
    "/api/v1/loans/{id}/restructurings/": {"get", "post"},
    "/api/v1/loans/{id}/demands/": {"get", "post"},
    "/api/v1/loans/{id}/write-off/": {"post"},
    "/api/v1/loans/{id}/close/": {"post"},
    "/api/v1/loans/{id}/refunds/": {"get", "post"},
    "/api/v1/restructurings/{id}/": {"get"},
    "/api/v1/restructurings/{id}/preview/": {"get"},
    "/api/v1/restructurings/{id}/agenda/": {"post"},
    "/api/v1/restructurings/{id}/apply/": {"post"},
    "/api/v1/write-offs/": {"get"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_changes_are_published_with_their_errors(schema):
    for path, methods in CHANGE_ENDPOINTS.items():
        assert set(schema["paths"][path]) == methods, path
        for operation in schema["paths"][path].values():
            responses = operation["responses"]
            assert "403" in responses, path
            if "{id}" in path:
                assert "404" in responses, path
            for code, response in responses.items():
                if code.startswith("4"):
                    error = response["content"]["application/json"]["schema"]["$ref"]
                    assert error == "#/components/schemas/ApiError", (path, code)


def test_prepayments_publish_the_key_the_replay_and_the_lists_their_pages(schema):
    operation = schema["paths"]["/api/v1/loans/{id}/prepayments/"]["post"]
    assert {"200", "201", "400", "403", "404", "409"} <= set(operation["responses"])
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert "Idempotent-Replayed" in operation["responses"]["200"]["headers"]
    for path in ("prepayments", "schedule-versions", "restructurings", "demands", "refunds"):
        response = schema["paths"][f"/api/v1/loans/{{id}}/{path}/"]["get"]["responses"]["200"]
        assert "Paginated" in response["content"]["application/json"]["schema"]["$ref"], path
