"""The k1 documents for the regulator in Kazakh and Russian, with the figures in their text."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from core.roles import Role
from prudential import documents, services
from prudential.models import Measure
from tests.prudential import test_pages
from tests.prudential.test_pages import BREACHED_ON

# the pages' fixtures: a breach on 31 March 2026, its plan, and the return in April
two_loans = test_pages.two_loans
breached_run = test_pages.breached_run
plan = test_pages.plan
notice = test_pages.notice

pytestmark = pytest.mark.django_db
LANGUAGES = ["kk", "ru"]


def pdf_text(content: bytes) -> str:
    """The text of every page, runs of whitespace (also no-break spaces) as one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def number(value, places: int, language: str, *, grouping: bool = True) -> str:
    with translation.override(language):
        written = formats.number_format(Decimal(value), places, force_grouping=grouping)
    return " ".join(written.split())


@pytest.fixture
def risk_client(client_as):
    return client_as(Role.RISK_MANAGER)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_regulator_report_has_the_k1_computation(risk_client, breached_run, language):
    url = reverse("risk:k1-report", args=[BREACHED_ON.isoformat(), language])
    response = risk_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert number("200000", 2, language) in text  # MM90
    assert number("1000000", 2, language) in text  # LP
    assert number("20", 4, language, grouping=False) in text  # L, %
    assert "31.03.2026" in text
    if language == "kk":
        assert "норматив бұзылды" in text and "ММ90 есептеу тәртібі" in text
    else:
        assert "норматив нарушен" in text and "Порядок расчета ММ90" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_action_plan_lists_measures_with_managers_and_deadlines(
    risk_client, plan, make_user, language
):
    manager = make_user(Role.MONITORING_MANAGER, username="manager")
    manager.first_name, manager.last_name = "Асель", "Нурланова"
    manager.save()
    services.measure_add(
        plan_id=plan.pk,
        what="Реструктуризация просроченных займов",
        how="Звонок каждому заемщику",
        deadline=date(2026, 5, 15),
        responsible_id=manager.pk,
        by=manager,
    )
    response = risk_client.get(reverse("risk:plan-pdf", args=[plan.pk, language]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    # table cells wrap: single words are found whole
    assert "Реструктуризация" in text and "Нурланова" in text
    assert "15.05.2026" in text and plan.submit_by.strftime("%d.%m.%Y") in text
    assert number("200000", 2, language) in text
    heading = "Іс-шаралар" if language == "kk" else "Мероприятия"
    assert heading in text
    assert Measure.objects.count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_return_notice_states_the_share_within_the_limit(risk_client, notice, language):
    response = risk_client.get(reverse("risk:notice-pdf", args=[notice.pk, language]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert number("5", 4, language, grouping=False) in text  # 50,000 of 1,000,000
    assert number("50000", 2, language) in text and "30.04.2026" in text
    assert ("аспайтынын" if language == "kk" else "не превышает") in text


def test_documents_are_written_in_kazakh_and_russian_only(breached_run):
    with pytest.raises(ValueError):
        documents.k1_report_pdf(breached_run, language="en")


def test_an_unknown_language_is_404(risk_client, breached_run):
    url = reverse("risk:k1-report", args=[BREACHED_ON.isoformat(), "en"])
    assert risk_client.get(url).status_code == 404
