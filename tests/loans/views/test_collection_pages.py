from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from loans import services
from loans.collection_views import bucket_range
from loans.domain.servicing import Bucket
from loans.models import ContactRecord, Loan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def loans(active_loan, today) -> tuple[Loan, Loan]:
    """A loan about 40 days past due and one not yet at its first due date, closed through
    yesterday (the daily close writes the snapshots the queue reads)."""
    late = active_loan(on=today - timedelta(days=70))
    current = active_loan(on=today - timedelta(days=5))
    services.close_day(on=late.disbursed_on)
    services.close_day(on=today - timedelta(days=1))  # catches up the days between
    return late, current


def html_of(response) -> str:
    return response.content.decode()


def row_of(html: str, loan: Loan) -> str:
    match = re.search(rf'<tr data-loan="{loan.pk}".*?</tr>', html, re.S)
    return match.group(0) if match else ""


def error_for(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    return match.group(1) if match else ""


def _promise(loan: Loan, *, on, by) -> ContactRecord:
    # written directly: the service accepts only dates from today on, and this one has passed
    return ContactRecord.objects.create(
        loan=loan,
        channel=ContactRecord.Channel.CALL,
        outcome=ContactRecord.Outcome.PROMISE,
        promised_amount=Decimal("50000"),
        promised_on=on,
        contacted_at=timezone.now(),
        recorded_by=by,
    )


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "args"), [("collection-queue", []), ("contact-new", [1])])
def test_anonymous_user_is_sent_to_login(client, name, args):
    response = client.get(reverse(f"servicing:{name}", args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.CREDIT_ADMINISTRATOR, Role.RISK_MANAGER])
def test_other_roles_cannot_open_the_collection_pages(client_as, active_loan, today, role):
    loan = active_loan(on=today)
    client = client_as(role)
    assert client.get(reverse("servicing:collection-queue")).status_code == 403
    url = reverse("servicing:contact-new", args=[loan.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"channel": "call", "outcome": "reached"}).status_code == 403
    assert not ContactRecord.objects.filter(recorded_by__isnull=False).exists()


# --- the queue --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COLLECTOR, Role.MONITORING_MANAGER, Role.ADMINISTRATOR])
def test_queue_lists_the_late_loan_and_not_the_current_one(client_as, loans, role):
    late, current = loans
    html = html_of(client_as(role).get(reverse("servicing:collection-queue")))
    row = row_of(html, late)
    days = late.snapshots.order_by("-on").first().days_past_due
    assert 30 < days <= 60
    assert f"data-days-past-due>{days}<" in row
    assert "<td data-bucket>31-60</td>" in row
    assert reverse("servicing:contact-new", args=[late.pk]) in row
    assert not row_of(html, current)


def test_queue_filters_by_bucket(client_as, loans):
    late, _current = loans
    client = client_as(Role.COLLECTOR)
    url = reverse("servicing:collection-queue")
    assert row_of(html_of(client.get(url, {"bucket": "31-60"})), late)
    html = html_of(client.get(url, {"bucket": "1-30"}))
    assert not row_of(html, late)
    assert "No late loans." in html
    assert re.search(r'data-bucket="31-60"[^>]*>31-60 days \(1\)', html)


def test_queue_flags_a_broken_promise(client_as, loans, make_user, today):
    late, _current = loans
    _promise(late, on=today - timedelta(days=2), by=make_user(Role.COLLECTOR))
    row = row_of(
        html_of(client_as(Role.COLLECTOR).get(reverse("servicing:collection-queue"))), late
    )
    assert "data-broken-promise" in row
    assert "broken promise" in row
    assert (today - timedelta(days=2)).strftime("%d.%m.%Y") in row


def test_a_promise_not_yet_due_is_not_broken(client_as, loans, make_user, today):
    late, _current = loans
    _promise(late, on=today, by=make_user(Role.COLLECTOR))
    row = row_of(
        html_of(client_as(Role.COLLECTOR).get(reverse("servicing:collection-queue"))), late
    )
    assert "data-broken-promise" not in row
    assert "Promise to pay" in row  # the last outcome


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        (Bucket.DPD_1_30, (1, 30)),
        (Bucket.DPD_31_60, (31, 60)),
        (Bucket.DPD_61_90, (61, 90)),
        (Bucket.DPD_90_PLUS, (91, None)),
    ],
)
def test_bucket_ranges_follow_the_bounds(bucket, expected):
    assert bucket_range(bucket) == expected


# --- recording a contact ----------------------------------------------------------------------


def test_collector_records_a_contact(client_as, active_loan, today):
    loan = active_loan(on=today)
    client = client_as(Role.COLLECTOR)
    url = reverse("servicing:contact-new", args=[loan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"channel": "call", "outcome": "reached", "note": "Will pay."})
    assert response.status_code == 302
    record = ContactRecord.objects.get(loan=loan, recorded_by__isnull=False)
    assert (record.channel, record.outcome, record.note) == ("call", "reached", "Will pay.")


def test_a_promise_is_recorded_with_its_amount_and_date(client_as, active_loan, today):
    loan = active_loan(on=today)
    response = client_as(Role.MONITORING_MANAGER).post(
        reverse("servicing:contact-new", args=[loan.pk]),
        {
            "channel": "visit",
            "outcome": "promise",
            "promised_amount": "75000.50",
            "promised_on": (today + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    record = ContactRecord.objects.get(loan=loan)
    assert record.promised_amount == Decimal("75000.50")
    assert record.promised_on == today + timedelta(days=3)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"outcome": "promise", "promised_amount": "50000"},
            "promised_on",
            "A promise to pay needs a date from today on.",
        ),
        (
            {"outcome": "promise", "promised_on": "+3"},
            "promised_amount",
            "A promise to pay needs a positive amount in whole tiyn.",
        ),
        ({"channel": ""}, "channel", "This field is required."),
        ({"outcome": ""}, "outcome", "This field is required."),
        ({"promised_on": "someday"}, "promised_on", "Enter a valid date."),
    ],
)
def test_bad_contact_input_is_shown_beside_the_field(
    client_as, active_loan, today, data, field, message
):
    loan = active_loan(on=today)
    posted = {"channel": "call", "outcome": "reached", **data}
    if posted.get("promised_on") == "+3":
        posted["promised_on"] = (today + timedelta(days=3)).isoformat()
    response = client_as(Role.COLLECTOR).post(
        reverse("servicing:contact-new", args=[loan.pk]), posted
    )
    assert response.status_code == 400
    assert error_for(html_of(response), field) == message
    assert not ContactRecord.objects.filter(loan=loan).exists()


def test_contacts_are_recorded_on_disbursed_loans_only(client_as, accepted, officer, today):
    application = accepted()
    loan = services.contract_create(
        application_id=application.pk, planned_disbursement_date=today, by=officer
    )
    response = client_as(Role.COLLECTOR).post(
        reverse("servicing:contact-new", args=[loan.pk]), {"channel": "call", "outcome": "reached"}
    )
    assert response.status_code == 400
    assert "The loan is not disbursed yet." in html_of(response)
    assert not ContactRecord.objects.exists()


# --- the collector's home page ----------------------------------------------------------------


def _section(html: str) -> str:
    return html.split('data-role="collector"')[1].split("</section>")[0]


def test_collector_home_shows_the_late_loans_and_the_promises_due_today(
    client_as, loans, make_user, today
):
    late, current = loans
    services.contact_record(
        loan_id=late.pk,
        channel="call",
        outcome="promise",
        promised_amount=Decimal("40000"),
        promised_on=today,
        by=make_user(Role.COLLECTOR),
    )
    html = html_of(client_as(Role.COLLECTOR).get(reverse("home")))
    section = _section(html)
    promises, latest = section.split("The latest loans")
    contact_url = reverse("servicing:contact-new", args=[late.pk])
    assert "Promises to pay due today" in promises
    assert contact_url in promises
    assert contact_url in latest
    assert reverse("servicing:contact-new", args=[current.pk]) not in section
    assert 'data-nav="servicing:collection-queue"' in html


def test_collector_home_without_late_loans(client_as):
    html = html_of(client_as(Role.COLLECTOR).get(reverse("home")))
    section = _section(html)
    assert "No loan is late." in section
    assert "No promises fall due today." in section
