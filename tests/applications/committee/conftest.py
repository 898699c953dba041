from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import committee, services
from applications.demo import seed_required_documents
from applications.models import Conclusion, Stage
from core.roles import Role
from lending.models import Product
from shell.demo import seed_products

APPLICANT_NAME = "ИП Сейтқали Нұрлан"


@pytest.fixture
def products(db):
    seed_products()
    seed_required_documents()
    return {product.code: product for product in Product.objects.all()}


@pytest.fixture
def officer(make_user):
    return make_user(Role.CREDIT_ADMINISTRATOR, username="officer")


@pytest.fixture
def members(make_user):
    """Three committee members with names, as the minutes print them."""
    people = [("Ерлан", "Жақсыбеков"), ("Мәдина", "Қасымова"), ("Олег", "Петренко")]
    users = []
    for number, (first, last) in enumerate(people, start=1):
        user = make_user(Role.COMMITTEE_MEMBER, username=f"member{number}")
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        users.append(user)
    return users


@pytest.fixture
def applicant(officer, products):
    return services.applicant_create(
        data={
            "kind": "individual_entrepreneur",
            "iin": "900101300017",
            "name": APPLICANT_NAME,
            "region": "almaty_city",
            "monthly_income": Decimal("900000"),
            "existing_monthly_payments": Decimal("50000"),
            "activity_code": "47.11",
        },
        by=officer,
    )


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")


@pytest.fixture
def send_to_committee(applicant, products, officer):
    """An unsecured application taken through the services to the committee, as demo.py does."""

    def make(*, by=None, amount="1000000", term=12, rate="12", collateral=""):
        by = by or officer
        application = services.application_create(
            applicant_id=applicant.pk,
            product_id=products["almaty-unsecured"].pk,
            purpose="working_capital",
            amount=Decimal(amount),
            term_months=term,
            rate=Decimal(rate),
            method="annuity",
            repayment_sources="Выручка от торговли",
            collateral_offered=collateral,
            by=by,
        )
        for stage in (Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS):
            services.application_advance(application_id=application.pk, to=stage, by=by)
        for document in application.documents.all():
            services.document_receive(
                application_id=application.pk,
                document_type=document.document_type,
                upload=_scan(),
                by=by,
            )
        services.application_advance(application_id=application.pk, to=Stage.ASSESSMENT, by=by)
        services.debt_burden_assess(application_id=application.pk, by=by)
        services.conclusion_record(
            application_id=application.pk,
            kind=Conclusion.Kind.CREDIT,
            recommendation=Conclusion.Recommendation.POSITIVE,
            text="Платёжеспособность подтверждена.",
            by=by,
        )
        services.application_advance(application_id=application.pk, to=Stage.COMMITTEE, by=by)
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def meeting(members):
    return committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members], by=members[0]
    )


@pytest.fixture
def application(send_to_committee):
    return send_to_committee()


@pytest.fixture
def item(meeting, application, members):
    return committee.agenda_add(meeting_id=meeting.pk, application_id=application.pk, by=members[0])


@pytest.fixture
def browser(client):
    """The test client in English, switched between users with ``browser.as_user(user)``."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def as_user(user):
        client.logout()
        client.force_login(user)
        return client

    client.as_user = as_user
    return client
