from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, Stage
from core.models import AuditEvent
from core.roles import Role
from tests.applications.views.conftest import detail_url, pdf

pytestmark = pytest.mark.django_db


def _waiting(application: Application, *, days: int) -> None:
    Application.objects.filter(pk=application.pk).update(
        stage_changed_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def queue_of_three(make_application, make_user):
    """Oldest first would give documents (5 days, in time), consultation (4 days, overdue),
    pre-qualification (1 day, in time); overdue first puts the consultation on top."""
    in_time_old = make_application(
        stages=(Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)
    )
    overdue = make_application()
    fresh = make_application(stages=(Stage.PREQUALIFICATION,))
    _waiting(in_time_old, days=5)  # documents may take 10 days
    _waiting(overdue, days=4)  # a consultation 3
    _waiting(fresh, days=1)
    someone_elses = make_application(by=make_user(Role.CREDIT_ADMINISTRATOR))
    finished = make_application(stages=(Stage.PREQUALIFICATION,))
    finished.stage = Stage.WITHDRAWN
    finished.save()
    return [overdue, in_time_old, fresh], [someone_elses, finished]


def _order(html: str, applications: list[Application]) -> list[Application]:
    positions = {a: html.find(a.number) for a in applications}
    return sorted((a for a in applications if positions[a] >= 0), key=positions.get)


def test_queue_lists_my_open_applications_overdue_first(ca_client, queue_of_three):
    expected, absent = queue_of_three
    html = ca_client.get(reverse("applications:queue")).content.decode()
    assert _order(html, expected + absent) == expected
    assert re.findall(r'data-application="(\d+)" class="overdue"', html) == [str(expected[0].pk)]


def test_queue_filters_by_stage(ca_client, queue_of_three):
    (overdue, in_time_old, fresh), _absent = queue_of_three
    html = ca_client.get(reverse("applications:queue"), {"stage": "documents"}).content.decode()
    assert in_time_old.number in html
    assert overdue.number not in html
    assert fresh.number not in html
    assert "Documents (1)" in html


def test_home_page_shows_the_queue_of_the_credit_administrator(ca_client, queue_of_three):
    expected, absent = queue_of_three
    html = ca_client.get(reverse("home")).content.decode()
    section = html.split('data-role="credit_administrator"')[1].split("</section>")[0]
    assert _order(section, expected + absent) == expected
    assert section.count('class="queue-row overdue"') == 1
    assert f'href="{detail_url(expected[0])}"' in section
    assert "Contracts to prepare" in section


def test_home_page_queue_is_empty_without_applications(client_as):
    html = client_as(Role.CREDIT_ADMINISTRATOR).get(reverse("home")).content.decode()
    assert "You have no open applications." in html
    assert "queue-row" not in html


def test_opening_an_application_writes_the_audit_row(client, make_user, make_application):
    application = make_application()
    viewer = make_user(Role.COMMITTEE_MEMBER)
    client.force_login(viewer)
    assert client.get(detail_url(application)).status_code == 200
    event = AuditEvent.objects.get(action="credit_file.opened", actor=viewer)
    assert event.target_id == str(application.pk)
    assert event.target_type.model == "application"


def test_downloading_a_document_is_an_audited_opening(client, make_user, make_application):
    application = make_application(
        stages=(Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)
    )
    services.document_receive(
        application_id=application.pk,
        document_type="identity",
        upload=pdf(),
        by=application.prepared_by,
    )
    viewer = make_user(Role.MONITORING_MANAGER)
    client.force_login(viewer)
    url = reverse("applications:document-file", args=[application.pk, "identity"])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="credit_file.opened", actor=viewer, target_id=str(application.pk)
    ).exists()


# --- who may open what ----------------------------------------------------------------------

READERS = [Role.COMMITTEE_MEMBER, Role.MONITORING_MANAGER, Role.RISK_MANAGER]
NO_ACCESS = [Role.ACCOUNTANT, Role.BRANCH_SYSTEM]


@pytest.fixture
def pages(make_application, make_applicant):
    application = make_application(
        stages=(Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)
    )
    services.document_receive(
        application_id=application.pk,
        document_type="identity",
        upload=pdf(),
        by=application.prepared_by,
    )
    a, p = application.pk, application.applicant.pk
    read = {
        "applicant-list": reverse("applications:applicant-list"),
        "applicant-detail": reverse("applications:applicant-detail", args=[p]),
        "application-detail": reverse("applications:application-detail", args=[a]),
        "document-file": reverse("applications:document-file", args=[a, "identity"]),
    }
    write_get = {
        "applicant-create": reverse("applications:applicant-create"),
        "applicant-edit": reverse("applications:applicant-edit", args=[p]),
        "application-create": reverse("applications:application-create"),
        "queue": reverse("applications:queue"),
    }
    write_post = {
        name: reverse(f"applications:{name}", args=[a])
        for name in (
            "application-advance",
            "application-refuse",
            "application-withdraw",
            "application-answer",
            "document-receive",
            "document-missing",
            "debt-burden-assess",
            "conclusion-record",
        )
    }
    return application, read, write_get, write_post


@pytest.mark.parametrize("role", NO_ACCESS)
def test_accountant_and_branch_system_are_refused_every_page(client_as, pages, role):
    application, read, write_get, write_post = pages
    client = client_as(role)
    for name, url in {**read, **write_get}.items():
        assert client.get(url).status_code == 403, name
    for name, url in write_post.items():
        assert client.post(url, {"to": "assessment", "document_type": "identity"}).status_code == (
            403
        ), name
    application.refresh_from_db()
    assert application.stage == Stage.DOCUMENTS


@pytest.mark.parametrize("role", READERS)
def test_readers_open_applicant_and_application_pages_but_change_nothing(client_as, pages, role):
    application, read, write_get, write_post = pages
    client = client_as(role)
    for name, url in read.items():
        # a document's scan is personal data: the risk manager has no need to know it
        expected = 403 if name == "document-file" and role == Role.RISK_MANAGER else 200
        assert client.get(url).status_code == expected, name
    for name, url in write_get.items():
        assert client.get(url).status_code == 403, name
    for name, url in write_post.items():
        response = client.post(
            url,
            {"to": "assessment", "document_type": "identity", "ground": "aml_cft", "comment": "x"},
        )
        assert response.status_code == 403, name
    application.refresh_from_db()
    assert application.stage == Stage.DOCUMENTS
    assert application.documents.get(document_type="identity").status == "received"


@pytest.mark.parametrize("role", [Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR])
def test_writers_open_every_page(client_as, pages, role):
    _application, read, write_get, _write_post = pages
    client = client_as(role)
    for name, url in {**read, **write_get}.items():
        assert client.get(url).status_code == 200, name


def test_anonymous_user_is_sent_to_login(client, pages):
    _application, read, _write_get, _write_post = pages
    response = client.get(read["application-detail"])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (
            Role.CREDIT_ADMINISTRATOR,
            {"applications:applicant-list", "applications:queue"},
            set(),
        ),
        (Role.ADMINISTRATOR, {"applications:applicant-list", "applications:queue"}, set()),
        (Role.RISK_MANAGER, {"applications:applicant-list"}, {"applications:queue"}),
        (Role.COMMITTEE_MEMBER, {"applications:applicant-list"}, {"applications:queue"}),
        (Role.MONITORING_MANAGER, {"applications:applicant-list"}, {"applications:queue"}),
        (Role.ACCOUNTANT, set(), {"applications:applicant-list", "applications:queue"}),
    ],
)
def test_menu_shows_the_new_pages_per_role(client_as, role, visible, hidden):
    html = client_as(role).get(reverse("home")).content.decode()
    for name in visible:
        assert f'data-nav="{name}"' in html
    for name in hidden:
        assert f'data-nav="{name}"' not in html
