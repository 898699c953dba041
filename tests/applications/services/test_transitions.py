from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from applications import services
from applications.errors import TransitionBlocked, TransitionNotAllowed
from applications.models import (
    Application,
    ApplicationDocument,
    LendingPolicy,
    RefusalGround,
    Stage,
)
from applications.transitions import ALLOWED, DECIDED_BY_COMMITTEE
from core.errors import DomainError
from core.models import AuditEvent
from tests.fixtures.lending import pdf

pytestmark = pytest.mark.django_db

PATH_UNSECURED = [Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS]


def test_the_happy_path_of_an_unsecured_application(at_committee):
    application = at_committee()
    assert application.stage == Stage.COMMITTEE
    moves = [
        (e.data["from"], e.data["to"])
        for e in AuditEvent.objects.filter(
            action="application.stage_changed", target_id=str(application.pk)
        ).order_by("id")
    ]
    assert moves == [
        ("consultation", "prequalification"),
        ("prequalification", "application"),
        ("application", "documents"),
        ("documents", "assessment"),
        ("assessment", "committee"),
    ]


def test_prequalification_gives_provisional_terms(new_application, advance):
    application = advance(new_application(), Stage.PREQUALIFICATION)
    assert application.provisional_amount == application.requested_amount
    assert application.provisional_term_months == 12
    # 1,000,000 at 12 % for 12 months, actual/360: about 89 thousand a month
    assert 88_000 < application.provisional_payment < 90_000


NOT_IN_TABLE = [
    (current, target)
    for current in Stage
    for target in Stage
    # refusal and withdrawal have their own services, tested below
    if target not in ALLOWED[current] and target not in (Stage.REFUSED, Stage.WITHDRAWN)
]


@pytest.mark.parametrize(("current", "target"), NOT_IN_TABLE)
def test_moves_not_in_the_table_are_refused_with_409(new_application, current, target):
    application = new_application()
    Application.objects.filter(pk=application.pk).update(stage=current, refusal_ground="aml_cft")
    with pytest.raises(TransitionNotAllowed) as error:
        services.application_advance(
            application_id=application.pk, to=target, by=application.prepared_by
        )
    assert error.value.http_status == 409
    assert Application.objects.get(pk=application.pk).stage == current


@pytest.mark.parametrize("move", sorted(DECIDED_BY_COMMITTEE))
def test_committee_outcomes_are_not_plain_moves(at_committee, move):
    application = at_committee()
    with pytest.raises(TransitionNotAllowed):
        services.application_advance(
            application_id=application.pk, to=move[1], by=application.prepared_by
        )


def test_documents_stage_opens_the_checklist_of_product_and_applicant_type(
    new_application, advance
):
    application = advance(new_application(), *PATH_UNSECURED)
    assert set(application.documents.values_list("document_type", flat=True)) == {
        "application_form",
        "identity",
        "income",
        "bureau_consent",
        "gov_consent",
    }
    assert set(application.documents.values_list("status", flat=True)) == {"missing"}


def test_missing_documents_block_the_assessment_and_are_listed(new_application, advance, officer):
    application = advance(new_application(), *PATH_UNSECURED)
    services.document_receive(
        application_id=application.pk, document_type="identity", upload=pdf(), by=officer
    )
    with pytest.raises(TransitionBlocked) as error:
        services.application_advance(application_id=application.pk, to=Stage.ASSESSMENT, by=officer)
    assert error.value.http_status == 400
    assert "Documents for the debt-burden calculation" in error.value.message
    assert "Identity document" not in error.value.message
    assert Application.objects.get(pk=application.pk).stage == Stage.DOCUMENTS


def test_a_secured_application_goes_through_appraisal(
    new_application, advance, receive_all, officer
):
    application = advance(new_application("almaty-secured", "5000000", 36, "6"), *PATH_UNSECURED)
    receive_all(application)
    with pytest.raises(TransitionNotAllowed, match="collateral appraisal first"):
        services.application_advance(application_id=application.pk, to=Stage.ASSESSMENT, by=officer)
    advance(application, Stage.COLLATERAL_APPRAISAL)
    # the appraisal stage ends only with eligible, appraised collateral (tests/collateral)
    with pytest.raises(TransitionBlocked, match="No collateral has been registered"):
        services.application_advance(application_id=application.pk, to=Stage.ASSESSMENT, by=officer)


def test_an_unsecured_application_has_no_appraisal(new_application, advance, receive_all, officer):
    application = advance(new_application(), *PATH_UNSECURED)
    receive_all(application)
    with pytest.raises(TransitionNotAllowed, match="no collateral"):
        services.application_advance(
            application_id=application.pk, to=Stage.COLLATERAL_APPRAISAL, by=officer
        )


def test_upload_of_a_wrong_type_or_size_is_refused(new_application, advance, officer):
    application = advance(new_application(), *PATH_UNSECURED)
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as error:
        services.document_receive(
            application_id=application.pk, document_type="identity", upload=exe, by=officer
        )
    assert error.value.field == "file"
    LendingPolicy.objects.update(max_upload_mb=1)
    big = SimpleUploadedFile("b.pdf", b"%PDF" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(DomainError, match="larger than 1 MB"):
        services.document_receive(
            application_id=application.pk, document_type="identity", upload=big, by=officer
        )
    document = ApplicationDocument.objects.get(application=application, document_type="identity")
    assert document.status == "missing"
    assert not document.file


def test_committee_needs_the_debt_burden_and_the_credit_conclusion(
    new_application, advance, receive_all, officer
):
    application = advance(new_application(), *PATH_UNSECURED)
    receive_all(application)
    advance(application, Stage.ASSESSMENT)
    with pytest.raises(TransitionBlocked) as error:
        services.application_advance(application_id=application.pk, to=Stage.COMMITTEE, by=officer)
    assert "debt burden has not been assessed" in error.value.message
    assert "credit analyst's conclusion is missing" in error.value.message


def test_debt_burden_above_the_limit_blocks_the_committee(
    applicant, new_application, advance, receive_all, officer
):
    applicant.monthly_income = 150_000
    applicant.save()
    application = advance(new_application(), *PATH_UNSECURED)
    receive_all(application)
    advance(application, Stage.ASSESSMENT)
    assessment = services.debt_burden_assess(application_id=application.pk, by=officer)
    # (50,000 existing + about 89,000 new) / 150,000 is over 0.5
    assert assessment.coefficient > assessment.limit == 0.5
    assert not assessment.passes
    services.conclusion_record(
        application_id=application.pk,
        kind="credit",
        recommendation="negative",
        text="x",
        by=officer,
    )
    with pytest.raises(TransitionBlocked, match="above the limit"):
        services.application_advance(application_id=application.pk, to=Stage.COMMITTEE, by=officer)
    # the refusal on that ground is recorded and explained
    services.application_refuse(
        application_id=application.pk,
        ground=RefusalGround.INSUFFICIENT_SOLVENCY,
        comment="The debt burden exceeds 0.5.",
        by=officer,
    )
    application.refresh_from_db()
    assert application.stage == Stage.REFUSED
    assert application.refusal_ground == "insufficient_solvency"


def test_debt_burden_stores_its_inputs(at_committee):
    assessment = at_committee().debt_burden
    assert assessment.monthly_income == 900_000
    assert assessment.existing_payments == 50_000
    assert assessment.new_loan_payment > 0
    expected = (
        assessment.existing_payments + assessment.new_loan_payment
    ) / assessment.monthly_income
    assert abs(assessment.coefficient - expected) < 0.0001


def test_borrowers_with_overdue_history_have_the_lower_limit(applicant, at_committee):
    applicant.overdue_90_last_12_months = True
    applicant.save()
    assert at_committee().debt_burden.limit == 0.25


@pytest.mark.parametrize("ground", [g for g, _ in RefusalGround.choices])
def test_each_refusal_ground_is_recorded(new_application, advance, officer, ground):
    application = advance(new_application(), Stage.PREQUALIFICATION)
    services.application_refuse(
        application_id=application.pk, ground=ground, comment="Explained.", by=officer
    )
    application.refresh_from_db()
    assert (application.stage, application.refusal_ground) == (Stage.REFUSED, ground)


@pytest.mark.parametrize(
    ("ground", "comment", "field"),
    [("", "Explained.", "ground"), ("no_such_ground", "x", "ground"), ("aml_cft", "  ", "comment")],
)
def test_refusal_needs_a_ground_and_an_explanation(
    new_application, officer, ground, comment, field
):
    application = new_application()
    services.application_advance(
        application_id=application.pk, to=Stage.PREQUALIFICATION, by=officer
    )
    with pytest.raises(DomainError) as error:
        services.application_refuse(
            application_id=application.pk, ground=ground, comment=comment, by=officer
        )
    assert error.value.field == field
    assert Application.objects.get(pk=application.pk).stage == Stage.PREQUALIFICATION


def test_refusal_is_not_possible_on_the_committee_stage_outside_the_committee(
    at_committee, officer
):
    application = at_committee()
    with pytest.raises(TransitionNotAllowed):
        services.application_refuse(
            application_id=application.pk, ground="aml_cft", comment="x", by=officer
        )


def test_withdrawal_from_any_open_stage_but_not_after_a_decision(new_application, officer):
    application = new_application()
    services.application_withdraw(application_id=application.pk, comment="changed mind", by=officer)
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(application_id=application.pk, comment="again", by=officer)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"region": "ulytau"}, "does not lend in this region"),
        ({"activity_code": "92.00.1"}, "not financed"),
        ({"iin": "500101300013"}, "the rules require 18 to 65"),  # born 1950: over 65
    ],
)
def test_borrower_requirements_block_the_application_with_reasons(
    applicant, new_application, officer, changes, reason
):
    policy = services.lending_policy()
    policy.served_regions = ["almaty_city", "astana", "almaty"]
    policy.excluded_activities = ["92"]
    policy.save()
    services.applicant_update(applicant_id=applicant.pk, data=changes, by=officer)
    application = new_application()
    services.application_advance(
        application_id=application.pk, to=Stage.PREQUALIFICATION, by=officer
    )
    with pytest.raises(TransitionBlocked, match=reason):
        services.application_advance(
            application_id=application.pk, to=Stage.APPLICATION, by=officer
        )


def test_requested_terms_outside_the_product_block_the_application(
    new_application, advance, officer
):
    application = advance(new_application(amount="50000"), Stage.PREQUALIFICATION)
    with pytest.raises(TransitionBlocked, match="The amount must be from"):
        services.application_advance(
            application_id=application.pk, to=Stage.APPLICATION, by=officer
        )


def test_closed_package_cannot_take_documents(at_committee, officer):
    application = at_committee()
    with pytest.raises(TransitionNotAllowed):
        services.document_receive(
            application_id=application.pk, document_type="identity", upload=pdf(), by=officer
        )


def test_stage_time_is_recorded(new_application, advance):
    application = new_application()
    before = application.stage_changed_at
    advance(application, Stage.PREQUALIFICATION)
    assert application.stage_changed_at >= before
    assert timezone.now() - application.stage_changed_at < timedelta(minutes=1)
