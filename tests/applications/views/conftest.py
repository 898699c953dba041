from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import committee, services
from applications.demo import seed_required_documents
from applications.models import Applicant, Application, Conclusion, Stage
from core.identifiers import check_digit
from core.roles import Role
from lending.models import Product
from shell.demo import seed_products

IIN = "900101300017"  # born 1990-01-01, male
IIN_2 = "850512400708"  # born 1985-05-12, female
BIN = "180340000015"
TO_ASSESSMENT = (Stage.PREQUALIFICATION, Stage.APPLICATION, Stage.DOCUMENTS)


def iin_for(birth: str, serial: int, century_sex: str = "3") -> str:
    """A valid IIN for ``birth`` (YYMMDD); tries serials until one has a control digit."""
    for n in range(serial, serial + 50):
        first = f"{birth}{century_sex}{n:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("no valid IIN")


def pdf(name: str = "a.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 x", content_type="application/pdf")


def detail_url(application: Application) -> str:
    return reverse("applications:application-detail", args=[application.pk])


def action_url(name: str, application: Application) -> str:
    return reverse(f"applications:{name}", args=[application.pk])


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages in English, so that messages can be asserted as written."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def products(db) -> dict[str, Product]:
    made = {p.code: p for p in seed_products()}
    seed_required_documents()
    return made


@pytest.fixture
def unsecured(products) -> Product:
    return products["almaty-unsecured"]


@pytest.fixture
def credit_admin(make_user):
    return make_user(Role.CREDIT_ADMINISTRATOR)


@pytest.fixture
def ca_client(client, credit_admin):
    client.force_login(credit_admin)
    return client


@pytest.fixture
def make_applicant(credit_admin):
    serials = iter(range(100, 10_000, 50))

    def make(iin: str | None = None, **data) -> Applicant:
        iin = iin or iin_for("880202", next(serials))
        return services.applicant_create(
            data={
                "kind": "individual_entrepreneur",
                "iin": iin,
                "name": data.pop("name", "IE Test Applicant"),
                "region": "almaty_city",
                "phone": "+77011234567",
                "monthly_income": Decimal("900000"),
                "existing_monthly_payments": Decimal("50000"),
                **data,
            },
            by=credit_admin,
        )

    return make


@pytest.fixture
def make_application(credit_admin, unsecured, make_applicant):
    def make(
        applicant: Applicant | None = None,
        *,
        stages=(),
        amount: str = "1000000",
        by=None,
    ) -> Application:
        by = by or credit_admin
        applicant = applicant or make_applicant()
        application = services.application_create(
            applicant_id=applicant.pk,
            product_id=unsecured.pk,
            purpose="working_capital",
            amount=Decimal(amount),
            term_months=12,
            rate=Decimal("12"),
            method="annuity",
            repayment_sources="Trade revenue",
            by=by,
        )
        for stage in stages:
            if stage == Stage.ASSESSMENT:
                receive_all(application, by)
            services.application_advance(application_id=application.pk, to=stage, by=by)
        application.refresh_from_db()
        return application

    return make


def receive_all(application: Application, by) -> None:
    for document in application.documents.exclude(status="received"):
        services.document_receive(
            application_id=application.pk,
            document_type=document.document_type,
            upload=pdf(),
            by=by,
        )


@pytest.fixture
def ready_for_committee(make_application, credit_admin):
    """An application sent to the committee with its package complete."""

    def make(**kwargs) -> Application:
        application = make_application(stages=(*TO_ASSESSMENT, Stage.ASSESSMENT), **kwargs)
        services.debt_burden_assess(application_id=application.pk, by=credit_admin)
        services.conclusion_record(
            application_id=application.pk,
            kind=Conclusion.Kind.CREDIT,
            recommendation=Conclusion.Recommendation.POSITIVE,
            text="Solvent.",
            by=credit_admin,
        )
        services.application_advance(
            application_id=application.pk, to=Stage.COMMITTEE, by=credit_admin
        )
        application.refresh_from_db()
        return application

    return make


@pytest.fixture
def approve(make_user):
    """The committee approves an application on its agenda (the committee's own pages are
    someone else's; here its services stand in for them)."""

    def decide(application: Application, *, amount: str | None = None):
        members = [make_user(Role.COMMITTEE_MEMBER) for _ in range(3)]
        meeting = committee.meeting_create(
            held_on=application.created_at.date(),
            member_ids=[m.pk for m in members],
            by=members[0],
        )
        item = committee.agenda_add(
            meeting_id=meeting.pk,
            application_id=application.pk,
            amount=Decimal(amount) if amount else None,
            by=members[0],
        )
        for member in members:
            committee.vote_cast(item_id=item.pk, choice="for", by=member)
        decision = committee.item_decide(item_id=item.pk, by=members[0])
        application.refresh_from_db()
        return decision

    return decide
