"""The additional agreement, the demand letter and the payoff statement, in Kazakh and Russian.

Built through the services (loans.services.prepayment, .restructuring, .demands): the PDFs
must carry the figures those services stored, and open only for the contract's readers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation

from applications import committee
from core.models import AuditEvent
from core.roles import Role
from loans import services as loan_services
from loans.models import Demand, ScheduleVersion
from loans.selectors import current_installments

from .conftest import BORROWER_IIN, BORROWER_NAME, DISBURSED_ON, money, pdf_text

pytestmark = pytest.mark.django_db

PREPAID_ON = date(2026, 4, 15)
PREPAID = Decimal("400000")
CHANGED_ON = date(2026, 3, 20)
CHANGE_REASON = "Маусымдық сауда: түсім азайды / сезонное снижение выручки"
MISUSE_ON = date(2026, 3, 20)
MISUSED = Decimal("300000")
MISUSE_FACTS = "Тексеру кезінде 300 000 теңгеге жеке автокөлік сатып алынғаны анықталды."
PAYOFF_ON = date(2026, 3, 20)
KAZAKH_LETTERS = "әңқүұіғө"
NOT_READERS = (Role.COLLECTOR, Role.RISK_MANAGER, Role.COMMITTEE_MEMBER)

NO_FEE = {
    "kk": "Микрокредитті ішінара мерзімінен бұрын өтегені үшін МҚҰ комиссия, айыппұл, өсімпұл",
    "ru": "За частичное досрочное погашение микрокредита комиссии, штрафы, пени",
}
AGREEMENT_TITLE = {"kk": "қосымша келісім", "ru": "Дополнительное соглашение № 1"}
ANNEX = {"kk": "Микрокредитті өтеудің жаңа кестесі", "ru": "Новый график погашения микрокредита"}
DAYS_LATE = {"kk": "өткізіп алу {} күнтізбелік күнді", "ru": "дней просрочки составляет {},"}
DEMAND_TITLE = {"kk": "ТАЛАП", "ru": "ТРЕБОВАНИЕ"}
PAYOFF_TITLE = {
    "kk": "микрокредитті толық мерзімінен бұрын өтеу сомасы туралы анықтама",
    "ru": "Справка о сумме полного досрочного погашения микрокредита",
}


def agreement_url(loan, version: int, language: str) -> str:
    return reverse("loan-documents:agreement", args=[loan.pk, version, language])


def demand_url(demand, language: str) -> str:
    return reverse("loan-documents:demand", args=[demand.pk, language])


def payoff_url(loan, language: str, on: date | None = PAYOFF_ON) -> str:
    url = reverse("loan-documents:payoff", args=[loan.pk, language])
    return f"{url}?on={on.isoformat()}" if on else url


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def _decimal(value, places: int, language: str) -> str:
    with translation.override(language):
        return formats.number_format(value, places)


def _viewed():
    return AuditEvent.objects.filter(action="loan.document_viewed")


@pytest.fixture
def prepayment(active_loan, accountant):
    """1,000,000 over 12 months: the first instalment paid on its due date, then 400,000
    prepaid on 15 April 2026 keeping the term with a smaller payment."""
    loan = active_loan(on=DISBURSED_ON)
    first = current_installments(loan).first()
    loan_services.payment_post(
        loan_id=loan.pk,
        amount=first.total,
        value_date=first.due_date,
        channel="cash",
        by=accountant,
        today=first.due_date,
    )
    prepayment, _created = loan_services.prepayment_post(
        loan_id=loan.pk,
        amount=PREPAID,
        on=PREPAID_ON,
        mode="reduce_payment",
        channel="cash",
        by=accountant,
        application_number="PP-7",
        today=PREPAID_ON,
    )
    return prepayment


@pytest.fixture
def restructuring(active_loan, officer, make_user):
    """The term lengthened to 18 instalments, voted by the committee, signed on 20 March."""
    loan = active_loan(on=DISBURSED_ON)
    request = loan_services.restructuring_request(
        loan_id=loan.pk,
        requested_on=date(2026, 3, 10),
        reason=CHANGE_REASON,
        term_months=18,
        by=officer,
        today=date(2026, 3, 10),
    )
    members = [make_user(Role.COMMITTEE_MEMBER, username=f"rs-cm{n}") for n in range(3)]
    meeting = committee.meeting_create(
        held_on=date(2026, 3, 18), member_ids=[m.pk for m in members], by=members[0]
    )
    item = loan_services.restructuring_agenda_add(
        meeting_id=meeting.pk, restructuring_id=request.pk, by=members[0]
    )
    for member in members:
        committee.vote_cast(item_id=item.pk, choice="for", comment="ok", by=member)
    committee.item_decide(item_id=item.pk, by=members[0])
    request = loan_services.restructuring_apply(
        restructuring_id=request.pk, on=CHANGED_ON, by=officer, today=CHANGED_ON
    )
    request.meeting_number = meeting.number
    return request


@pytest.fixture
def misuse(active_loan, officer) -> Demand:
    loan = active_loan(on=DISBURSED_ON)
    return loan_services.demand_misuse(
        loan_id=loan.pk,
        on=MISUSE_ON,
        misused_amount=MISUSED,
        details=MISUSE_FACTS,
        by=officer,
        today=MISUSE_ON,
    )


def _new_rows(version: ScheduleVersion):
    return version.loan.installments.filter(
        version=version.version, number__gt=version.history_lines
    ).order_by("number")


# --- the additional agreement --------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_agreement_after_a_partial_prepayment_shows_the_new_payment_gesv_and_no_fee(
    client_as, prepayment, language
):
    version = prepayment.version
    loan = prepayment.loan
    rows = list(_new_rows(version))
    assert version.payment is not None and version.gesv is not None

    text = _text(client_as(Role.ACCOUNTANT), agreement_url(loan, version.version, language))

    for value in (
        AGREEMENT_TITLE[language],
        ANNEX[language],
        NO_FEE[language],
        loan.number,
        BORROWER_NAME,
        BORROWER_IIN,  # the accountant's payment orders name it (core.privacy)
        "PP-7",
        PREPAID_ON.strftime("%d.%m.%Y"),
        money(PREPAID, language),
        money(prepayment.interest_paid, language),
        money(prepayment.principal_paid, language),
        money(version.payment, language),  # the new, smaller payment
        money(version.amount, language),  # the principal the new schedule repays
        _decimal(version.gesv, 1, language),
        rows[-1].due_date.strftime("%d.%m.%Y"),
        money(rows[0].balance, language),
    ):
        assert value in text, value
    if language == "kk":
        assert set(KAZAKH_LETTERS) <= set(text)


def test_agreement_compares_the_terms_before_and_after_the_prepayment(prepayment):
    from loans.change_documents import agreement_context

    loan, version = prepayment.loan, prepayment.version
    document = agreement_context(loan, version)

    assert document.number == "1"
    assert document.prepayment.amount == PREPAID
    assert document.restructuring is None
    assert document.before.instalments == document.after.instalments == 11  # same term
    assert document.after.payment < document.before.payment
    assert document.before.principal - document.after.principal == prepayment.principal_paid
    assert [row.number for row in document.schedule.rows] == list(range(1, 12))
    assert document.schedule.principal == version.amount


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_agreement_on_a_change_of_terms_names_the_request_the_committee_and_the_new_term(
    client_as, restructuring, language
):
    version = restructuring.version
    loan = restructuring.loan
    rows = list(_new_rows(version))
    assert len(rows) == 18

    text = _text(
        client_as(Role.CREDIT_ADMINISTRATOR), agreement_url(loan, version.version, language)
    )

    for value in (
        AGREEMENT_TITLE[language],
        ANNEX[language],
        restructuring.number,
        "10.03.2026",  # the request
        "18.03.2026",  # the committee's decision, at its meeting
        restructuring.meeting_number,
        CHANGE_REASON,
        CHANGED_ON.strftime("%d.%m.%Y"),
        money(version.payment, language),
        _decimal(version.gesv, 1, language),
        rows[-1].due_date.strftime("%d.%m.%Y"),
        BORROWER_IIN,  # a credit administrator sees it in full
    ):
        assert value in text, value
    assert NO_FEE[language] not in text  # said of a prepayment only
    event = _viewed().get()
    assert event.target_id == str(loan.pk)
    assert event.data == {
        "document": "agreement",
        "version": version.version,
        "number": f"{loan.number}/1",
        "language": language,
    }


def test_no_agreement_for_the_disbursement_schedule_or_another_language(client_as, prepayment):
    client = client_as(Role.ADMINISTRATOR)
    loan = prepayment.loan

    assert client.get(agreement_url(loan, 1, "ru")).status_code == 404  # disbursement
    assert client.get(agreement_url(loan, 99, "ru")).status_code == 404
    for language in ("en", "KK"):
        response = client.get(agreement_url(loan, prepayment.version.version, language))
        assert response.status_code == 404, language
    assert not _viewed().exists()


def test_agreement_is_refused_to_roles_that_may_not_read_the_contract(client_as, prepayment):
    url = agreement_url(prepayment.loan, prepayment.version.version, "ru")
    for role in NOT_READERS:
        assert client_as(role).get(url).status_code == 403, role
    assert not _viewed().exists()


# --- the demand letter ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_misuse_demand_states_the_facts_the_amount_and_the_ten_percent_fine(
    client_as, misuse, language
):
    assert misuse.fine == Decimal("30000.00")

    text = _text(client_as(Role.MONITORING_MANAGER), demand_url(misuse, language))

    for value in (
        DEMAND_TITLE[language],
        misuse.number,
        MISUSE_ON.strftime("%d.%m.%Y"),
        misuse.pay_by.strftime("%d.%m.%Y"),
        misuse.loan.number,
        BORROWER_NAME,
        MISUSE_FACTS,
        money(MISUSED, language),
        money(misuse.fine, language),
        money(MISUSED + misuse.fine, language),
        "10 %",
        "6.5",  # the contract's clause on misuse
    ):
        assert value in text, value
    event = _viewed().get()
    assert event.target_id == str(misuse.loan_id)
    assert event.data == {
        "document": "demand",
        "demand": misuse.pk,
        "number": misuse.number,
        "language": language,
    }


def test_acceleration_demand_states_the_days_late_and_the_whole_debt(
    client_as, active_loan, officer
):
    loan = active_loan(on=DISBURSED_ON)
    on = date(2026, 5, 15)  # the first instalment, due 2 April, is over 40 days late
    demand = loan_services.demand_acceleration(loan_id=loan.pk, on=on, by=officer, today=on)
    assert demand.days_past_due > 40 and demand.penalty > 0
    client = client_as(Role.ACCOUNTANT)

    for language in ("kk", "ru"):
        text = _text(client, demand_url(demand, language))

        for value in (
            DEMAND_TITLE[language],
            demand.number,
            DAYS_LATE[language].format(demand.days_past_due),
            "40",
            "6.4",  # the contract's clause on acceleration
            money(demand.principal, language),
            money(demand.interest, language),
            money(demand.penalty, language),
            money(demand.total, language),
            demand.pay_by.strftime("%d.%m.%Y"),
        ):
            assert value in text, (language, value)
        assert MISUSE_FACTS not in text


def test_demand_only_in_kazakh_and_russian_and_for_contract_readers_and_collectors(
    client_as, misuse
):
    admin = client_as(Role.ADMINISTRATOR)
    for language in ("en", "de"):
        assert admin.get(demand_url(misuse, language)).status_code == 404, language
    assert admin.get("/loans/documents/demands/999999/ru.pdf").status_code == 404
    for role in (Role.RISK_MANAGER, Role.COMMITTEE_MEMBER):
        assert client_as(role).get(demand_url(misuse, "kk")).status_code == 403, role
    assert not _viewed().exists()
    assert client_as(Role.COLLECTOR).get(demand_url(misuse, "kk")).status_code == 200


# --- the payoff statement ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_payoff_statement_shows_what_closes_the_loan_on_the_date(client_as, active_loan, language):
    loan = active_loan(on=DISBURSED_ON)
    quote = loan_services.payoff_quote_on(loan_id=loan.pk, on=PAYOFF_ON)
    assert quote.to_pay == quote.total > loan.amount

    text = _text(client_as(Role.ACCOUNTANT), payoff_url(loan, language))

    for value in (
        PAYOFF_TITLE[language],
        loan.number,
        PAYOFF_ON.strftime("%d.%m.%Y"),
        money(quote.principal, language),
        money(quote.interest, language),
        money(quote.total, language),
    ):
        assert value in text, value
    event = _viewed().get()
    assert event.data == {
        "document": "payoff",
        "on": PAYOFF_ON.isoformat(),
        "number": f"{loan.number}/20260320",
        "language": language,
    }


def test_payoff_statement_counts_the_money_already_held(client_as, active_loan, accountant):
    loan = active_loan(on=DISBURSED_ON)
    loan_services.payment_post(
        loan_id=loan.pk,
        amount=Decimal("50000"),
        value_date=date(2026, 3, 10),
        channel="cash",
        by=accountant,
        today=date(2026, 3, 10),
    )
    quote = loan_services.payoff_quote_on(loan_id=loan.pk, on=PAYOFF_ON)
    assert quote.held == Decimal("50000.00")

    text = _text(client_as(Role.ACCOUNTANT), payoff_url(loan, "ru"))

    assert money(quote.total, "ru") in text
    assert money(quote.held, "ru") in text
    assert money(quote.to_pay, "ru") in text


def test_payoff_statement_refuses_other_languages_roles_and_bad_dates(client_as, active_loan):
    loan = active_loan(on=DISBURSED_ON)
    for role in NOT_READERS:
        assert client_as(role).get(payoff_url(loan, "ru")).status_code == 403, role
    client = client_as(Role.ADMINISTRATOR)

    assert client.get(payoff_url(loan, "en")).status_code == 404
    assert client.get(payoff_url(loan, "ru").replace("2026-03-20", "20.03.2026")).status_code == 400
    assert client.get(payoff_url(loan, "ru", on=date(2026, 3, 1))).status_code == 400
    assert not _viewed().exists()
