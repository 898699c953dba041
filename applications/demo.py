"""Demo data for the applications app: document checklists and a living queue of applications."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications import committee, services
from applications.models import (
    Applicant,
    ApplicantKind,
    Application,
    Conclusion,
    DocumentType,
    RefusalGround,
    RequiredDocument,
    Stage,
)
from lending.models import Product

K = ApplicantKind
D = DocumentType
PERSON_DOCUMENTS = [D.APPLICATION_FORM, D.IDENTITY, D.INCOME, D.BUREAU_CONSENT, D.GOV_CONSENT]
ENTITY_DOCUMENTS = [D.APPLICATION_FORM, D.BORROWING_DECISION, D.CHARTER, D.BUREAU_CONSENT]
SECURED_EXTRA = {
    K.INDIVIDUAL: [D.TITLE_DOCUMENTS],
    K.ENTREPRENEUR: [D.TITLE_DOCUMENTS, D.BUSINESS_PLAN],
    K.LEGAL_ENTITY: [D.TITLE_DOCUMENTS, D.PLEDGE_DECISION, D.BUSINESS_PLAN],
}


def required_documents(kind: str, *, secured: bool) -> list[str]:
    base = ENTITY_DOCUMENTS if kind == K.LEGAL_ENTITY else PERSON_DOCUMENTS
    return [*base, *(SECURED_EXTRA[kind] if secured else [])]


@transaction.atomic
def seed_required_documents() -> None:
    for product in Product.objects.all():
        for kind in K.values:
            for document_type in required_documents(kind, secured=product.secured):
                RequiredDocument.objects.get_or_create(
                    product=product, applicant_kind=kind, document_type=document_type
                )


APPLICANTS = [
    # IINs and BINs with valid control digits (DOMAIN.md §13)
    {
        "kind": K.ENTREPRENEUR,
        "iin": "900101300017",
        "name": "ИП Сейтқали Нұрлан",
        "region": "almaty_city",
    },
    {
        "kind": K.ENTREPRENEUR,
        "iin": "850512400708",
        "name": "ИП Ахметова Гүлназ",
        "region": "astana",
    },
    {"kind": K.LEGAL_ENTITY, "bin": "180340000015", "name": "ТОО «Дала Агро»", "region": "almaty"},
]


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4 demo scan", content_type="application/pdf")


def _receive_all(application: Application, by) -> None:
    for document in application.documents.all():
        services.document_receive(
            application_id=application.pk,
            document_type=document.document_type,
            upload=_pdf(),
            by=by,
        )


@transaction.atomic
def seed_applications(*, credit_admin, committee_members) -> list[Application]:
    """Applications at each stage, so that a new user sees a living queue."""
    if Application.objects.exists():
        return list(Application.objects.all())
    applicants = []
    for spec in APPLICANTS:
        applicant = Applicant.objects.filter(
            iin=spec.get("iin", "-"), bin=spec.get("bin", "")
        ).first()
        applicants.append(
            applicant
            or services.applicant_create(
                data={
                    **spec,
                    "phone": "+7 701 000 00 00",
                    "monthly_income": Decimal("900000"),
                    "existing_monthly_payments": Decimal("50000"),
                    "activity": "Торговля",
                    "activity_code": "47.11",
                },
                by=credit_admin,
            )
        )
    unsecured = Product.objects.get(code="almaty-unsecured")
    secured = Product.objects.get(code="almaty-secured")

    def new(applicant, product, amount, term, rate):
        return services.application_create(
            applicant_id=applicant.pk,
            product_id=product.pk,
            purpose="working_capital",
            amount=Decimal(amount),
            term_months=term,
            rate=Decimal(rate),
            method="annuity",
            repayment_sources="Выручка от торговли",
            by=credit_admin,
        )

    def advance(application, *stages):
        for stage in stages:
            application.refresh_from_db()
            if stage == Stage.ASSESSMENT and application.stage == Stage.DOCUMENTS:
                _receive_all(application, credit_admin)
            services.application_advance(application_id=application.pk, to=stage, by=credit_admin)
        application.refresh_from_db()
        return application

    def ready_for_committee(application):
        services.debt_burden_assess(application_id=application.pk, by=credit_admin)
        services.conclusion_record(
            application_id=application.pk,
            kind=Conclusion.Kind.CREDIT,
            recommendation=Conclusion.Recommendation.POSITIVE,
            text="Платёжеспособность подтверждена.",
            by=credit_admin,
        )
        return advance(application, Stage.COMMITTEE)

    a, b, c = applicants
    made = [new(a, unsecured, "1000000", 12, "12")]
    made.append(advance(new(b, unsecured, "1500000", 18, "12"), Stage.PREQUALIFICATION))
    made.append(
        advance(new(c, unsecured, "3000000", 24, "12"), Stage.PREQUALIFICATION, Stage.APPLICATION)
    )
    made.append(
        advance(
            new(a, secured, "5000000", 36, "6"),
            Stage.PREQUALIFICATION,
            Stage.APPLICATION,
            Stage.DOCUMENTS,
        )
    )
    appraisal = advance(
        new(c, secured, "8000000", 36, "5"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
        Stage.DOCUMENTS,
    )
    _receive_all(appraisal, credit_admin)
    made.append(advance(appraisal, Stage.COLLATERAL_APPRAISAL))
    to_assess = (Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS, Stage.ASSESSMENT)
    made.append(advance(new(b, unsecured, "2000000", 12, "12"), *to_assess))
    on_agenda = ready_for_committee(advance(new(a, unsecured, "2500000", 24, "12"), *to_assess))
    approved = ready_for_committee(advance(new(b, unsecured, "1200000", 12, "12"), *to_assess))
    refused = advance(
        new(c, unsecured, "900000", 12, "12"), Stage.PREQUALIFICATION, Stage.APPLICATION
    )
    services.application_refuse(
        application_id=refused.pk,
        ground=RefusalGround.INSUFFICIENT_SOLVENCY,
        comment="Доходов недостаточно для обслуживания долга.",
        by=credit_admin,
    )
    meeting = committee.meeting_create(
        held_on=timezone.localdate(),
        member_ids=[m.pk for m in committee_members],
        by=committee_members[0],
    )
    committee.agenda_add(
        meeting_id=meeting.pk, application_id=on_agenda.pk, by=committee_members[0]
    )
    item = committee.agenda_add(
        meeting_id=meeting.pk,
        application_id=approved.pk,
        amount=Decimal("1000000"),
        by=committee_members[0],
    )
    for member in committee_members:
        committee.vote_cast(item_id=item.pk, choice="for", comment="", by=member)
    committee.item_decide(item_id=item.pk, by=committee_members[0])
    made += [on_agenda, approved, refused]
    return made


def committee_users():
    return list(
        get_user_model().objects.filter(groups__name="committee_member").order_by("username")
    )
