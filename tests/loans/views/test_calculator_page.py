from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.roles import Role

pytestmark = pytest.mark.django_db

TERMS = {
    "amount": "5000",
    "annual_rate": "12",
    "term_months": "18",
    "day_count": "30/360",
    "disbursement_date": "2022-11-01",
}


def _text(html: bytes) -> str:
    return html.decode()


def test_calculator_shows_both_methods_side_by_side(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    html = _text(client.get(reverse("calculator"), {**TERMS}, HTTP_ACCEPT_LANGUAGE="en").content)
    assert 'data-method="annuity"' in html
    assert 'data-method="differentiated"' in html
    assert "277.78" in html or "277,78" in html  # differentiated principal part
    assert "475.00" in html or "475,00" in html  # its total interest
    assert html.count('<rect class="principal"') == 36  # 18 bars per chart


def test_calculator_form_errors_name_the_field(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    response = client.get(
        reverse("calculator"), {**TERMS, "amount": "-1", "first_payment_date": "2022-12-30"}
    )
    html = _text(response.content)
    assert 'data-error-for="amount"' in html
    assert 'data-method="annuity"' not in html


def test_first_payment_too_late_is_shown_beside_its_field(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    html = _text(
        client.get(reverse("calculator"), {**TERMS, "first_payment_date": "2022-12-30"}).content
    )
    assert 'data-error-for="first_payment_date"' in html


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.RISK_MANAGER, Role.BRANCH_SYSTEM])
def test_other_roles_cannot_open_the_calculator_page(client_as, role):
    assert client_as(role).get(reverse("calculator")).status_code == 403


@pytest.mark.parametrize(
    ("language", "title"),
    [("ru", "Проект графика погашения"), ("kk", "Өтеу кестесінің жобасы")],
)
def test_schedule_pdf_in_kazakh_and_russian(client_as, language, title):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    url = reverse("calculator-pdf", args=["differentiated", language])
    response = client.get(url, TERMS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert title.lower() in text.lower()
    assert "277,78" in text or "277.78" in text
    assert "12.7" in text or "12,7" in text  # GESV


def test_pdf_refuses_other_languages_and_methods(client_as):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    assert client.get(reverse("calculator-pdf", args=["annuity", "en"]), TERMS).status_code == 404
    assert client.get(reverse("calculator-pdf", args=["balloon", "ru"]), TERMS).status_code == 404
