"""Who may print which document, in which languages, and the audit row of every download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db

AGREEMENTS = ("pledge-agreement", "guarantee-agreement")
RELEASE_DOCUMENTS = ("release-receipt", "encumbrance-letter")
ALL_DOCUMENTS = AGREEMENTS + RELEASE_DOCUMENTS
PRINTERS = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR, Role.MONITORING_MANAGER)
AGREEMENT_READERS = (Role.COMMITTEE_MEMBER, Role.RISK_MANAGER)
NO_ACCESS = (Role.ACCOUNTANT, Role.BRANCH_SYSTEM)


@pytest.fixture
def targets(vehicle, guarantee, release):
    """Every document available: a released, registered vehicle and a guarantee."""
    release(vehicle)
    return {
        "pledge-agreement": vehicle.pk,
        "guarantee-agreement": guarantee.pk,
        "release-receipt": vehicle.pk,
        "encumbrance-letter": vehicle.pk,
    }


def _url(name, pk, language="ru"):
    return reverse(f"collateral-documents:{name}", args=[pk, language])


def _printed(user=None):
    events = AuditEvent.objects.filter(action="collateral.document_printed")
    return events.filter(actor=user) if user is not None else events


@pytest.mark.parametrize("role", PRINTERS)
@pytest.mark.parametrize("name", ALL_DOCUMENTS)
def test_printers_download_every_document_and_each_download_is_audited(
    browser, make_user, targets, secured, role, name
):
    user = make_user(role)

    response = browser.as_user(user).get(_url(name, targets[name], "kk"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    event = _printed(user).get()
    assert event.target_id == str(secured.pk)  # on the application's credit file
    assert event.data["document"] == name.replace("-", "_")
    assert event.data["language"] == "kk"
    key = "guarantee" if name == "guarantee-agreement" else "item"
    assert event.data[key] == targets[name]


@pytest.mark.parametrize("role", AGREEMENT_READERS)
@pytest.mark.parametrize("name", AGREEMENTS)
def test_committee_members_and_risk_managers_read_the_agreements(
    browser, make_user, targets, role, name
):
    user = make_user(role)

    response = browser.as_user(user).get(_url(name, targets[name]))

    assert response.status_code == 200
    assert _printed(user).count() == 1


@pytest.mark.parametrize("role", AGREEMENT_READERS)
@pytest.mark.parametrize("name", RELEASE_DOCUMENTS)
def test_committee_members_and_risk_managers_do_not_print_release_documents(
    browser, make_user, targets, role, name
):
    user = make_user(role)

    response = browser.as_user(user).get(_url(name, targets[name]))

    assert response.status_code == 403
    assert not _printed().exists()


@pytest.mark.parametrize("role", NO_ACCESS)
@pytest.mark.parametrize("name", ALL_DOCUMENTS)
def test_accountants_and_branch_systems_are_refused(browser, make_user, targets, role, name):
    response = browser.as_user(make_user(role)).get(_url(name, targets[name]))

    assert response.status_code == 403
    assert not _printed().exists()


@pytest.mark.parametrize("name", ALL_DOCUMENTS)
def test_anonymous_visitors_are_sent_to_log_in(client, targets, name):
    response = client.get(_url(name, targets[name]))

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not _printed().exists()


@pytest.mark.parametrize("language", ["en", "de", "KK"])
@pytest.mark.parametrize("name", ALL_DOCUMENTS)
def test_documents_exist_only_in_kazakh_and_russian(browser, officer, targets, name, language):
    response = browser.as_user(officer).get(_url(name, targets[name], language))

    assert response.status_code == 404
    assert not _printed().exists()


@pytest.mark.parametrize("name", ALL_DOCUMENTS)
def test_an_unknown_id_is_not_found(browser, officer, targets, name):
    response = browser.as_user(officer).get(_url(name, 999_999))

    assert response.status_code == 404


def test_every_download_writes_its_own_audit_row(browser, officer, targets):
    browser.as_user(officer)
    for language in ("kk", "ru", "kk"):
        assert (
            browser.get(_url("pledge-agreement", targets["pledge-agreement"], language)).status_code
            == 200
        )

    assert [e.data["language"] for e in _printed(officer).order_by("id")] == ["kk", "ru", "kk"]
