from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import committee, services
from applications.demo import seed_required_documents
from applications.models import Conclusion, Stage
from core.identifiers import check_digit
from core.roles import Role
from lending.models import Product
from shell.demo import seed_products

APPLICANTS = "/api/v1/applicants/"
APPLICATIONS = "/api/v1/applications/"

APPLICANT = {
    "kind": "individual_entrepreneur",
    "iin": "900101300017",
    "name": "ИП Сейтқали Нұрлан",
    "region": "almaty_city",
    "phone": "+7 701 555 12 34",
    "monthly_income": "900000",
    "existing_monthly_payments": "50000",
    "activity_code": "47.11",
}


def iin_for(born: date, *, sex_digit: int = 3, serial: int = 1) -> str:
    """A valid IIN of a person born on ``born`` (3/4: 1900s, 5/6: 2000s)."""
    while True:
        first = f"{born:%y%m%d}{sex_digit}{serial:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
        serial += 1


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 scan", content_type="application/pdf")


def url(application_id: int, action: str = "") -> str:
    return f"{APPLICATIONS}{application_id}/" + (f"{action}/" if action else "")


@pytest.fixture(autouse=True)
def _english_requests(api_client):
    """Requests pick their language; these tests read the messages in English."""
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def products(db) -> dict[str, Product]:
    seed_products()
    seed_required_documents()
    return {product.code: product for product in Product.objects.all()}


@pytest.fixture
def officer(make_user):
    return make_user(Role.CREDIT_ADMINISTRATOR, username="officer")


@pytest.fixture
def applicant(officer):
    """Registered in the back office by a credit administrator (not by a branch system)."""
    data = {**APPLICANT, "phone": "+77015551234"}
    data["monthly_income"] = Decimal(data["monthly_income"])
    data["existing_monthly_payments"] = Decimal(data["existing_monthly_payments"])
    return services.applicant_create(data=data, by=officer)


@pytest.fixture
def application_at(applicant, officer, products):
    """An unsecured application moved by the services to ``stage`` (up to the committee)."""

    def make(stage: Stage = Stage.CONSULTATION, *, amount: str = "1000000"):
        application = services.application_create(
            applicant_id=applicant.pk,
            product_id=products["almaty-unsecured"].pk,
            purpose="working_capital",
            amount=Decimal(amount),
            term_months=12,
            rate=Decimal(12),
            method="annuity",
            by=officer,
        )
        path = [Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS, Stage.ASSESSMENT]
        for target in [*path, Stage.COMMITTEE][: _position(stage)]:
            if target == Stage.ASSESSMENT:
                for document in application.documents.all():
                    services.document_receive(
                        application_id=application.pk,
                        document_type=document.document_type,
                        upload=pdf(),
                        by=officer,
                    )
            if target == Stage.COMMITTEE:
                services.debt_burden_assess(application_id=application.pk, by=officer)
                services.conclusion_record(
                    application_id=application.pk,
                    kind=Conclusion.Kind.CREDIT,
                    recommendation=Conclusion.Recommendation.POSITIVE,
                    text="Solvent.",
                    by=officer,
                )
            services.application_advance(application_id=application.pk, to=target, by=officer)
        application.refresh_from_db()
        assert application.stage == stage
        return application

    return make


def _position(stage: Stage) -> int:
    order = [
        Stage.CONSULTATION,
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
        Stage.DOCUMENTS,
        Stage.ASSESSMENT,
        Stage.COMMITTEE,
    ]
    return order.index(stage)


@pytest.fixture
def committee_decides(make_user):
    """Three members vote for; the committee approves the application on its requested terms."""

    def decide(application_id: int):
        members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
        meeting = committee.meeting_create(
            held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
        )
        item = committee.agenda_add(
            meeting_id=meeting.pk, application_id=application_id, by=members[0]
        )
        for member in members:
            committee.vote_cast(item_id=item.pk, choice="for", by=member)
        return committee.item_decide(item_id=item.pk, by=members[0])

    return decide
