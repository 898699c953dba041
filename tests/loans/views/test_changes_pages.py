from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import committee
from applications.models import Vote
from core.roles import Role
from loans import services
from loans.models import (
    Demand,
    LedgerEntry,
    Loan,
    Payment,
    Prepayment,
    Restructuring,
    ScheduleVersion,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def current_loan(active_loan, today):
    """Disbursed 20 days ago: nothing is due yet, so a partial prepayment is allowed."""
    return active_loan(on=today - timedelta(days=20), amount="1000000", term=12)


@pytest.fixture
def closed_loan(current_loan, accountant, today):
    """Paid off today with 500 KZT too much, which stays held for the borrower."""
    quote = services.payoff_quote_on(loan_id=current_loan.pk, on=today)
    services.payment_post(
        loan_id=current_loan.pk,
        amount=quote.to_pay + Decimal("500"),
        value_date=today,
        channel="cash",
        by=accountant,
    )
    current_loan.refresh_from_db()
    assert current_loan.status == Loan.Status.CLOSED
    return current_loan


@pytest.fixture
def written_off(active_loan, accountant, today):
    loan = active_loan(on=today - timedelta(days=40))
    services.loan_write_off(
        loan_id=loan.pk,
        on=today,
        decision_number="WO-7",
        decided_on=today,
        decided_by_body="Board",
        reason="The borrower cannot be found.",
        by=accountant,
    )
    loan.refresh_from_db()
    return loan


def html_of(response) -> str:
    return response.content.decode()


def error_for(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    return match.group(1) if match else ""


def written() -> tuple[int, int, int, int]:
    return (
        ScheduleVersion.objects.count(),
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        Prepayment.objects.count(),
    )


def prepayment_data(today, **changes) -> dict:
    data = {
        "amount": "300000",
        "on": today.isoformat(),
        "mode": "shorten_term",
        "channel": "cash",
        "application_number": "A-1",
        "applied_on": today.isoformat(),
        "reference": "",
        "token": str(uuid.uuid4()),
        "action": "preview",
    }
    return {**data, **changes}


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("prepayment", Role.ACCOUNTANT),
        ("restructuring-new", Role.CREDIT_ADMINISTRATOR),
        ("demand-misuse", Role.MONITORING_MANAGER),
        ("write-off", Role.ACCOUNTANT),
        ("close", Role.CREDIT_ADMINISTRATOR),
    ],
)
def test_change_pages_open_for_their_roles(client, make_user, current_loan, name, role):
    client.force_login(make_user(role))
    response = client.get(reverse(f"loan-changes:{name}", args=[current_loan.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("prepayment", Role.COLLECTOR),
        ("restructuring-new", Role.ACCOUNTANT),
        ("demand-misuse", Role.RISK_MANAGER),
        ("demand-acceleration", Role.ACCOUNTANT),
        ("write-off", Role.CREDIT_ADMINISTRATOR),
        ("close", Role.COLLECTOR),
        ("refund", Role.CREDIT_ADMINISTRATOR),
    ],
)
def test_change_pages_refuse_other_roles(client, make_user, current_loan, name, role):
    client.force_login(make_user(role))
    response = client.get(reverse(f"loan-changes:{name}", args=[current_loan.pk]))
    assert response.status_code == 403


def test_write_off_report_is_for_risk_accountants_and_administrators(client, make_user):
    url = reverse("loan-changes:write-offs")
    client.force_login(make_user(Role.COLLECTOR))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.RISK_MANAGER))
    assert client.get(url).status_code == 200


# --- the loan page ----------------------------------------------------------------------------


def test_loan_page_shows_payoff_versions_and_the_changes_the_role_may_make(
    client, accountant, current_loan, today
):
    client.force_login(accountant)
    response = client.get(reverse("portfolio:loan", args=[current_loan.pk]))
    html = html_of(response)
    assert response.status_code == 200
    assert "data-payoff-total" in html and "data-to-pay" in html
    assert f'data-quote="{today:%Y-%m-%d}"' in html
    assert reverse("loan-changes:version", args=[current_loan.pk, 1]) in html
    actions = html.split("data-change-actions>")[1].split("</p>")[0]
    assert reverse("loan-changes:prepayment", args=[current_loan.pk]) in actions
    assert reverse("loan-changes:write-off", args=[current_loan.pk]) in actions
    # the registration of a change of terms is the credit administration's
    assert reverse("loan-changes:restructuring-new", args=[current_loan.pk]) not in actions
    # not 40 days late: no acceleration demand is offered
    assert reverse("loan-changes:demand-acceleration", args=[current_loan.pk]) not in actions


def test_payoff_for_a_date_before_the_disbursement_is_refused_beside_the_date(
    client, accountant, current_loan
):
    client.force_login(accountant)
    before = current_loan.disbursed_on - timedelta(days=1)
    response = client.get(
        reverse("portfolio:loan", args=[current_loan.pk]), {"payoff-on": before.isoformat()}
    )
    assert response.status_code == 200
    assert error_for(html_of(response), "on")
    assert "data-payoff-total" not in html_of(response)


def test_version_page_lists_its_lines(client, accountant, current_loan):
    client.force_login(accountant)
    response = client.get(reverse("loan-changes:version", args=[current_loan.pk, 1]))
    assert response.status_code == 200
    assert html_of(response).count("data-line=") == 12
    missing = client.get(reverse("loan-changes:version", args=[current_loan.pk, 9]))
    assert missing.status_code == 404


# --- partial prepayment -----------------------------------------------------------------------


def test_prepayment_preview_shows_the_new_schedule_and_writes_nothing(
    client, accountant, current_loan, today
):
    client.force_login(accountant)
    before = written()
    response = client.post(
        reverse("loan-changes:prepayment", args=[current_loan.pk]), prepayment_data(today)
    )
    html = html_of(response)
    assert response.status_code == 200, html
    assert "data-preview" in html
    assert "data-old-payment" in html and "data-new-payment" in html and "data-new-gesv" in html
    assert written() == before
    current_loan.refresh_from_db()
    assert current_loan.schedule_version == 1


def test_prepayment_post_creates_schedule_version_2_once(client, accountant, current_loan, today):
    client.force_login(accountant)
    url = reverse("loan-changes:prepayment", args=[current_loan.pk])
    data = prepayment_data(today, action="post")
    response = client.post(url, data)
    assert response.status_code == 302
    current_loan.refresh_from_db()
    assert current_loan.schedule_version == 2
    prepayment = Prepayment.objects.get(loan=current_loan)
    assert prepayment.version.version == 2
    assert prepayment.application_number == "A-1"
    again = client.post(url, data)  # the same form submitted twice
    assert again.status_code == 302
    assert Prepayment.objects.filter(loan=current_loan).count() == 1
    page = html_of(client.get(reverse("portfolio:loan", args=[current_loan.pk])))
    assert reverse("loan-changes:version", args=[current_loan.pk, 2]) in page


@pytest.mark.parametrize("amount", ["1000", "-5"])
def test_bad_prepayment_amount_is_shown_on_the_amount_field(
    client, accountant, current_loan, today, amount
):
    client.force_login(accountant)
    before = written()
    for action in ("preview", "post"):
        response = client.post(
            reverse("loan-changes:prepayment", args=[current_loan.pk]),
            prepayment_data(today, amount=amount, action=action),
        )
        assert response.status_code == 400
        assert error_for(html_of(response), "amount")
    assert written() == before


# --- a closed loan is read-only ---------------------------------------------------------------


def test_closed_loan_page_shows_no_change_actions(client, make_user, closed_loan):
    client.force_login(make_user(Role.ADMINISTRATOR))
    html = html_of(client.get(reverse("portfolio:loan", args=[closed_loan.pk])))
    assert 'data-banner="closed"' in html
    assert "data-change-actions" not in html
    assert "data-payoff" not in html
    for name in ("prepayment", "restructuring-new", "write-off", "close", "demand-misuse"):
        assert reverse(f"loan-changes:{name}", args=[closed_loan.pk]) not in html
    # the money held is the borrower's: only its refund is offered
    assert reverse("loan-changes:refund", args=[closed_loan.pk]) in html


@pytest.mark.parametrize(
    "name",
    [
        "prepayment",
        "restructuring-new",
        "demand-acceleration",
        "demand-misuse",
        "write-off",
        "close",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_change_urls_of_a_closed_loan_answer_409(client, make_user, closed_loan, name, method):
    client.force_login(make_user(Role.ADMINISTRATOR))
    before = written()
    url = reverse(f"loan-changes:{name}", args=[closed_loan.pk])
    response = getattr(client, method)(url, {"on": timezone.localdate().isoformat()})
    assert response.status_code == 409
    assert "The loan is closed; its file is read-only." in html_of(response)
    assert written() == before


def test_refund_of_held_money_on_a_closed_loan(client, accountant, closed_loan, today):
    client.force_login(accountant)
    url = reverse("loan-changes:refund", args=[closed_loan.pk])
    too_much = client.post(
        url,
        {
            "amount": "501",
            "on": today.isoformat(),
            "applied_on": today.isoformat(),
            "account": "",
        },
    )
    assert too_much.status_code == 400
    assert error_for(html_of(too_much), "amount")
    response = client.post(
        url,
        {
            "amount": "500",
            "on": today.isoformat(),
            "applied_on": today.isoformat(),
            "account": "",  # the borrower's account under the contract
        },
    )
    assert response.status_code == 302
    assert closed_loan.refunds.get().account == "KZ86125KZT5004100100"


# --- demands, write-off -----------------------------------------------------------------------


def test_acceleration_demand_on_a_loan_not_late_enough_is_refused(
    client, make_user, current_loan, today
):
    client.force_login(make_user(Role.COLLECTOR))
    response = client.post(
        reverse("loan-changes:demand-acceleration", args=[current_loan.pk]),
        {"on": today.isoformat()},
    )
    assert response.status_code == 400
    assert "day 41" in html_of(response)
    assert not Demand.objects.exists()


def test_misuse_demand_is_issued_with_its_fine(client, make_user, current_loan, today):
    client.force_login(make_user(Role.MONITORING_MANAGER))
    response = client.post(
        reverse("loan-changes:demand-misuse", args=[current_loan.pk]),
        {"on": today.isoformat(), "misused_amount": "100000", "details": "Bought a car."},
    )
    assert response.status_code == 302
    demand = Demand.objects.get(loan=current_loan)
    assert demand.fine == Decimal("10000.00")


def test_write_off_form_names_the_missing_field(client, accountant, current_loan, today):
    client.force_login(accountant)
    response = client.post(
        reverse("loan-changes:write-off", args=[current_loan.pk]),
        {"decision_number": "", "decided_on": today.isoformat(), "on": today.isoformat()},
    )
    assert response.status_code == 400
    assert error_for(html_of(response), "decision_number")
    current_loan.refresh_from_db()
    assert current_loan.status == Loan.Status.ACTIVE


def test_write_off_report_lists_a_written_off_loan(client, make_user, written_off):
    client.force_login(make_user(Role.RISK_MANAGER))
    html = html_of(client.get(reverse("loan-changes:write-offs")))
    assert f'data-write-off="{written_off.pk}"' in html
    assert written_off.number in html
    page = html_of(client.get(reverse("portfolio:loan", args=[written_off.pk])))
    assert 'data-banner="written_off"' in page
    assert "WO-7" in page


# --- change of terms through the committee ----------------------------------------------------


def test_change_of_terms_from_request_to_the_signed_agreement(
    client, make_user, officer, current_loan, today
):
    client.force_login(officer)
    response = client.post(
        reverse("loan-changes:restructuring-new", args=[current_loan.pk]),
        {"requested_on": today.isoformat(), "reason": "Seasonal income.", "term_months": "18"},
    )
    assert response.status_code == 302
    change = Restructuring.objects.get(loan=current_loan)

    members = [make_user(Role.COMMITTEE_MEMBER, username=f"rs{n}") for n in range(3)]
    meeting = committee.meeting_create(
        held_on=today, member_ids=[m.pk for m in members], by=members[0]
    )
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(
        reverse("loan-changes:restructuring-agenda", args=[change.pk]), {"meeting": meeting.pk}
    )
    assert response.status_code == 302
    item = meeting.items.get()

    client.force_login(members[0])
    page = html_of(client.get(reverse("committee:meeting", args=[meeting.pk])))
    assert f'data-restructuring="{change.pk}"' in page and change.number in page
    package = client.get(reverse("committee:item", args=[item.pk]))
    assert package.status_code == 200
    assert "Seasonal income." in html_of(package)
    for member in members:
        client.force_login(member)
        response = client.post(reverse("committee:item-vote", args=[item.pk]), {"choice": "for"})
        assert response.status_code == 302
    assert Vote.objects.filter(item=item).count() == 3
    response = client.post(reverse("committee:item-decide", args=[item.pk]), {"comment": ""})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == Restructuring.Status.APPROVED

    client.force_login(officer)
    url = reverse("loan-changes:restructuring-apply", args=[change.pk])
    preview = client.get(url)
    assert preview.status_code == 200 and "data-preview" in html_of(preview)
    assert written()[0] == 2  # versions 0 and 1: the preview kept nothing
    response = client.post(url, {"on": today.isoformat(), "action": "apply"})
    assert response.status_code == 302
    current_loan.refresh_from_db()
    assert current_loan.schedule_version == 2
    change.refresh_from_db()
    assert change.status == Restructuring.Status.APPLIED


def test_committee_refuses_a_change_of_terms_only_with_a_comment(
    client, make_user, officer, current_loan, today
):
    change = services.restructuring_request(
        loan_id=current_loan.pk,
        requested_on=today,
        reason="Lost a client.",
        term_months=18,
        by=officer,
    )
    members = [make_user(Role.COMMITTEE_MEMBER, username=f"rf{n}") for n in range(3)]
    meeting = committee.meeting_create(
        held_on=today, member_ids=[m.pk for m in members], by=members[0]
    )
    item = services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=change.pk, by=members[0]
    )
    for member in members:
        committee.vote_cast(item_id=item.pk, choice="against", comment="No.", by=member)
    client.force_login(members[0])
    url = reverse("committee:item-decide", args=[item.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 400
    assert error_for(html_of(response), "comment")
    response = client.post(url, {"comment": "Income does not support it."})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == Restructuring.Status.REFUSED
