from __future__ import annotations

from datetime import date

import pytest

from applications.models import Applicant
from core.models import AuditEvent
from core.roles import Role

from .conftest import APPLICANT, APPLICANTS

pytestmark = pytest.mark.django_db

IIN = APPLICANT["iin"]
BIN = "180340000015"


def assert_refused_on(response, field: str, status: int = 400) -> list[str]:
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert field in body["errors"], body
    return body["errors"][field]


# --- create ---------------------------------------------------------------------------------


def test_branch_system_registers_an_entrepreneur_with_the_birth_date_from_the_iin(api_as):
    response = api_as(Role.BRANCH_SYSTEM).post(APPLICANTS, APPLICANT, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["iin"] == IIN  # the branch system registered it: shown in full
    assert body["birth_date"] == "1990-01-01"
    assert body["phone"] == "+77015551234"
    assert body["monthly_income"] == "900000.00"
    applicant = Applicant.objects.get(pk=body["id"])
    assert applicant.iin == IIN
    assert (
        AuditEvent.objects.filter(action="applicant.created", target_id=str(applicant.pk)).count()
        == 1
    )


def test_legal_entity_is_registered_by_its_bin(api_as):
    data = {"kind": "legal_entity", "bin": BIN, "name": "ТОО «Дала Агро»", "region": "almaty"}
    response = api_as(Role.CREDIT_ADMINISTRATOR).post(APPLICANTS, data, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["bin"] == BIN
    assert response.json()["birth_date"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"iin": "900101300018"}, "iin"),  # control digit
        ({"iin": "90010130001"}, "iin"),  # eleven digits
        ({"birth_date": "1990-01-02"}, "birth_date"),  # disagrees with the IIN
        ({"kind": "legal_entity", "iin": ""}, "bin"),  # a legal entity needs a BIN
        ({"iin": ""}, "iin"),  # a person needs an IIN
        ({"bin": "180340000016"}, "bin"),
        ({"phone": "call me"}, "phone"),
        ({"region": "mars"}, "region"),
        ({"monthly_income": "-1"}, "monthly_income"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_applicant_data_is_refused_naming_the_field_and_nothing_is_written(
    api_as, change, field
):
    response = api_as(Role.BRANCH_SYSTEM).post(APPLICANTS, {**APPLICANT, **change}, format="json")

    assert_refused_on(response, field)
    assert not Applicant.objects.exists()
    assert not AuditEvent.objects.filter(action="applicant.created").exists()


def test_the_iin_error_says_what_is_wrong(api_as):
    response = api_as(Role.BRANCH_SYSTEM).post(
        APPLICANTS, {**APPLICANT, "iin": "900101300018"}, format="json"
    )
    assert assert_refused_on(response, "iin") == ["Invalid IIN: The control digit does not match."]
    assert response.json()["code"] == "invalid"


def test_birth_date_disagreeing_with_the_iin_gives_the_date_in_the_iin(api_as):
    response = api_as(Role.BRANCH_SYSTEM).post(
        APPLICANTS, {**APPLICANT, "birth_date": "1991-01-01"}, format="json"
    )
    (message,) = assert_refused_on(response, "birth_date")
    assert "1990-01-01" in message


def test_a_second_applicant_with_the_same_iin_is_refused(api_as):
    client = api_as(Role.BRANCH_SYSTEM)
    assert client.post(APPLICANTS, APPLICANT, format="json").status_code == 201

    response = client.post(APPLICANTS, {**APPLICANT, "name": "Someone else"}, format="json")

    assert_refused_on(response, "iin")
    assert Applicant.objects.count() == 1
    assert AuditEvent.objects.filter(action="applicant.created").count() == 1


# --- update ---------------------------------------------------------------------------------


def test_partial_update_changes_only_the_fields_sent(api_as, applicant):
    response = api_as(Role.BRANCH_SYSTEM).patch(
        f"{APPLICANTS}{applicant.pk}/",
        {"phone": "8 (702) 111-22-33", "monthly_income": "1200000"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    applicant.refresh_from_db()
    assert applicant.phone == "+77021112233"
    assert str(applicant.monthly_income) == "1200000.00"
    assert applicant.name == APPLICANT["name"]
    event = AuditEvent.objects.get(action="applicant.updated", target_id=str(applicant.pk))
    assert event.data == {
        "fields": ["monthly_income", "phone"],
        "old": {"monthly_income": "900000.00", "phone": "+77015551234"},
        "new": {"monthly_income": "1200000.00", "phone": "+77021112233"},
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "1985-05-12"}, "birth_date"),
        ({"kind": "legal_entity"}, "bin"),  # the stored applicant has no BIN
        ({"iin": "850512400709"}, "iin"),
    ],
)
def test_a_refused_update_changes_nothing(api_as, applicant, change, field):
    response = api_as(Role.CREDIT_ADMINISTRATOR).patch(
        f"{APPLICANTS}{applicant.pk}/", change, format="json"
    )

    assert_refused_on(response, field)
    applicant.refresh_from_db()
    assert (applicant.kind, applicant.iin, applicant.birth_date) == (
        "individual_entrepreneur",
        IIN,
        date(1990, 1, 1),
    )
    assert not AuditEvent.objects.filter(action="applicant.updated").exists()


def test_update_to_an_iin_already_registered_is_refused(api_as, applicant):
    client = api_as(Role.CREDIT_ADMINISTRATOR)
    other = client.post(APPLICANTS, {**APPLICANT, "iin": "850512400708"}, format="json").json()

    response = client.patch(f"{APPLICANTS}{other['id']}/", {"iin": IIN}, format="json")

    assert_refused_on(response, "iin")
    assert Applicant.objects.get(pk=other["id"]).iin == "850512400708"


def test_put_is_not_offered(api_as, applicant):
    response = api_as(Role.CREDIT_ADMINISTRATOR).put(
        f"{APPLICANTS}{applicant.pk}/", APPLICANT, format="json"
    )
    assert response.status_code == 405


# --- list and search ------------------------------------------------------------------------


@pytest.fixture
def three_applicants(api_as):
    client = api_as(Role.CREDIT_ADMINISTRATOR)
    for data in (
        APPLICANT,
        {**APPLICANT, "iin": "850512400708", "name": "ИП Ахметова Гүлназ", "region": "astana",
         "phone": "+7 777 000 11 22"},
        {"kind": "legal_entity", "bin": BIN, "name": "ТОО «Дала Агро»", "region": "almaty"},
    ):  # fmt: skip
        assert client.post(APPLICANTS, data, format="json").status_code == 201
    return client


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"search": "9001"}, ["ИП Сейтқали Нұрлан"]),  # the first digits of the IIN
        ({"search": "180340000015"}, ["ТОО «Дала Агро»"]),  # a BIN
        ({"search": "ахметова"}, ["ИП Ахметова Гүлназ"]),  # part of a name, any case
        ({"search": "+7 777 000-11-22"}, ["ИП Ахметова Гүлназ"]),  # a phone as typed
        ({"kind": "legal_entity"}, ["ТОО «Дала Агро»"]),
        ({"region": "astana"}, ["ИП Ахметова Гүлназ"]),
        ({"kind": "individual_entrepreneur", "search": "ИП"},
         ["ИП Ахметова Гүлназ", "ИП Сейтқали Нұрлан"]),
        ({"search": "nobody"}, []),
    ],
)  # fmt: skip
def test_applicants_are_found_by_search_and_filters(three_applicants, query, names):
    response = three_applicants.get(APPLICANTS, query)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [row["name"] for row in body["results"]] == names
    assert body["count"] == len(names)


def test_list_is_paginated(three_applicants):
    body = three_applicants.get(APPLICANTS, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None


def test_an_unknown_filter_value_names_the_filter(three_applicants):
    response = three_applicants.get(APPLICANTS, {"kind": "alien"})
    assert_refused_on(response, "kind")


# --- personal data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "iin"),
    [
        (Role.RISK_MANAGER, "9001******17"),
        (Role.BRANCH_SYSTEM, "9001******17"),  # registered by the back office, not by it
        (Role.CREDIT_ADMINISTRATOR, IIN),
        (Role.COMMITTEE_MEMBER, IIN),
        (Role.MONITORING_MANAGER, IIN),
        (Role.ADMINISTRATOR, IIN),
    ],
)
def test_the_iin_is_shown_in_full_only_to_roles_that_need_it(api_as, applicant, role, iin):
    client = api_as(role)

    detail = client.get(f"{APPLICANTS}{applicant.pk}/")
    listed = client.get(APPLICANTS)

    assert detail.status_code == 200
    assert detail.json()["iin"] == iin
    assert listed.json()["results"][0]["iin"] == iin
    assert (IIN in detail.content.decode()) is (iin == IIN)


def test_a_bin_is_masked_for_the_risk_manager(api_as):
    data = {"kind": "legal_entity", "bin": BIN, "name": "ТОО «Дала Агро»", "region": "almaty"}
    created = api_as(Role.CREDIT_ADMINISTRATOR).post(APPLICANTS, data, format="json").json()

    body = api_as(Role.RISK_MANAGER).get(f"{APPLICANTS}{created['id']}/").json()

    assert body["bin"] == "1803******15"
    assert body["iin"] == ""


def test_a_branch_system_sees_in_full_only_the_applicants_it_registered(api_as, make_user):
    client = api_as(Role.BRANCH_SYSTEM)
    own = client.post(APPLICANTS, APPLICANT, format="json").json()
    client.force_authenticate(make_user(Role.BRANCH_SYSTEM))  # another branch

    assert client.get(f"{APPLICANTS}{own['id']}/").json()["iin"] == "9001******17"


# --- roles and audit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.RISK_MANAGER, Role.COMMITTEE_MEMBER, Role.MONITORING_MANAGER, Role.ACCOUNTANT]
)
def test_roles_that_do_not_register_applicants_cannot_create_one(api_as, role):
    response = api_as(role).post(APPLICANTS, APPLICANT, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Applicant.objects.exists()


def test_risk_manager_cannot_change_an_applicant(api_as, applicant):
    response = api_as(Role.RISK_MANAGER).patch(
        f"{APPLICANTS}{applicant.pk}/", {"name": "X"}, format="json"
    )
    assert response.status_code == 403
    applicant.refresh_from_db()
    assert applicant.name == APPLICANT["name"]


def test_accountant_cannot_read_applicants_and_opens_nothing(api_as, applicant):
    client = api_as(Role.ACCOUNTANT)

    assert client.get(APPLICANTS).status_code == 403
    assert client.get(f"{APPLICANTS}{applicant.pk}/").status_code == 403
    assert not AuditEvent.objects.filter(action="credit_file.opened").exists()


def test_unauthenticated_call_is_refused(api_client, applicant):
    assert api_client.get(APPLICANTS).status_code == 401


def test_opening_an_applicant_is_audited_but_listing_is_not(api_client, make_user, applicant):
    user = make_user(Role.RISK_MANAGER)
    api_client.force_authenticate(user)
    assert api_client.get(APPLICANTS).status_code == 200
    assert not AuditEvent.objects.filter(action="credit_file.opened").exists()

    assert api_client.get(f"{APPLICANTS}{applicant.pk}/").status_code == 200

    event = AuditEvent.objects.get(action="credit_file.opened")
    assert (event.actor, event.target_type.model, event.target_id) == (
        user,
        "applicant",
        str(applicant.pk),
    )


def test_an_unknown_applicant_is_404_with_the_error_body(api_as, db):
    response = api_as(Role.CREDIT_ADMINISTRATOR).get(f"{APPLICANTS}999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "code", "errors"}
    assert not AuditEvent.objects.exists()
