from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import Branch
from core.roles import Role
from loans import services
from loans.models import Installment, LedgerEntry, Loan, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def draft(accepted, officer, today):
    """A contract drawn today on an accepted application, not yet signed."""

    def make() -> Loan:
        application = accepted()
        return services.contract_create(
            application_id=application.pk,
            planned_disbursement_date=today,
            payout_account="KZ86125KZT5004100100",
            payout_account_source="borrower_file",
            by=officer,
        )

    return make


@pytest.fixture
def signed(draft, officer, today):
    def make() -> Loan:
        loan = draft()
        return services.contract_sign(loan_id=loan.pk, signed_on=today, by=officer)

    return make


def html_of(response) -> str:
    return response.content.decode()


def error_for(html: str, field: str) -> str:
    """The error text shown beside ``field``; empty when there is none."""
    match = re.search(rf'data-error-for="{field}">([^<]*)<', html)
    return match.group(1) if match else ""


def form_errors(html: str) -> str:
    match = re.search(r'data-form-errors="\w+">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("contracts-to-draw", []),
        ("contract-create", [1]),
        ("contract-sign", [1]),
        ("disbursement-queue", []),
        ("disburse", [1]),
        ("payment-new", [1]),
    ],
)
def test_anonymous_user_is_sent_to_login(client, name, args):
    response = client.get(reverse(f"servicing:{name}", args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_accountant_cannot_draw_a_contract(client_as, accepted):
    application = accepted()
    client = client_as(Role.ACCOUNTANT)
    assert client.get(reverse("servicing:contracts-to-draw")).status_code == 403
    url = reverse("servicing:contract-create", args=[application.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"planned_disbursement_date": "2026-01-01"}).status_code == 403
    assert not Loan.objects.exists()


@pytest.mark.parametrize("role", [Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR])
def test_only_an_accountant_opens_the_disbursement_page(client_as, signed, role):
    loan = signed()
    assert client_as(role).get(reverse("servicing:disburse", args=[loan.pk])).status_code == 403


def test_credit_administrator_cannot_see_the_disbursement_queue(client_as):
    response = client_as(Role.CREDIT_ADMINISTRATOR).get(reverse("servicing:disbursement-queue"))
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.COLLECTOR, Role.CREDIT_ADMINISTRATOR])
def test_collector_and_credit_administrator_cannot_post_payments(
    client_as, active_loan, today, role
):
    loan = active_loan(on=today)
    client = client_as(role)
    url = reverse("servicing:payment-new", args=[loan.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"amount": "100"}).status_code == 403
    assert not Payment.objects.exists()


# --- contracts --------------------------------------------------------------------------------


def test_contracts_to_draw_lists_accepted_applications_and_drafts(client_as, accepted, draft):
    waiting = accepted()
    drawn = draft()
    html = html_of(client_as(Role.CREDIT_ADMINISTRATOR).get(reverse("servicing:contracts-to-draw")))
    assert f'data-application="{waiting.pk}"' in html
    assert reverse("servicing:contract-create", args=[waiting.pk]) in html
    assert f'data-application="{drawn.application_id}"' not in html
    assert reverse("servicing:contract-sign", args=[drawn.pk]) in html


def test_contract_page_shows_the_decided_terms_read_only(client_as, accepted):
    application = accepted(amount="750000", term=10)
    response = client_as(Role.CREDIT_ADMINISTRATOR).get(
        reverse("servicing:contract-create", args=[application.pk])
    )
    html = html_of(response)
    assert response.status_code == 200
    assert re.search(r'data-term="amount">750,000\.00<', html)
    assert re.search(r'data-term="term">10<', html)
    for field in (
        "planned_disbursement_date",
        "contract_date",
        "branch",
        "payout_account",
        "payout_account_source",
    ):
        assert f'name="{field}"' in html
    assert 'name="amount"' not in html  # the terms are not editable


def test_drawing_a_contract_creates_the_draft(client_as, accepted, today):
    application = accepted()
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    response = client.post(
        reverse("servicing:contract-create", args=[application.pk]),
        {
            "contract_date": today.isoformat(),
            "planned_disbursement_date": (today + timedelta(days=2)).isoformat(),
            "branch": Branch.objects.first().pk,
            "payout_account": "kz86 125k zt50 0410 0100",
            "payout_account_source": "borrower_file",
        },
    )
    loan = Loan.objects.get(application=application)
    assert response.status_code == 302
    assert loan.status == Loan.Status.DRAFT
    assert loan.amount == application.decision.amount
    assert loan.planned_disbursement_date == today + timedelta(days=2)
    assert loan.payout_account == "KZ86125KZT5004100100"  # spaces and case normalised
    assert loan.payout_account_source == "borrower_file"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"planned_disbursement_date": "-1 day"},
            "planned_disbursement_date",
            "The planned disbursement cannot precede the contract date.",
        ),
        ({"planned_disbursement_date": ""}, "planned_disbursement_date", "This field is required."),
        ({"contract_date": "31.02.2026"}, "contract_date", "Enter a valid date."),
        ({"payout_account": ""}, "payout_account", "This field is required."),
        (
            {"payout_account": "MY-OWN-CARD-4111"},
            "payout_account",
            "Give a Kazakhstan IBAN (KZ and 18 more characters) or a card number.",
        ),
        (
            {"payout_account": "KZ00125KZT5004100100"},
            "payout_account",
            "The IBAN&#x27;s check digits do not match: a character is mistyped.",
        ),
        (
            {"payout_account": "4400 4300 0000 1238"},
            "payout_account",
            "The card number&#x27;s check digit does not match: a digit is mistyped.",
        ),
        ({"payout_account_source": ""}, "payout_account_source", "This field is required."),
    ],
)
def test_bad_contract_input_is_shown_beside_the_field(
    client_as, accepted, today, data, field, message
):
    application = accepted()
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    url = reverse("servicing:contract-create", args=[application.pk])
    posted = {
        "contract_date": today.isoformat(),
        "planned_disbursement_date": today.isoformat(),
        "branch": Branch.objects.first().pk,
        "payout_account": "KZ86125KZT5004100100",
        "payout_account_source": "borrower_file",
    }
    posted.update(data)
    if posted["planned_disbursement_date"] == "-1 day":
        posted["planned_disbursement_date"] = (today - timedelta(days=1)).isoformat()
    response = client.post(url, posted)
    assert response.status_code == 400
    assert error_for(html_of(response), field) == message
    assert Loan.objects.count() == 0


def test_signing_a_draft(client_as, draft, today):
    loan = draft()
    response = client_as(Role.CREDIT_ADMINISTRATOR).post(
        reverse("servicing:contract-sign", args=[loan.pk]), {"signed_on": today.isoformat()}
    )
    loan.refresh_from_db()
    assert response.status_code == 302
    assert loan.status == Loan.Status.SIGNED
    assert loan.signed_on == today


def test_signing_in_the_future_is_refused_beside_the_date(client_as, draft, today):
    loan = draft()
    response = client_as(Role.ADMINISTRATOR).post(
        reverse("servicing:contract-sign", args=[loan.pk]),
        {"signed_on": (today + timedelta(days=1)).isoformat()},
    )
    loan.refresh_from_db()
    assert response.status_code == 400
    assert error_for(html_of(response), "signed_on") == (
        "The signing date must be between the contract date and today."
    )
    assert loan.status == Loan.Status.DRAFT


# --- disbursement -----------------------------------------------------------------------------


def test_disbursement_queue_lists_signed_contracts(client_as, signed, draft):
    waiting, not_signed = signed(), draft()
    html = html_of(client_as(Role.ACCOUNTANT).get(reverse("servicing:disbursement-queue")))
    assert f'data-loan="{waiting.pk}"' in html
    assert f'data-loan="{not_signed.pk}"' not in html
    assert reverse("servicing:disburse", args=[waiting.pk]) in html


def test_administrator_sees_the_disbursement_queue_without_the_button(client_as, signed):
    loan = signed()
    html = html_of(client_as(Role.ADMINISTRATOR).get(reverse("servicing:disbursement-queue")))
    assert f'data-loan="{loan.pk}"' in html
    assert reverse("servicing:disburse", args=[loan.pk]) not in html


def _disbursement(today, **data) -> dict:
    return {
        "on": today.isoformat(),
        "channel": "account",
        "payee_account": "",  # the contract's account
        "payee_name": "",
        "payee_purpose": "",
        **data,
    }


def test_accountant_disburses_a_signed_contract(client, accountant, signed, today):
    loan = signed()
    client.force_login(accountant)
    url = reverse("servicing:disburse", args=[loan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _disbursement(today))
    loan.refresh_from_db()
    assert response.status_code == 302
    assert loan.status == Loan.Status.ACTIVE
    assert loan.payee_account == "KZ86125KZT5004100100"  # the contract's account
    assert LedgerEntry.objects.filter(loan=loan, kind="disbursement").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"channel": "third_party", "payee_name": ""},
            "payee_name",
            "A payment to a seller of goods needs the payee and the purpose.",
        ),
        (
            {"payee_account": "MY-OWN-CARD-4111"},
            "payee_account",
            "Give a Kazakhstan IBAN (KZ and 18 more characters) or a card number.",
        ),
        (
            {"payee_account": "KZ00125KZT5004100100"},
            "payee_account",
            "The IBAN&#x27;s check digits do not match: a character is mistyped.",
        ),
        (
            {"payee_account": "KZ18 722S 0000 1234 5678"},  # valid, but nobody approved it
            "payee_account",
            "This is not the contract&#x27;s account and no second person approved paying to "
            "it: request the change of the payout account first.",
        ),
        ({"channel": "card"}, "channel", None),  # the contract's account is an IBAN
        ({"on": "tomorrow"}, "on", "The value date cannot be in the future."),
        ({"channel": "cash"}, "channel", None),
    ],
)
def test_bad_disbursement_input_is_shown_beside_the_field(
    client, accountant, signed, today, data, field, message
):
    loan = signed()
    client.force_login(accountant)
    if data.get("on") == "tomorrow":
        data = {**data, "on": (today + timedelta(days=1)).isoformat()}
    response = client.post(
        reverse("servicing:disburse", args=[loan.pk]), _disbursement(today, **data)
    )
    loan.refresh_from_db()
    assert response.status_code == 400
    shown = error_for(html_of(response), field)
    assert shown == message if message else shown
    assert loan.status == Loan.Status.SIGNED
    assert not LedgerEntry.objects.filter(loan=loan).exists()


def test_disbursing_an_unsigned_contract_is_refused_with_the_reason(
    client, accountant, draft, today
):
    loan = draft()
    client.force_login(accountant)
    url = reverse("servicing:disburse", args=[loan.pk])
    assert "data-not-signed" in html_of(client.get(url))
    response = client.post(url, _disbursement(today))
    loan.refresh_from_db()
    assert response.status_code == 400
    assert "Only a signed contract is disbursed; this one is Draft contract." in form_errors(
        html_of(response)
    )
    assert loan.status == Loan.Status.DRAFT
    assert not LedgerEntry.objects.filter(loan=loan).exists()


# --- payments ---------------------------------------------------------------------------------


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def _payment(today, token: str, **data) -> dict:
    return {
        "amount": "50000",
        "value_date": today.isoformat(),
        "channel": "cash",
        "reference": "PKO-17",
        "payer": "IE Seitkali",
        "token": token,
        **data,
    }


def test_payment_is_posted_and_its_allocation_shown(client_as, active_loan, today):
    loan = active_loan(on=today - timedelta(days=45))  # the first instalment is late
    client = client_as(Role.ACCOUNTANT)
    url = reverse("servicing:payment-new", args=[loan.pk])
    token = _token(html_of(client.get(url)))
    response = client.post(url, _payment(today, token, amount="200000"))
    payment = Payment.objects.get(loan=loan)
    assert response.status_code == 302
    assert response.url == f"{url}?payment={payment.pk}"

    html = html_of(client.get(response.url))
    allocation = dict(
        re.findall(r'data-component="(\w+)"><th>[^<]*</th><td class="num">([\d,.]+)<', html)
    )
    assert set(allocation) == {"principal", "interest", "penalty", "held"}
    shown = sum(Decimal(amount.replace(",", "")) for amount in allocation.values())
    assert shown == Decimal("200000")
    for language in ("ru", "kk"):
        assert f'href="/loans/documents/payments/{payment.pk}/receipt/{language}.pdf"' in html
    assert _token(html) != token  # a new form, a new token


def test_a_double_submitted_payment_form_posts_once(client_as, active_loan, today):
    loan = active_loan(on=today)
    client = client_as(Role.ACCOUNTANT)
    url = reverse("servicing:payment-new", args=[loan.pk])
    token = _token(html_of(client.get(url)))
    first = client.post(url, _payment(today, token))
    second = client.post(url, _payment(today, token), follow=True)
    assert Payment.objects.filter(loan=loan).count() == 1
    assert first.url == second.redirect_chain[0][0]
    assert "This form was already submitted; the payment is posted once." in html_of(second)


def test_a_token_reused_for_another_amount_is_refused(client_as, active_loan, today):
    loan = active_loan(on=today)
    client = client_as(Role.ADMINISTRATOR)
    url = reverse("servicing:payment-new", args=[loan.pk])
    token = _token(html_of(client.get(url)))
    client.post(url, _payment(today, token))
    response = client.post(url, _payment(today, token, amount="1000"))
    assert response.status_code == 400
    assert "already used for a different payment" in form_errors(html_of(response))
    assert Payment.objects.filter(loan=loan).count() == 1


def test_a_payment_form_without_its_token_is_not_posted(client_as, active_loan, today):
    loan = active_loan(on=today)
    client = client_as(Role.ACCOUNTANT)
    url = reverse("servicing:payment-new", args=[loan.pk])
    response = client.post(url, _payment(today, ""))
    assert response.status_code == 400
    assert "The form has expired" in form_errors(html_of(response))
    assert _token(html_of(response))
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "10.005"}, "amount", "Ensure that there are no more than 2 decimal places."),
        ({"value_date": "tomorrow"}, "value_date", "The value date cannot be in the future."),
        ({"channel": "transfer"}, "channel", None),
    ],
)
def test_bad_payment_input_is_shown_beside_the_field(
    client_as, active_loan, today, data, field, message
):
    loan = active_loan(on=today)
    client = client_as(Role.ACCOUNTANT)
    url = reverse("servicing:payment-new", args=[loan.pk])
    token = _token(html_of(client.get(url)))
    if data.get("value_date") == "tomorrow":
        data = {"value_date": (today + timedelta(days=1)).isoformat()}
    response = client.post(url, _payment(today, token, **data))
    assert response.status_code == 400
    shown = error_for(html_of(response), field)
    assert shown == message if message else shown
    assert _token(html_of(response)) == token  # corrected and sent again, it still posts once
    assert not Payment.objects.exists()
    assert not LedgerEntry.objects.filter(loan=loan, kind="repayment").exists()


def test_payment_on_an_undisbursed_loan_is_refused(client_as, signed, today):
    loan = signed()
    client = client_as(Role.ACCOUNTANT)
    url = reverse("servicing:payment-new", args=[loan.pk])
    html = html_of(client.get(url))
    assert "data-not-disbursed" in html
    response = client.post(url, _payment(today, _token(html)))
    assert response.status_code == 400
    assert "Payments are taken only on a disbursed loan." in form_errors(html_of(response))
    assert not Payment.objects.exists()


# --- home-page queues -------------------------------------------------------------------------


def _section(html: str, role: Role) -> str:
    return html.split(f'data-role="{role.value}"')[1].split("</section>")[0]


def test_credit_administrator_queue_shows_contracts_to_draw_and_to_sign(client_as, accepted, draft):
    waiting, drawn = accepted(), draft()
    html = html_of(client_as(Role.CREDIT_ADMINISTRATOR).get(reverse("home")))
    section = _section(html, Role.CREDIT_ADMINISTRATOR)
    assert reverse("servicing:contract-create", args=[waiting.pk]) in section
    assert reverse("servicing:contract-sign", args=[drawn.pk]) in section
    assert "Contracts awaiting signature" in section


def test_accountant_queue_shows_signed_contracts(client_as, signed, draft):
    loan, not_signed = signed(), draft()
    html = html_of(client_as(Role.ACCOUNTANT).get(reverse("home")))
    section = _section(html, Role.ACCOUNTANT)
    assert reverse("servicing:disburse", args=[loan.pk]) in section
    assert reverse("servicing:disburse", args=[not_signed.pk]) not in section
    assert "Nothing to disburse." not in section


def test_accountant_queue_shows_the_instalments_due_today_until_paid(
    client_as, active_loan, accountant
):
    due, other = active_loan(on=date(2026, 3, 2)), active_loan(on=date(2026, 3, 9))
    line = Installment.objects.get(loan=due, version=due.schedule_version, number=1)
    payment_form = reverse("servicing:payment-new", args=[due.pk])
    with time_machine.travel(date(2026, 4, 2), tick=False):
        section = _section(
            html_of(client_as(Role.ACCOUNTANT).get(reverse("home"))), Role.ACCOUNTANT
        )
        assert payment_form in section
        assert f"instalment of {line.total:,.2f} KZT due 02.04.2026" in section
        assert reverse("servicing:payment-new", args=[other.pk]) not in section  # due on 9 April
        services.payment_post(
            loan_id=due.pk,
            amount=line.total,
            value_date=date(2026, 4, 2),
            channel="cash",
            by=accountant,
            today=date(2026, 4, 2),
        )
        section = _section(
            html_of(client_as(Role.ACCOUNTANT).get(reverse("home"))), Role.ACCOUNTANT
        )
        assert payment_form not in section
        assert "No instalment falls due today." in section
