"""The pages of issue 15, item 2: the edit page keeps a signed contract's party's identity, the
correction is requested on the applicant's page and decided by a second person in the queue."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.identity import applicant_identity_correction_request
from applications.models import Applicant, IdentityCorrection
from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db

BORROWER_IIN = "900101300017"
OTHER_IIN = "900202300006"
QUEUE = "applications:identity-correction-queue"
# the edit form as the page posts it for tests.fixtures.lending's applicant
FORM = {
    "kind": "individual_entrepreneur",
    "iin": BORROWER_IIN,
    "bin": "",
    "name": "ИП Сейтқали",
    "birth_date": "1990-01-01",
    "region": "almaty_city",
    "monthly_income": "900000",
    "existing_monthly_payments": "50000",
    "activity_code": "47.11",
}


@pytest.fixture
def borrower(active_loan) -> Applicant:
    return active_loan(on=timezone.localdate()).borrower


@pytest.fixture
def pending(borrower, officer) -> IdentityCorrection:
    return applicant_identity_correction_request(
        applicant_id=borrower.pk,
        changes={"iin": OTHER_IIN},
        reason="Identity card No. 012345678.",
        by=officer,
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("change", "field"),
    [({"iin": OTHER_IIN, "birth_date": ""}, "iin"), ({"name": "Someone Else"}, "name")],
)
def test_the_edit_page_refuses_to_change_the_identity_of_a_borrower(
    client, officer, borrower, change, field
):
    url = reverse("applications:applicant-edit", args=[borrower.pk])
    page = login(client, officer).get(url).content.decode()
    assert "readonly" in page.split('name="iin"')[1].split(">")[0]

    response = client.post(url, {**FORM, **change})

    assert response.status_code == 400
    html = response.content.decode()
    assert "a party to a signed contract" in html.split(f'data-error-for="{field}">')[1]
    borrower.refresh_from_db()
    assert (borrower.iin, borrower.name) == (BORROWER_IIN, "ИП Сейтқали")
    assert not AuditEvent.objects.filter(action="applicant.updated").exists()


def test_the_edit_page_still_saves_the_other_fields(client, officer, borrower):
    url = reverse("applications:applicant-edit", args=[borrower.pk])
    response = login(client, officer).post(url, {**FORM, "phone": "8 701 123 45 67"})
    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.phone == "+77011234567"
    event = AuditEvent.objects.get(action="applicant.updated")
    assert event.data["new"] == {"phone": "+77011234567"}


def test_a_correction_is_requested_on_the_applicants_page(client, officer, borrower):
    page_url = reverse("applications:applicant-detail", args=[borrower.pk])
    html = login(client, officer).get(page_url).content.decode()
    assert "data-identity-fixed" in html
    assert 'data-form="identity-correction"' in html
    url = reverse("applications:identity-correction-request", args=[borrower.pk])

    missing_reason = client.post(url, {"iin": OTHER_IIN, "reason": ""})
    assert missing_reason.status_code == 400
    assert 'data-error-for="reason"' in missing_reason.content.decode()
    bad_digit = client.post(url, {"iin": "900202300007", "reason": "Card."})
    assert bad_digit.status_code == 400
    assert 'data-error-for="iin"' in bad_digit.content.decode()
    assert not IdentityCorrection.objects.exists()

    response = client.post(url, {"iin": OTHER_IIN, "reason": "Identity card No. 012345678."})

    assert response.status_code == 302
    correction = IdentityCorrection.objects.get()
    assert correction.status == "pending" and correction.requested_by == officer
    borrower.refresh_from_db()
    assert borrower.iin == BORROWER_IIN  # not before a second person approves
    again = client.post(url, {"name": "Other", "reason": "Card."})
    assert again.status_code == 409


def test_the_requester_sees_the_correction_but_cannot_approve_it(client, officer, pending):
    html = login(client, officer).get(reverse(QUEUE)).content.decode()
    assert f'data-correction="{pending.pk}"' in html
    assert "A second person decides." in html
    assert reverse("applications:identity-correction-approve", args=[pending.pk]) not in html


def test_an_administrator_who_requested_cannot_approve_by_posting(client, make_user, borrower):
    administrator = make_user(Role.ADMINISTRATOR)
    correction = applicant_identity_correction_request(
        applicant_id=borrower.pk, changes={"name": "X Y"}, reason="Passport.", by=administrator
    )
    url = reverse("applications:identity-correction-approve", args=[correction.pk])

    response = login(client, administrator).post(url)

    assert response.status_code == 403
    assert "a second person decides" in response.content.decode()
    correction.refresh_from_db()
    borrower.refresh_from_db()
    assert (correction.status, borrower.name) == ("pending", "ИП Сейтқали")


def test_a_second_person_approves_in_the_queue(client, make_user, borrower, pending):
    approver = make_user(Role.MONITORING_MANAGER)
    login(client, approver)
    home = client.get(reverse("home")).content.decode()
    assert reverse(QUEUE) + f"#correction-{pending.pk}" in home
    queue = client.get(reverse(QUEUE)).content.decode()
    approve_url = reverse("applications:identity-correction-approve", args=[pending.pk])
    assert approve_url in queue

    response = client.post(approve_url)

    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.iin == OTHER_IIN
    history = client.get(reverse("applications:applicant-detail", args=[borrower.pk]))
    rows = history.content.decode().split('data-change="applicant.identity_corrected"')
    assert BORROWER_IIN in rows[1] and OTHER_IIN in rows[1]


def test_a_rejection_needs_a_comment_and_changes_nothing(client, make_user, borrower, pending):
    login(client, make_user(Role.MONITORING_MANAGER))
    url = reverse("applications:identity-correction-reject", args=[pending.pk])

    assert client.post(url, {"comment": ""}).status_code == 400
    assert client.post(url, {"comment": "The card shows the registered IIN."}).status_code == 302

    pending.refresh_from_db()
    borrower.refresh_from_db()
    assert (pending.status, borrower.iin) == ("rejected", BORROWER_IIN)


@pytest.mark.parametrize(
    "role",
    [
        Role.RISK_MANAGER,
        Role.ACCOUNTANT,
        Role.COLLECTOR,
        Role.COMMITTEE_MEMBER,
        Role.BRANCH_SYSTEM,
        Role.MONITORING_MANAGER,
        Role.CREDIT_ADMINISTRATOR,
    ],
)
def test_every_page_checks_the_role(client, make_user, borrower, pending, role):
    request_url = reverse("applications:identity-correction-request", args=[borrower.pk])
    approve_url = reverse("applications:identity-correction-approve", args=[pending.pk])
    reject_url = reverse("applications:identity-correction-reject", args=[pending.pk])
    may_request = role == Role.CREDIT_ADMINISTRATOR
    may_see_queue = role in (Role.CREDIT_ADMINISTRATOR, Role.MONITORING_MANAGER)
    may_decide = role == Role.MONITORING_MANAGER
    login(client, make_user(role))

    assert (client.get(request_url).status_code == 200) == may_request
    if not may_request:
        assert client.post(request_url, {"name": "X", "reason": "Y"}).status_code == 403
    assert (client.get(reverse(QUEUE)).status_code == 200) == may_see_queue
    if not may_decide:
        assert client.post(approve_url).status_code == 403
        assert client.post(reject_url, {"comment": "No."}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert IdentityCorrection.objects.count() == 1
