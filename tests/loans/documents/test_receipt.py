"""The payment receipt: the money taken and how it was applied."""

from __future__ import annotations

import pytest

from core.roles import Role
from loans import documents
from loans.selectors import current_installments

from .conftest import OVERPAID, PAYER, money, pdf_text, receipt_url

pytestmark = pytest.mark.django_db

# principal, interest, penalty, held for the next instalment, total
LABELS = {
    "kk": ("Негізгі борыш", "Сыйақы", "Өсімпұл", "Келесі төлемнің есебіне ұсталды", "Барлығы"),
    "ru": (
        "Основной долг",
        "Вознаграждение",
        "Пеня",
        "Удержано в счёт следующего платежа",
        "Итого",
    ),
}
TITLE = {"kk": "Төлемді қабылдау туралы түбіртек", "ru": "Квитанция о приёме платежа"}


def test_applied_split_is_the_payment_ledger_entries_shown_positive(payment):
    first = current_installments(payment.loan).first()

    split = documents.applied_split(payment)

    assert split.principal == first.principal
    assert split.interest == first.interest
    assert split.penalty == 0
    assert split.held == OVERPAID
    assert split.total == payment.amount


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_receipt_shows_the_payment_and_its_split(client_as, payment, accountant, language):
    first = current_installments(payment.loan).first()

    response = client_as(Role.ACCOUNTANT).get(receipt_url(payment, language))

    assert response.status_code == 200
    text = pdf_text(response.content)
    for value in (
        f"{TITLE[language]} № {payment.pk}",
        payment.loan.number,
        PAYER,
        payment.reference,
        payment.value_date.strftime("%d.%m.%Y"),
        money(payment.amount, language),
        accountant.username,  # who took the money
    ):
        assert value in text, value
    principal, interest, penalty, held, total = LABELS[language]
    for label, amount in (
        (principal, first.principal),
        (interest, first.interest),
        (penalty, 0),
        (held, OVERPAID),
        (total, payment.amount),
    ):
        assert f"{label} {money(amount, language)}" in text, label
