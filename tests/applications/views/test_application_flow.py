"""The credit administrator's path through an application, in the browser."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Applicant, Application, ApplicationDocument, Stage
from core.models import AuditEvent
from core.roles import Role
from tests.applications.views.conftest import IIN, action_url, detail_url, pdf

pytestmark = pytest.mark.django_db


def _moves_offered(html: str) -> list[str]:
    return re.findall(r'name="to" value="([a-z_]+)"', html)


def _stage(application: Application) -> str:
    application.refresh_from_db()
    return application.stage


def test_main_flow_from_applicant_to_committee(ca_client, unsecured):
    client = ca_client
    response = client.post(
        reverse("applications:applicant-create"),
        {
            "kind": "individual_entrepreneur",
            "iin": IIN,
            "name": "IE Seitkali Nurlan",
            "region": "almaty_city",
            "phone": "+7 701 123 45 67",
            "monthly_income": "900000",
            "existing_monthly_payments": "50000",
        },
    )
    applicant = Applicant.objects.get(iin=IIN)
    assert response.status_code == 302
    assert response.url == reverse("applications:applicant-detail", args=[applicant.pk])
    assert str(applicant.birth_date) == "1990-01-01"  # taken from the IIN

    response = client.post(
        reverse("applications:application-create"),
        {
            "applicant": IIN,
            "product": unsecured.pk,
            "purpose": "working_capital",
            "amount": "1000000",
            "term_months": "12",
            "rate": "12",
            "method": "annuity",
            "repayment_sources": "Trade revenue",
            "collateral_offered": "",
        },
    )
    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response.url == detail_url(application)
    html = client.get(detail_url(application)).content.decode()
    assert _moves_offered(html) == ["prequalification"]

    def advance(to: Stage) -> None:
        response = client.post(action_url("application-advance", application), {"to": to})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert _stage(application) == to

    advance(Stage.PREQUALIFICATION)
    html = client.get(detail_url(application)).content.decode()
    assert "data-provisional" in html
    assert "They do not promise approval" in html
    assert application.provisional_payment > 0
    assert f"{application.provisional_payment:,.2f}" in html

    advance(Stage.APPLICATION)
    advance(Stage.DOCUMENTS)
    html = client.get(detail_url(application)).content.decode()
    documents = list(application.documents.all())
    assert len(documents) == 5
    assert html.count('data-status="missing"') == 5
    for document in documents:
        response = client.post(
            action_url("document-receive", application),
            {"document_type": document.document_type, "file": pdf()},
        )
        assert response.status_code == 302
    html = client.get(detail_url(application)).content.decode()
    assert html.count('data-status="received"') == 5
    assert "5 of 5 received." in html

    advance(Stage.ASSESSMENT)
    response = client.post(action_url("debt-burden-assess", application))
    assert response.status_code == 302
    html = client.get(detail_url(application)).content.decode()
    assert 'data-passes="yes"' in html
    assert application.debt_burden.coefficient < application.debt_burden.limit

    response = client.post(
        action_url("conclusion-record", application),
        {"kind": "credit", "recommendation": "positive", "text": "Solvent, revenue confirmed."},
    )
    assert response.status_code == 302
    assert application.conclusions.get(kind="credit").text == "Solvent, revenue confirmed."

    advance(Stage.COMMITTEE)
    html = client.get(detail_url(application)).content.decode()
    assert _moves_offered(html) == []  # only the committee moves it on
    assert action_url("application-refuse", application) not in html
    assert action_url("application-withdraw", application) in html
    assert f'action="{action_url("document-receive", application)}"' not in html  # closed
    history = re.findall(r'data-action="([a-z_.]+)"', html)
    assert history.count("application.stage_changed") == 5
    assert history.count("application.document_received") == 5
    assert "application.registered" in history
    assert "Documents → Assessment" in html


def test_only_the_next_allowed_moves_are_offered(ca_client, make_application, products):
    at_documents = make_application(stages=(Stage.PREQUALIFICATION, Stage.APPLICATION))
    html = ca_client.get(detail_url(at_documents)).content.decode()
    assert _moves_offered(html) == ["documents"]
    assert action_url("application-refuse", at_documents) in html
    assert action_url("application-answer", at_documents) not in html


def test_a_blocked_move_shows_its_reasons_and_writes_nothing(ca_client, make_application):
    application = make_application(
        stages=(Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)
    )
    since = application.stage_changed_at
    events_before = set(AuditEvent.objects.values_list("pk", flat=True))

    response = ca_client.post(
        action_url("application-advance", application), {"to": Stage.ASSESSMENT}
    )

    html = response.content.decode()
    assert response.status_code == 400
    errors = html.split('data-form-errors="advance"')[1].split("</div>")[0]
    assert "Documents missing:" in errors
    assert "Identity document" in errors
    application.refresh_from_db()
    assert application.stage == Stage.DOCUMENTS
    assert application.stage_changed_at == since
    new_events = AuditEvent.objects.exclude(pk__in=events_before)
    # re-showing the page is an opening of the credit file; the move itself left no trace
    assert set(new_events.values_list("action", flat=True)) == {"credit_file.opened"}


def test_product_limits_block_the_move_to_application(ca_client, make_application):
    application = make_application(stages=(Stage.PREQUALIFICATION,), amount="9000000")
    response = ca_client.post(
        action_url("application-advance", application), {"to": Stage.APPLICATION}
    )
    assert response.status_code == 400
    assert 'data-form-errors="advance"' in response.content.decode()
    assert _stage(application) == Stage.PREQUALIFICATION


def test_a_move_the_rules_do_not_allow_is_refused(ca_client, make_application):
    application = make_application()
    response = ca_client.post(
        action_url("application-advance", application), {"to": Stage.COMMITTEE}
    )
    assert response.status_code == 400
    assert 'data-form-errors="advance"' in response.content.decode()
    assert _stage(application) == Stage.CONSULTATION


def test_refusal_with_a_ground_is_recorded_and_shown(ca_client, make_application):
    application = make_application(stages=(Stage.PREQUALIFICATION, Stage.APPLICATION))
    response = ca_client.post(
        action_url("application-refuse", application),
        {"ground": "insufficient_solvency", "comment": "Income does not cover the payments."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Stage.REFUSED
    assert application.refusal_ground == "insufficient_solvency"
    html = ca_client.get(detail_url(application)).content.decode()
    assert 'data-refusal="insufficient_solvency"' in html
    assert "Insufficient solvency" in html
    assert "Income does not cover the payments." in html
    assert _moves_offered(html) == []
    assert action_url("application-refuse", application) not in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ground": "insufficient_solvency", "comment": ""}, "comment"),
        ({"ground": "not_a_ground", "comment": "Explained."}, "ground"),
    ],
)
def test_refusal_needs_a_ground_and_an_explanation(ca_client, make_application, data, field):
    application = make_application(stages=(Stage.PREQUALIFICATION,))
    response = ca_client.post(action_url("application-refuse", application), data)
    assert response.status_code == 400
    assert f'data-error-for="{field}"' in response.content.decode()
    application.refresh_from_db()
    assert application.stage == Stage.PREQUALIFICATION
    assert application.refusal_ground == ""


def test_withdrawal(ca_client, make_application):
    application = make_application(stages=(Stage.PREQUALIFICATION,))
    response = ca_client.post(
        action_url("application-withdraw", application), {"comment": "Found money elsewhere."}
    )
    assert response.status_code == 302
    assert _stage(application) == Stage.WITHDRAWN


def test_an_upload_of_the_wrong_type_is_refused_beside_the_file(ca_client, make_application):
    application = make_application(
        stages=(Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)
    )
    response = ca_client.post(
        action_url("document-receive", application),
        {
            "document_type": "identity",
            "file": SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/pdf"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    row = html.split('data-document="identity"')[1].split("</tr>")[0]
    assert 'data-error-for="file"' in row
    assert "Only PDF, JPEG and PNG files are accepted." in row
    assert application.documents.get(document_type="identity").status == "missing"


def test_a_received_document_can_be_downloaded_and_marked_missing(ca_client, make_application):
    application = make_application(
        stages=(Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)
    )
    ca_client.post(
        action_url("document-receive", application),
        {"document_type": "identity", "file": pdf("passport.pdf")},
    )
    response = ca_client.get(
        reverse("applications:document-file", args=[application.pk, "identity"])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert "passport.pdf" in response["Content-Disposition"]

    ca_client.post(action_url("document-missing", application), {"document_type": "identity"})
    document = application.documents.get(document_type="identity")
    assert document.status == ApplicationDocument.Status.MISSING


def test_debt_burden_above_the_limit_is_shown_with_its_inputs(
    ca_client, make_application, make_applicant
):
    poor = make_applicant(monthly_income="150000", existing_monthly_payments="40000")
    application = make_application(poor, stages=(Stage.PREQUALIFICATION, Stage.APPLICATION))
    ca_client.post(action_url("debt-burden-assess", application))
    html = ca_client.get(detail_url(application)).content.decode()
    assert 'data-passes="no"' in html
    assert "Above the limit" in html
    assert "150,000.00" in html  # the input it was computed from


def test_conclusion_without_text_is_refused_beside_its_field(ca_client, make_application):
    application = make_application(stages=(Stage.PREQUALIFICATION,))
    response = ca_client.post(
        action_url("conclusion-record", application),
        {"kind": "legal", "recommendation": "positive", "text": "  "},
    )
    html = response.content.decode()
    assert response.status_code == 400
    legal = html.split('data-kind="legal"')[1].split("</article>")[0]
    assert 'data-error-for="text"' in legal
    assert not application.conclusions.exists()


def test_committee_decision_is_shown_and_the_applicant_answers(
    ca_client, ready_for_committee, approve
):
    application = ready_for_committee()
    approve(application, amount="800000")
    assert application.stage == Stage.APPROVED
    html = ca_client.get(detail_url(application)).content.decode()
    assert 'data-decision="approved"' in html
    assert "800,000.00" in html  # approved on other terms than the 1,000,000 requested
    assert action_url("application-answer", application) in html

    response = ca_client.post(action_url("application-answer", application), {"answer": "accept"})
    assert response.status_code == 302
    assert _stage(application) == Stage.ACCEPTED


def test_the_applicant_may_decline_the_approved_terms(ca_client, ready_for_committee, approve):
    application = ready_for_committee()
    approve(application)
    ca_client.post(action_url("application-answer", application), {"answer": "decline"})
    assert _stage(application) == Stage.DECLINED


def test_an_answer_before_approval_is_refused(ca_client, ready_for_committee):
    application = ready_for_committee()
    response = ca_client.post(action_url("application-answer", application), {"answer": "accept"})
    assert response.status_code == 400
    assert "cannot move to" in response.content.decode().split('data-form-errors="action"')[1]
    assert _stage(application) == Stage.COMMITTEE


@pytest.mark.parametrize(
    "role", [Role.COMMITTEE_MEMBER, Role.MONITORING_MANAGER, Role.RISK_MANAGER]
)
def test_readers_see_the_file_without_any_action(client_as, make_application, role):
    application = make_application(stages=(Stage.PREQUALIFICATION,))
    html = client_as(role).get(detail_url(application)).content.decode()
    assert application.number in html
    iin = application.applicant.iin
    masked = f"{iin[:4]}******{iin[-2:]}"
    assert (masked in html and iin not in html) == (role == Role.RISK_MANAGER)
    assert 'method="post" action="/applications/' not in html
    assert _moves_offered(html) == []
