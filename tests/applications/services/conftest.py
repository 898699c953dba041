from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.demo import seed_required_documents
from applications.models import Conclusion, Stage
from core.demo import seed_products
from core.roles import Role
from loans.models import Product


@pytest.fixture
def products(db):
    seed_products()
    seed_required_documents()
    return {p.code: p for p in Product.objects.all()}


@pytest.fixture
def officer(make_user):
    return make_user(Role.CREDIT_ADMINISTRATOR, username="officer")


@pytest.fixture
def applicant(officer):
    return services.applicant_create(
        data={
            "kind": "individual_entrepreneur",
            "iin": "900101300017",
            "name": "ИП Сейтқали",
            "region": "almaty_city",
            "monthly_income": Decimal("900000"),
            "existing_monthly_payments": Decimal("50000"),
            "activity_code": "47.11",
        },
        by=officer,
    )


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")


@pytest.fixture
def new_application(applicant, officer, products):
    def make(product="almaty-unsecured", amount="1000000", term=12, rate="12", method="annuity"):
        return services.application_create(
            applicant_id=applicant.pk,
            product_id=products[product].pk,
            purpose="working_capital",
            amount=Decimal(amount),
            term_months=term,
            rate=Decimal(rate),
            method=method,
            by=officer,
        )

    return make


@pytest.fixture
def advance(officer):
    def move(application, *stages):
        for stage in stages:
            services.application_advance(application_id=application.pk, to=stage, by=officer)
        application.refresh_from_db()
        return application

    return move


@pytest.fixture
def receive_all(officer):
    def receive(application):
        for document in application.documents.all():
            services.document_receive(
                application_id=application.pk,
                document_type=document.document_type,
                upload=pdf(),
                by=officer,
            )

    return receive


@pytest.fixture
def at_committee(new_application, advance, receive_all, officer):
    """An unsecured application with a complete package, sent to the committee."""

    def make(**terms):
        application = advance(
            new_application(**terms), Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS
        )
        receive_all(application)
        advance(application, Stage.ASSESSMENT)
        services.debt_burden_assess(application_id=application.pk, by=officer)
        services.conclusion_record(
            application_id=application.pk,
            kind=Conclusion.Kind.CREDIT,
            recommendation=Conclusion.Recommendation.POSITIVE,
            text="Solvent.",
            by=officer,
        )
        return advance(application, Stage.COMMITTEE)

    return make
