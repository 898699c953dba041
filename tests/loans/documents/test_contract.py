"""The contract PDF: the decided terms, the mandatory sections, Annex 1, the draft marker."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import formats, translation

from core.roles import Role
from loans import documents
from loans import services as loan_services

from .conftest import (
    BORROWER_IIN,
    BORROWER_NAME,
    CONTRACT_DATE,
    GUARANTOR_NAME,
    PLEDGE_NUMBER,
    PLEDGOR_NAME,
    contract_url,
    money,
    pdf_text,
)

pytestmark = pytest.mark.django_db

# DOMAIN.md §14: the mandatory sections, numbered as printed, and the schedule annex.
SECTIONS = {
    "kk": (
        "1. Жалпы талаптар",
        "2. Қарыз алушының құқықтары",
        "3. МҚҰ-ның құқықтары",
        "4. МҚҰ-ның міндеттері",
        "5. МҚҰ-ға қойылатын шектеулер",
        "6. Шарт талаптарын бұзғаны үшін жауапкершілік",
        "7. Шарт талаптарын өзгерту тәртібі",
        "1-қосымша",
        "Микрокредитті өтеу кестесі",
    ),
    "ru": (
        "1. Общие условия",
        "2. Права Заемщика",
        "3. Права МФО",
        "4. Обязанности МФО",
        "5. Ограничения для МФО",
        "6. Ответственность за нарушение Договора",
        "7. Порядок изменения условий Договора",
        "Приложение № 1",
        "График погашения микрокредита",
    ),
}
ACCELERATION = {"kk": "41-ші күнінен", "ru": "41-го дня"}  # more than 40 days late
DRAFT_MARK = {"kk": "ЖОБА", "ru": "ПРОЕКТ"}
TOTAL = {"kk": "Барлығы", "ru": "Итого"}
KAZAKH_LETTERS = "әңқүұіғө"


def _download(client, loan, language: str) -> str:
    response = client.get(contract_url(loan, language))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def _number(value, places: int, language: str) -> str:
    with translation.override(language):
        return formats.number_format(value, places)


def _assert_contract(text: str, loan, language: str) -> None:
    for heading in SECTIONS[language]:
        assert heading in text, heading
    with translation.override(language):
        product, branch = loan.product.name, str(loan.branch)
    for value in (
        loan.number,
        CONTRACT_DATE.strftime("%d.%m.%Y"),
        branch,
        settings.MFO_NAME,
        BORROWER_NAME,
        BORROWER_IIN,
        product,
        money(loan.amount, language),
        _number(loan.gesv, 1, language),
        PLEDGOR_NAME,
        PLEDGE_NUMBER,
        GUARANTOR_NAME,
        ACCELERATION[language],
        "10 %",  # the misuse fine
    ):
        assert value in text, value
    assert f"{TOTAL[language]} {money(loan.amount, language)}" in text  # principal = amount
    for row in documents.contract_context(loan).schedule.rows:
        line = f"{row.number} {row.due_date:%d.%m.%Y} {money(row.principal, language)}"
        assert line in text, line
    assert DRAFT_MARK[language] not in text


def test_kazakh_contract_has_every_section_the_terms_the_schedule_and_the_kazakh_letters(
    client_as, loan, secured_by
):
    text = _download(client_as(Role.CREDIT_ADMINISTRATOR), secured_by(loan), "kk")

    _assert_contract(text, loan, "kk")
    missing = [letter for letter in KAZAKH_LETTERS if letter not in text]
    assert not missing


def test_russian_contract_has_every_section_the_terms_and_the_schedule(client_as, loan, secured_by):
    text = _download(client_as(Role.CREDIT_ADMINISTRATOR), secured_by(loan), "ru")

    _assert_contract(text, loan, "ru")


def test_schedule_annex_repays_exactly_the_amount(loan):
    schedule = documents.contract_context(loan).schedule

    assert len(schedule.rows) == loan.term_months
    assert schedule.principal == loan.amount
    assert schedule.total == schedule.principal + schedule.interest
    assert schedule.rows[-1].balance == 0


def test_a_draft_contract_is_marked_until_it_is_signed(client_as, draft_loan, officer):
    client = client_as(Role.CREDIT_ADMINISTRATOR)

    kazakh, russian = _download(client, draft_loan, "kk"), _download(client, draft_loan, "ru")
    loan_services.contract_sign(loan_id=draft_loan.pk, signed_on=CONTRACT_DATE, by=officer)
    signed = _download(client, draft_loan, "ru")

    assert DRAFT_MARK["kk"] in kazakh
    assert DRAFT_MARK["ru"] in russian
    assert "Микрокредит предоставляется без обеспечения." in russian
    assert "Планируемая дата выдачи" in russian  # the draft schedule runs from the planned date
    assert DRAFT_MARK["ru"] not in signed
