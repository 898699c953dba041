"""One privacy policy for the pages and the API (core.privacy): for every role, a page and its
API twin show each field of personal data the same way — in clear, masked, as a band or not at
all — and that way is the one the policy's table gives the role.

Pairs: the applicant page and ``GET /api/v1/applicants/<id>/``; the application page and
``GET /api/v1/applications/<id>/`` (the debt burden's inputs); the loan page and
``GET /api/v1/loans/<id>/`` with ``…/refunds/``; the collateral item page and
``GET /api/v1/collateral/items/<id>/``. A branch system has no pages: its API answers are held
to the table. Before the policy the risk manager and a branch token read the phone, the date of
birth and the income in clear from the API where the pages hid them.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applications import services
from applications.models import Stage
from collateral import services as collateral
from core.roles import Role
from loans.models import Refund

pytestmark = pytest.mark.django_db

CLEAR, MASKED, BANDED, HIDDEN = "clear", "masked", "banded", "hidden"

IIN = "900101300017"  # born 1 January 1990
PERSON = {
    "kind": "individual_entrepreneur",
    "iin": IIN,
    "name": "ИП Сейтқали Нұрлан",
    "region": "almaty_city",
    "phone": "+77015551234",
    "email": "nurlan@example.kz",
    "legal_address": "Алматы, ул. Абая 10",
    "actual_address": "Алматы, ул. Толе би 5",
    "monthly_income": Decimal("900000"),
    "existing_monthly_payments": Decimal("50000"),
}
ACCOUNT = "KZ123456789012345678"
CADASTRAL = "21:320:045:017"
ADDRESS = "Астана, ул. Кенесары 40"

# field: how it reads in the API and on an English page, in clear, masked or as its band
FORMS = {
    "iin": {CLEAR: (IIN, IIN), MASKED: ("9001******17", "9001******17")},
    "birth_date": {CLEAR: ("1990-01-01", "01.01.1990")},
    "phone": {CLEAR: (PERSON["phone"],) * 2},
    "email": {CLEAR: (PERSON["email"],) * 2},
    "legal_address": {CLEAR: (PERSON["legal_address"],) * 2},
    "actual_address": {CLEAR: (PERSON["actual_address"],) * 2},
    "monthly_income": {
        CLEAR: ("900000.00", "900,000.00"),
        BANDED: ("500000.00", "500,000 to 1,000,000"),
    },
    "existing_monthly_payments": {
        CLEAR: ("50000.00", "50,000.00"),
        BANDED: ("0.00", "0 to 100,000"),
    },
    "account": {CLEAR: (ACCOUNT, ACCOUNT), MASKED: ("KZ12**************78",) * 2},
    "cadastral_number": {CLEAR: (CADASTRAL, CADASTRAL)},
    "address": {CLEAR: (ADDRESS, ADDRESS)},
}
FORMS["existing_payments"] = FORMS["existing_monthly_payments"]  # the debt burden's name

# The table (README, "Who sees personal data"), written out here so that the policy module
# cannot drift from it unnoticed: the category of each field, then how each role sees it.
CATEGORY = {
    "iin": "identifier",
    "birth_date": "birth_date",
    **dict.fromkeys(("phone", "email", "legal_address", "actual_address"), "contacts"),
    **dict.fromkeys(("monthly_income", "existing_monthly_payments", "existing_payments"), "income"),
    "account": "account",
    **dict.fromkeys(("cadastral_number", "address"), "property"),
}
ALL_CLEAR = dict.fromkeys(
    ("identifier", "birth_date", "contacts", "income", "account", "property"), CLEAR
)
EXPECTED = {
    Role.CREDIT_ADMINISTRATOR: ALL_CLEAR,
    Role.COMMITTEE_MEMBER: ALL_CLEAR,
    Role.MONITORING_MANAGER: ALL_CLEAR,
    Role.ADMINISTRATOR: ALL_CLEAR,
    Role.ACCOUNTANT: {
        **dict.fromkeys(("birth_date", "contacts", "income", "property"), HIDDEN),
        "identifier": CLEAR,
        "account": CLEAR,
    },
    Role.COLLECTOR: {
        **dict.fromkeys(("birth_date", "income", "property"), HIDDEN),
        "identifier": MASKED,
        "account": MASKED,
        "contacts": CLEAR,
    },
    Role.RISK_MANAGER: {
        **dict.fromkeys(("birth_date", "contacts", "property"), HIDDEN),
        "identifier": MASKED,
        "account": MASKED,
        "income": BANDED,
    },
    Role.BRANCH_SYSTEM: {
        **dict.fromkeys(("birth_date", "contacts", "income", "property"), HIDDEN),
        "identifier": MASKED,
        "account": MASKED,
    },
}


def expected(role: Role, fields) -> dict[str, str]:
    return {field: EXPECTED[role][CATEGORY[field]] for field in fields}


def in_api(field: str, value) -> str:
    if value is None:
        return HIDDEN
    for how, (api_form, _page_form) in FORMS[field].items():
        if value == api_form:
            return how
    raise AssertionError(f"{field}: {value!r} is none of the policy's forms")


def on_page(field: str, html: str) -> str:
    found = [how for how, (_api, page_form) in FORMS[field].items() if page_form in html]
    assert len(found) <= 1, (field, found)
    return found[0] if found else HIDDEN


def api_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def page(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    return response.content.decode()


def compare(role, html: str, body: dict, fields) -> None:
    """The page and its API twin agree field by field, and agree with the table."""
    api = {field: in_api(field, body[field]) for field in fields}
    shown = {field: on_page(field, html) for field in fields}
    assert shown == api, role
    assert api == expected(role, fields), role


@pytest.fixture
def person(officer):
    return services.applicant_create(data=PERSON, by=officer)


# --- the applicant --------------------------------------------------------------------------

APPLICANT_FIELDS = (
    "iin", "birth_date", "phone", "email", "legal_address", "actual_address", "monthly_income",
    "existing_monthly_payments",
)  # fmt: skip
APPLICANT_READERS = [
    Role.CREDIT_ADMINISTRATOR,
    Role.COMMITTEE_MEMBER,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
    Role.ADMINISTRATOR,
]


@pytest.mark.parametrize("role", APPLICANT_READERS)
def test_the_applicant_page_and_its_api_twin_show_personal_data_alike(
    client, make_user, person, role
):
    user = make_user(role)
    client.force_login(user)
    html = page(client, reverse("applications:applicant-detail", args=[person.pk]))
    api = api_for(user)
    body = api.get(f"/api/v1/applicants/{person.pk}/").json()

    compare(role, html, body, APPLICANT_FIELDS)
    (listed,) = api.get("/api/v1/applicants/").json()["results"]
    assert {field: listed[field] for field in APPLICANT_FIELDS} == {
        field: body[field] for field in APPLICANT_FIELDS
    }


def test_a_branch_token_reads_another_registrations_data_as_the_table_says(make_user, person):
    body = api_for(make_user(Role.BRANCH_SYSTEM)).get(f"/api/v1/applicants/{person.pk}/").json()

    shown = {field: in_api(field, body[field]) for field in APPLICANT_FIELDS}
    assert shown == expected(Role.BRANCH_SYSTEM, APPLICANT_FIELDS)
    assert body["birth_date"] is None and body["phone"] is None
    assert body["monthly_income"] is None


def test_a_branch_token_reads_back_in_clear_what_it_registered_itself(make_user):
    api = api_for(make_user(Role.BRANCH_SYSTEM))
    data = {**PERSON, "monthly_income": "900000", "existing_monthly_payments": "50000"}
    created = api.post("/api/v1/applicants/", data, format="json")
    assert created.status_code == 201, created.json()

    body = api.get(f"/api/v1/applicants/{created.json()['id']}/").json()
    assert {field: in_api(field, body[field]) for field in APPLICANT_FIELDS} == dict.fromkeys(
        APPLICANT_FIELDS, CLEAR
    )


@pytest.mark.parametrize(
    ("role", "found"), [(Role.CREDIT_ADMINISTRATOR, 1), (Role.RISK_MANAGER, 0)]
)
def test_who_does_not_see_phones_cannot_find_an_applicant_by_one(
    client, make_user, person, role, found
):
    user = make_user(role)
    listed = api_for(user).get("/api/v1/applicants/", {"search": "8 701 555 12 34"}).json()
    client.force_login(user)
    html = page(client, reverse("applications:applicant-list") + "?q=87015551234")

    assert listed["count"] == found
    assert (f'data-applicant="{person.pk}"' in html) is bool(found)


# --- the application's debt burden ----------------------------------------------------------

APPLICATION_FIELDS = ("iin", "monthly_income", "existing_payments")


@pytest.mark.parametrize("role", [*APPLICANT_READERS, Role.BRANCH_SYSTEM])
def test_the_application_page_and_its_api_twin_show_the_debt_burden_alike(
    client, make_user, at_committee, role
):
    application = at_committee()
    user = make_user(role)
    answer = api_for(user).get(f"/api/v1/applications/{application.pk}/").json()
    body = {"iin": answer["applicant_identifier"], **answer["debt_burden"]}
    assert answer["debt_burden"]["coefficient"] is not None  # the figure itself stays

    if role == Role.BRANCH_SYSTEM:  # no pages: the API alone, held to the table
        shown = {field: in_api(field, body[field]) for field in APPLICATION_FIELDS}
        assert shown == expected(role, APPLICATION_FIELDS)
        return
    client.force_login(user)
    html = page(client, reverse("applications:application-detail", args=[application.pk]))
    compare(role, html, body, APPLICATION_FIELDS)


# --- the loan -------------------------------------------------------------------------------

LOAN_READERS = [
    Role.CREDIT_ADMINISTRATOR,
    Role.ACCOUNTANT,
    Role.MONITORING_MANAGER,
    Role.RISK_MANAGER,
    Role.COLLECTOR,
    Role.ADMINISTRATOR,
]


@pytest.fixture
def loan(active_loan, applicant, accountant):
    applicant.phone = PERSON["phone"]
    applicant.save(update_fields=["phone"])
    loan = active_loan(on=timezone.localdate() - timedelta(days=10))
    today = timezone.localdate()
    Refund.objects.create(
        loan=loan, amount=Decimal("100"), on=today, applied_on=today, account=ACCOUNT,
        recorded_by=accountant,
    )  # fmt: skip
    return loan


@pytest.mark.parametrize("role", [*LOAN_READERS, Role.BRANCH_SYSTEM])
def test_the_loan_page_and_its_api_twin_show_identifier_and_accounts_alike(
    client, make_user, loan, role
):
    user = make_user(role)
    api = api_for(user)
    detail = api.get(f"/api/v1/loans/{loan.pk}/").json()
    (refund,) = api.get(f"/api/v1/loans/{loan.pk}/refunds/").json()["results"]
    body = {"iin": detail["borrower_identifier"], "account": refund["account"]}

    if role == Role.BRANCH_SYSTEM:
        assert {f: in_api(f, body[f]) for f in body} == expected(role, body)
        return
    client.force_login(user)
    html = page(client, reverse("portfolio:loan", args=[loan.pk]))
    compare(role, html, body, ("iin", "account"))
    # the phone has no API twin on the loan: the page follows the table alone
    assert on_page("phone", html) == expected(role, ["phone"])["phone"]


# --- the collateral item --------------------------------------------------------------------


@pytest.fixture
def house(new_application, advance, officer):
    application = advance(
        new_application("almaty-secured", "5000000", 36, "6"),
        Stage.PREQUALIFICATION,
        Stage.APPLICATION,
    )
    return collateral.collateral_item_register(
        application_id=application.pk,
        kind="housing",
        data={
            "description": "House, 120 m²",
            "cadastral_number": CADASTRAL,
            "address": ADDRESS,
            "region": "astana",
            "in_regional_centre": True,
            "state_registered": True,
        },
        by=officer,
    )


@pytest.mark.parametrize("role", [*APPLICANT_READERS, Role.BRANCH_SYSTEM])
def test_the_collateral_page_and_its_api_twin_show_where_the_item_is_alike(
    client, make_user, house, role
):
    user = make_user(role)
    answer = api_for(user).get(f"/api/v1/collateral/items/{house.pk}/").json()
    body = {
        "iin": answer["pledgor"]["identifier"],
        "cadastral_number": answer["cadastral_number"],
        "address": answer["address"],
    }
    assert answer["region"] == "astana"  # the region stays: a figure of concentration

    if role == Role.BRANCH_SYSTEM:
        assert {f: in_api(f, body[f]) for f in body} == expected(role, body)
        return
    client.force_login(user)
    html = page(client, reverse("collateral:item", args=[house.pk]))
    compare(role, html, body, tuple(body))
