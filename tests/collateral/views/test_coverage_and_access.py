"""Coverage on the application page and the credit package; who may open which page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import committee, services
from applications.models import Conclusion, Stage
from collateral import services as collateral
from core.roles import Role
from tests.collateral.views.conftest import appraise, item_url

pytestmark = pytest.mark.django_db


def _application_page(client, application) -> str:
    response = client.get(reverse("applications:application-detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_application_page_shows_coverage_against_the_product_minimum(
    officer_client, officer, secured, vehicle
):
    html = _application_page(officer_client, secured)
    assert 'data-coverage-state="not_appraised"' in html
    assert 'data-required="1.0000"' in html

    item = vehicle()
    appraise(item, officer, "10000000", on=timezone.localdate() - timedelta(days=10))
    html = _application_page(officer_client, secured)
    assert 'data-coverage="1.2000"' in html
    assert 'data-coverage-state="meets"' in html
    assert "120.00 %" in html and "100.00 %" in html
    assert item_url("item", item) in html
    assert reverse("collateral:application", args=[secured.pk]) in html

    appraise(item, officer, "7500000")  # the latest counts: 4,500,000 over 5,000,000
    html = _application_page(officer_client, secured)
    assert 'data-coverage="0.9000"' in html
    assert 'data-coverage-state="below"' in html
    assert "500,000.00 KZT of pledge value is missing" in html


def test_an_unsecured_application_takes_no_collateral(officer_client, new_application):
    application = new_application()
    html = _application_page(officer_client, application)
    assert "An unsecured product: no collateral is taken." in html
    html = officer_client.get(
        reverse("collateral:application", args=[application.pk])
    ).content.decode()
    assert reverse("collateral:item-create", args=[application.pk]) not in html


def test_the_credit_package_shows_the_collateral_and_its_coverage(
    client, officer, secured, advance, receive_all, vehicle, make_user
):
    advance(secured, Stage.DOCUMENTS)
    receive_all(secured)
    advance(secured, Stage.COLLATERAL_APPRAISAL)
    item = vehicle()
    collateral.title_document_add(item_id=item.pk, name="Registration", by=officer)
    appraise(item, officer, "10000000")
    advance(secured, Stage.ASSESSMENT)
    services.debt_burden_assess(application_id=secured.pk, by=officer)
    services.conclusion_record(
        application_id=secured.pk,
        kind=Conclusion.Kind.CREDIT,
        recommendation=Conclusion.Recommendation.POSITIVE,
        text="Solvent.",
        by=officer,
    )
    advance(secured, Stage.COMMITTEE)
    members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )
    agenda_item = committee.agenda_add(
        meeting_id=meeting.pk, application_id=secured.pk, amount=Decimal("4000000"), by=members[0]
    )
    client.force_login(members[1])
    response = client.get(reverse("committee:item", args=[agenda_item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-collateral-summary" in html
    assert 'data-coverage="1.2000"' in html  # of the requested 5,000,000
    assert 'data-coverage="1.5000"' in html  # of the 4,000,000 put to the vote
    assert "Toyota Hilux" in html
    assert item_url("item", item) in html


# --- who may open what ----------------------------------------------------------------------

PAGES = ("application", "item-create", "item", "queue", "inspection-create", "payout-create")
ACTIONS = (
    "guarantee-add",
    "title-document-add",
    "appraisal-record",
    "pledge-register",
    "insurance-add",
    "item-release",
)
OPENS = {
    Role.CREDIT_ADMINISTRATOR: {"application", "item-create", "item"},
    Role.ADMINISTRATOR: set(PAGES),
    Role.COMMITTEE_MEMBER: {"application", "item"},
    Role.MONITORING_MANAGER: {"application", "item", "queue", "inspection-create", "payout-create"},
    Role.RISK_MANAGER: {"application", "item", "queue"},
    Role.ACCOUNTANT: set(),
    Role.BRANCH_SYSTEM: set(),
}


def _urls(application, item) -> dict[str, str]:
    by_application = {"application", "item-create", "guarantee-add"}
    return {
        name: reverse("collateral:inspection-queue")
        if name == "queue"
        else reverse(
            f"collateral:{name}",
            args=[application.pk if name in by_application else item.pk],
        )
        for name in (*PAGES, *ACTIONS)
    }


@pytest.mark.parametrize("role", list(OPENS))
def test_each_role_opens_only_its_collateral_pages(client_as, role, secured, vehicle):
    urls = _urls(secured, vehicle())
    client = client_as(role)
    for name in PAGES:
        expected = 200 if name in OPENS[role] else 403
        assert client.get(urls[name]).status_code == expected, name


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMITTEE_MEMBER,
        Role.MONITORING_MANAGER,
        Role.RISK_MANAGER,
        Role.ACCOUNTANT,
        Role.BRANCH_SYSTEM,
    ],
)
def test_only_credit_administrators_change_collateral(client_as, role, secured, vehicle):
    urls = _urls(secured, vehicle())
    client = client_as(role)
    for name in ACTIONS:
        assert client.post(urls[name], {}).status_code == 403, name


@pytest.mark.parametrize("role", [Role.CREDIT_ADMINISTRATOR, Role.RISK_MANAGER])
def test_only_monitoring_records_inspections_and_payouts(client_as, role, vehicle):
    item = vehicle()
    client = client_as(role)
    for name in ("inspection-create", "payout-create"):
        assert client.post(item_url(name, item), {}).status_code == 403, name


def test_anonymous_users_are_sent_to_log_in(client, secured, vehicle):
    for url in _urls(secured, vehicle()).values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_the_menu_offers_the_inspection_queue_to_monitoring(client_as):
    html = client_as(Role.MONITORING_MANAGER).get(reverse("home")).content.decode()
    assert 'data-nav="collateral:inspection-queue"' in html
    html = client_as(Role.ACCOUNTANT).get(reverse("home")).content.decode()
    assert 'data-nav="collateral:inspection-queue"' not in html
