from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from collateral.models import Appraisal, CollateralItem, PledgeAgreement, Pledgor
from core.models import AuditEvent
from core.roles import Role
from lending.models import Product
from loans import portfolio_views, services
from loans.domain.ledger import Component, Kind
from loans.models import Installment, LedgerEntry, Loan
from loans.portfolio_views import LoanAction, url_or_blank

pytestmark = pytest.mark.django_db

DISBURSED = date(2026, 3, 2)  # the first instalment falls due on 2 April
FIRST_DUE = date(2026, 4, 2)
IIN = "900101300017"
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
MASKED = "9001******17"
READERS = [
    Role.CREDIT_ADMINISTRATOR,
    Role.ACCOUNTANT,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
    Role.COLLECTOR,
    Role.ADMINISTRATOR,
]


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _a_month_after_the_first_due_date():
    """The page quotes the payoff as of today, closing the loan's days up to it in a rolled
    back savepoint: with the real clock that is every day since 2026, slower each month."""
    with time_machine.travel(datetime(2026, 5, 4, 12, 0, tzinfo=ALMATY), tick=True):
        yield


@pytest.fixture
def loan(active_loan) -> Loan:
    return active_loan(on=DISBURSED, amount="1000000")


def page_url(loan: Loan) -> str:
    return reverse("portfolio:loan", args=[loan.pk])


def first_line(loan: Loan) -> Installment:
    return Installment.objects.get(loan=loan, version=loan.schedule_version, number=1)


def line_row(html: str, number: int) -> str:
    return re.search(rf'<tr data-line="{number}"[^>]*>', html).group(0)


def section(html: str, name: str) -> str:
    return html.split(f'<section class="card" id="{name}">')[1].split("</section>")[0]


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_loan_page_opens_for_the_roles_that_follow_loans(client_as, loan, role):
    response = client_as(role).get(page_url(loan))
    assert response.status_code == 200
    assert f"Loan {loan.number}" in response.content.decode()


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.BRANCH_SYSTEM])
def test_loan_page_refuses_other_roles(client_as, loan, role):
    assert client_as(role).get(page_url(loan)).status_code == 403
    assert not AuditEvent.objects.filter(action="loan.viewed").exists()


def test_loan_page_sends_anonymous_users_to_log_in(client, loan):
    response = client.get(page_url(loan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_loan_is_not_found(client_as):
    assert client_as(Role.RISK_MANAGER).get("/loans/999999/").status_code == 404


def test_opening_the_loan_page_is_logged(client_as, loan):
    client_as(Role.COLLECTOR).get(page_url(loan))
    event = AuditEvent.objects.get(action="loan.viewed")
    assert event.target_id == str(loan.pk)
    assert event.actor.groups.get().name == Role.COLLECTOR.value


# --- what the page shows ---------------------------------------------------------------------


def test_terms_balances_and_contract_links(client_as, loan):
    html = client_as(Role.CREDIT_ADMINISTRATOR).get(page_url(loan)).content.decode()
    terms = section(html, "terms")
    assert loan.number in terms
    assert "ИП Сейтқали" in terms
    assert "1,000,000.00" in terms
    assert f"data-gesv>{loan.gesv}<" in terms
    assert "02.03.2026" in terms  # disbursed
    assert "Annuity" in terms
    for language in ("kk", "ru"):
        assert f'href="/loans/documents/{loan.pk}/contract/{language}.pdf"' in terms
    assert 'data-balance="principal">1,000,000.00<' in section(html, "balances")
    assert "No daily close has covered this loan yet." in html
    assert IIN in html


def test_identifiers_are_masked_for_the_risk_manager(client_as, loan):
    html = client_as(Role.RISK_MANAGER).get(page_url(loan)).content.decode()
    assert MASKED in html
    assert IIN not in html


def test_a_paid_instalment_shows_as_paid_with_its_receipts(client_as, loan, accountant):
    line = first_line(loan)
    payment, _posted = services.payment_post(
        loan_id=loan.pk,
        amount=line.total,
        value_date=FIRST_DUE,
        channel="cash",
        by=accountant,
        today=FIRST_DUE,
    )
    html = client_as(Role.ACCOUNTANT).get(page_url(loan)).content.decode()
    row = line_row(html, 1)
    assert 'data-state="paid"' in row
    assert "line-paid" in row
    first = html.split('<tr data-line="1"')[1].split("</tr>")[0]
    assert f"data-paid>{line.total:,}<" in first
    assert 'data-state="paid"' not in line_row(html, 2)
    payments = section(html, "payments")
    for language in ("kk", "ru"):
        assert f'href="/loans/documents/payments/{payment.pk}/receipt/{language}.pdf"' in payments
    principal = loan.amount - line.principal
    assert f'data-balance="principal">{principal:,}<' in section(html, "balances")


def test_a_late_instalment_is_overdue_after_the_daily_close(client_as, loan, accountant):
    services.close_day(on=date(2026, 4, 10))
    client = client_as(Role.COLLECTOR)
    html = client.get(page_url(loan)).content.decode()
    assert 'data-state="overdue"' in line_row(html, 1)
    assert "flagged" in line_row(html, 1)
    first = html.split('<tr data-line="1"')[1].split("</tr>")[0]
    assert f"data-overdue>{first_line(loan).total:,}<" in first  # nothing of it is paid
    assert 'data-state="not_due"' in line_row(html, 2)
    snapshot = section(html, "balances")
    assert 'data-snapshot="2026-04-10"' in snapshot
    assert "data-dpd>8<" in snapshot
    assert "1–30 days" in snapshot
    assert "Paid and overdue parts as of 10.04.2026." in html

    services.payment_post(
        loan_id=loan.pk,
        amount=Decimal("100000.00"),  # the instalment, its late charges; the rest is held
        value_date=date(2026, 4, 10),
        channel="cash",
        by=accountant,
        today=date(2026, 4, 10),
    )
    html = client.get(page_url(loan)).content.decode()
    assert 'data-state="paid"' in line_row(html, 1)
    assert "data-dpd>0<" in section(html, "balances")
    assert re.search(r'data-balance="held">[1-9][\d,]*\.\d\d<', html)


def test_the_acceleration_flag_is_shown_in_red(client_as, loan):
    Loan.objects.filter(pk=loan.pk).update(acceleration_flagged_on=date(2026, 5, 13))
    html = client_as(Role.RISK_MANAGER).get(page_url(loan)).content.decode()
    assert '<span class="flag" data-acceleration>More than 40 days late since 13.05.2026' in html
    assert '<span class="bad">More than 40 days late since 13.05.2026' in section(html, "terms")


def test_the_ledger_links_a_reversal_and_the_entry_it_cancels(client_as, loan, accountant):
    disbursement = LedgerEntry.objects.get(loan=loan, kind=Kind.DISBURSEMENT)
    reversal = LedgerEntry.objects.create(
        loan=loan,
        value_date=DISBURSED,
        kind=Kind.REVERSAL,
        component=Component.PRINCIPAL,
        amount=-disbursement.amount,
        reverses=disbursement,
        reason="Posted twice",
        posted_by=accountant,
    )
    ledger = section(client_as(Role.ACCOUNTANT).get(page_url(loan)).content.decode(), "ledger")
    assert f'id="entry-{disbursement.pk}"' in ledger
    assert f'href="#entry-{reversal.pk}" data-reversed-by="{reversal.pk}"' in ledger
    assert f'href="#entry-{disbursement.pk}" data-reverses="{disbursement.pk}"' in ledger
    assert "Posted twice" in ledger
    assert "Disbursement" in ledger
    assert "Reversal" in ledger


def test_collateral_with_its_pledge_registration_and_a_value_drop(client_as, loan, officer):
    pledgor = Pledgor.objects.create(name="Болат Серікұлы", identifier="850512400708")
    item = CollateralItem.objects.create(
        application=loan.application,
        kind="vehicle",
        pledgor=pledgor,
        description="Toyota Camry 2022",
        registered_by=officer,
    )
    PledgeAgreement.objects.create(
        item=item,
        number="ZL-1",
        signed_on=date(2026, 3, 1),
        encumbrance=PledgeAgreement.Encumbrance.REGISTERED,
        registered_on=date(2026, 3, 1),
        registration_number="REG-77",
    )
    Appraisal.objects.create(
        item=item,
        appraiser="Бағалау ЖШС",
        appraised_on=date(2026, 2, 20),
        market_value=Decimal("1000000.00"),
        liquidity_coefficient=Decimal("0.7000"),
        pledge_value=Decimal("700000.00"),
        recorded_by=officer,
    )
    Product.objects.filter(pk=loan.product_id).update(min_coverage=Decimal("1.2"))
    risk = section(client_as(Role.RISK_MANAGER).get(page_url(loan)).content.decode(), "collateral")
    assert "Toyota Camry 2022" in risk
    assert 'data-encumbrance="registered"' in risk
    assert "REG-77" in risk
    assert "8505******08" in risk  # the pledgor's IIN masked too
    assert f'href="{reverse("collateral:item", args=[item.pk])}"' in risk
    assert "data-value-drop" in risk
    assert "coverage 70.00 % against 120.00 % required" in risk
    assert "500,000.00 KZT" in risk  # 1.2 × 1,000,000 − 700,000
    collector = section(
        client_as(Role.COLLECTOR).get(page_url(loan)).content.decode(), "collateral"
    )
    assert "/collateral/items/" not in collector  # a page the collector may not open


def test_an_unsecured_loan_says_so(client_as, loan):
    html = client_as(Role.RISK_MANAGER).get(page_url(loan)).content.decode()
    assert "The loan is not secured by collateral." in section(html, "collateral")
    assert "data-value-drop" not in html


def test_the_collection_history(client_as, loan, make_user):
    collector = make_user(Role.COLLECTOR)
    services.contact_record(
        loan_id=loan.pk,
        channel="call",
        outcome="promise",
        promised_amount=Decimal("90000.00"),
        promised_on=timezone.localdate() + timedelta(days=3),
        note="Will pay on Friday",
        by=collector,
    )
    history = section(client_as(Role.COLLECTOR).get(page_url(loan)).content.decode(), "collection")
    assert "Promise to pay" in history
    assert "90,000.00" in history
    assert "Will pay on Friday" in history


def test_a_draft_contract_has_a_schedule_but_nothing_paid_or_late(client_as, accepted, officer):
    application = accepted()
    draft = services.contract_create(
        application_id=application.pk,
        planned_disbursement_date=DISBURSED,
        contract_date=DISBURSED - timedelta(days=1),
        by=officer,
    )
    html = client_as(Role.CREDIT_ADMINISTRATOR).get(page_url(draft)).content.decode()
    assert 'data-status="draft"' in html
    assert 'data-state=""' in line_row(html, 1)
    assert 'data-state="paid"' not in html
    assert "Nothing is posted yet." in html


# --- actions ---------------------------------------------------------------------------------


def test_action_links_skip_pages_that_do_not_exist():
    assert url_or_blank("servicing:no-such-page", 1) == ""
    assert url_or_blank("portfolio:loan", 1) == "/loans/1/"


def test_actions_are_shown_to_their_roles_in_their_statuses(client_as, loan, monkeypatch):
    accountants, everyone = frozenset({Role.ACCOUNTANT}), frozenset(Role)
    monkeypatch.setattr(
        portfolio_views,
        "LOAN_ACTIONS",
        (
            LoanAction("Post it", "portfolio:loan", accountants, frozenset({"active"})),
            LoanAction("Sign it", "portfolio:loan", accountants, frozenset({"draft"})),
            LoanAction("Not built", "servicing:no-such-page", everyone, frozenset({"active"})),
        ),
    )
    accountant = client_as(Role.ACCOUNTANT).get(page_url(loan)).content.decode()
    actions = accountant.split("data-actions>")[1].split("</p>")[0]
    assert f'href="{page_url(loan)}">Post it</a>' in actions
    assert "Sign it" not in actions
    assert "Not built" not in actions
    risk = client_as(Role.RISK_MANAGER).get(page_url(loan)).content.decode()
    assert "data-actions" not in risk


def test_servicing_buttons_follow_the_roles(client_as, loan):
    """The servicing pages are built beside these; whichever exist are linked for their roles."""
    payment = url_or_blank("servicing:payment-new", loan.pk)
    contact = url_or_blank("servicing:contact-new", loan.pk)
    accountant = client_as(Role.ACCOUNTANT).get(page_url(loan)).content.decode()
    collector = client_as(Role.COLLECTOR).get(page_url(loan)).content.decode()
    if payment:
        assert f'href="{payment}"' in accountant
        assert f'href="{payment}"' not in collector
    if contact:
        assert f'href="{contact}"' in collector
        assert f'href="{contact}"' not in accountant
    disburse = url_or_blank("servicing:disburse", loan.pk)
    if disburse:
        assert f'href="{disburse}"' not in accountant  # already disbursed


def test_a_long_history_shows_the_latest_rows_with_a_link_to_all(
    client_as, loan, accountant, monkeypatch
):
    monkeypatch.setattr(portfolio_views, "LOAN_PAGE_ROWS", 2)
    for day in (3, 4, 5):  # three payments, each held: one ledger entry apiece
        services.payment_post(
            loan_id=loan.pk,
            amount=Decimal("1000.00"),
            value_date=DISBURSED + timedelta(days=day),
            channel="cash",
            by=accountant,
            today=DISBURSED + timedelta(days=day),
        )
    entries = list(LedgerEntry.objects.filter(loan=loan).order_by("value_date", "id"))
    payments = list(loan.payments.order_by("value_date", "id"))
    client = client_as(Role.ACCOUNTANT)

    html = client.get(page_url(loan)).content.decode()
    ledger, paid = section(html, "ledger"), section(html, "payments")
    assert [f'id="entry-{e.pk}"' in ledger for e in entries] == [False] * (len(entries) - 2) + [
        True,
        True,
    ]
    assert f"The latest 2 of {len(entries)} entries." in ledger
    assert 'href="?all=ledger#ledger"' in ledger
    assert [f'data-payment="{p.pk}"' in paid for p in payments] == [False, True, True]
    assert "The latest 2 of 3 payments." in paid

    everything = client.get(page_url(loan), {"all": "ledger"}).content.decode()
    assert all(f'id="entry-{e.pk}"' in section(everything, "ledger") for e in entries)
    assert "data-cut" not in section(everything, "ledger")
    assert "data-cut" in section(everything, "payments")  # only the list asked for grows
    all_paid = section(client.get(page_url(loan), {"all": "payments"}).content.decode(), "payments")
    assert all(f'data-payment="{p.pk}"' in all_paid for p in payments)
