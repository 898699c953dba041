from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import Applicant
from core.models import AuditEvent
from core.roles import Role
from tests.applications.views.conftest import BIN, IIN, IIN_2

pytestmark = pytest.mark.django_db

PERSON = {
    "kind": "individual_entrepreneur",
    "iin": IIN,
    "name": "IE Seitkali Nurlan",
    "region": "almaty_city",
    "phone": "8 (701) 123-45-67",
    "monthly_income": "900000",
    "existing_monthly_payments": "0",
}


def test_register_an_individual_entrepreneur(ca_client):
    response = ca_client.post(reverse("applications:applicant-create"), PERSON)
    applicant = Applicant.objects.get(iin=IIN)
    assert response.status_code == 302
    assert applicant.phone == "+77011234567"  # the domestic 8 becomes +7
    assert AuditEvent.objects.filter(action="applicant.created", target_id=str(applicant.pk))


def test_register_a_legal_entity_by_its_bin(ca_client):
    response = ca_client.post(
        reverse("applications:applicant-create"),
        {**PERSON, "kind": "legal_entity", "iin": IIN, "bin": BIN, "name": "Dala Agro LLP"},
    )
    assert response.status_code == 302
    entity = Applicant.objects.get(bin=BIN)
    assert entity.iin == ""  # a legal entity is identified by its BIN only
    assert entity.birth_date is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"iin": "900101300018"}, "iin", "The control digit does not match."),
        ({"iin": "90010130001"}, "iin", "Must be exactly 12 digits."),
        ({"birth_date": "1991-01-01"}, "birth_date", "does not match the IIN"),
        ({"iin": ""}, "iin", "needs their IIN"),
        ({"kind": "legal_entity", "bin": ""}, "bin", "needs its BIN"),
        ({"kind": "legal_entity", "bin": "180340000016"}, "bin", "control digit"),
    ],
)
def test_register_form_shows_each_error_beside_its_field(ca_client, change, field, message):
    response = ca_client.post(reverse("applications:applicant-create"), {**PERSON, **change})
    html = response.content.decode()
    assert response.status_code == 400
    error = html.split(f'data-error-for="{field}">')[1].split("</span>")[0]
    assert message in error
    assert not Applicant.objects.exists()


def test_an_applicant_is_registered_once(ca_client, make_applicant):
    make_applicant(IIN)
    response = ca_client.post(reverse("applications:applicant-create"), PERSON)
    assert response.status_code == 400
    assert 'data-error-for="iin"' in response.content.decode()
    assert Applicant.objects.count() == 1


@pytest.mark.parametrize("search", ["Seitkali", "900101", "+7 701 123 45 67", "87011234567"])
def test_search_by_name_iin_or_phone(ca_client, make_applicant, search):
    wanted = make_applicant(IIN, name="IE Seitkali Nurlan", phone="+77011234567")
    other = make_applicant(IIN_2, name="IE Akhmetova Gulnaz", phone="+77770000000")
    html = ca_client.get(reverse("applications:applicant-list"), {"q": search}).content.decode()
    assert f'data-applicant="{wanted.pk}"' in html
    assert f'data-applicant="{other.pk}"' not in html


@pytest.mark.parametrize(
    ("role", "search", "found"),
    [
        (Role.RISK_MANAGER, "900101", False),  # no rebuilding a masked IIN digit by digit
        (Role.RISK_MANAGER, IIN, True),
        (Role.CREDIT_ADMINISTRATOR, "900101", True),
    ],
)
def test_roles_seeing_masked_iins_find_by_the_whole_number_only(
    client_as, make_applicant, role, search, found
):
    applicant = make_applicant(IIN)
    html = client_as(role).get(reverse("applications:applicant-list"), {"q": search})
    assert (f'data-applicant="{applicant.pk}"' in html.content.decode()) == found


def test_search_without_a_match_says_so(ca_client, make_applicant):
    make_applicant(IIN)
    html = ca_client.get(reverse("applications:applicant-list"), {"q": "Nobody"}).content.decode()
    assert "No applicant matches “Nobody”." in html


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.CREDIT_ADMINISTRATOR, IIN),
        (Role.ADMINISTRATOR, IIN),
        (Role.COMMITTEE_MEMBER, IIN),
        (Role.MONITORING_MANAGER, IIN),
        (Role.RISK_MANAGER, "9001******17"),
    ],
)
def test_iin_is_masked_in_lists_for_roles_without_need_to_know(
    client_as, make_applicant, role, shown
):
    make_applicant(IIN)
    client = client_as(role)
    html = client.get(reverse("applications:applicant-list")).content.decode()
    assert f'<td class="num" data-identifier>{shown}</td>' in html
    if shown != IIN:
        assert IIN not in html
        assert "+77011234567" not in html  # nor the phone


def test_risk_manager_sees_the_applicant_without_personal_data(client_as, make_applicant):
    applicant = make_applicant(IIN, email="nurlan@example.kz")
    html = (
        client_as(Role.RISK_MANAGER)
        .get(reverse("applications:applicant-detail", args=[applicant.pk]))
        .content.decode()
    )
    assert "9001******17" in html
    assert IIN not in html
    assert "nurlan@example.kz" not in html


def test_opening_an_applicant_writes_the_audit_row(client, make_user, make_applicant):
    applicant = make_applicant(IIN)
    viewer = make_user(Role.MONITORING_MANAGER)
    client.force_login(viewer)
    for _ in range(2):
        response = client.get(reverse("applications:applicant-detail", args=[applicant.pk]))
        assert response.status_code == 200
    opened = AuditEvent.objects.filter(
        action="credit_file.opened", target_id=str(applicant.pk), actor=viewer
    )
    assert opened.count() == 2
    assert opened.first().target_type.model == "applicant"


def test_applicant_page_lists_their_applications(ca_client, make_applicant, make_application):
    applicant = make_applicant(IIN)
    mine = make_application(applicant)
    other = make_application()
    html = ca_client.get(
        reverse("applications:applicant-detail", args=[applicant.pk])
    ).content.decode()
    assert mine.number in html
    assert other.number not in html
    assert f"{reverse('applications:application-create')}?applicant={applicant.pk}" in html


def test_new_application_form_is_filled_with_the_applicant(ca_client, make_applicant):
    applicant = make_applicant(IIN)
    html = ca_client.get(
        reverse("applications:application-create"), {"applicant": applicant.pk}
    ).content.decode()
    assert f'value="{IIN}"' in html


def test_application_for_an_unknown_applicant_is_refused(ca_client, unsecured):
    response = ca_client.post(
        reverse("applications:application-create"),
        {
            "applicant": IIN,
            "product": unsecured.pk,
            "purpose": "working_capital",
            "amount": "1000000",
            "term_months": "12",
            "rate": "12",
            "method": "annuity",
        },
    )
    assert response.status_code == 400
    assert 'data-error-for="applicant"' in response.content.decode()


def test_a_purpose_the_product_does_not_finance_is_refused_beside_it(
    ca_client, make_applicant, unsecured
):
    make_applicant(IIN)
    response = ca_client.post(
        reverse("applications:application-create"),
        {
            "applicant": IIN,
            "product": unsecured.pk,
            "purpose": "any_lawful",
            "amount": "1000000",
            "term_months": "12",
            "rate": "12",
            "method": "annuity",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "does not finance this purpose" in html.split('data-error-for="purpose">')[1]


def test_edit_an_applicant(ca_client, make_applicant):
    applicant = make_applicant(IIN, name="Old name")
    url = reverse("applications:applicant-edit", args=[applicant.pk])
    html = ca_client.get(url).content.decode()
    assert 'value="Old name"' in html
    assert 'value="1990-01-01"' in html  # the date input gets the ISO date

    data = {**PERSON, "name": "New name", "monthly_income": "1200000"}
    response = ca_client.post(url, data)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.name == "New name"
    assert applicant.monthly_income == 1200000
    event = AuditEvent.objects.get(action="applicant.updated", target_id=str(applicant.pk))
    assert "name" in event.data["fields"]


def test_edit_refuses_another_applicants_iin(ca_client, make_applicant):
    make_applicant(IIN_2)
    applicant = make_applicant(IIN)
    response = ca_client.post(
        reverse("applications:applicant-edit", args=[applicant.pk]), {**PERSON, "iin": IIN_2}
    )
    assert response.status_code == 400
    assert 'data-error-for="iin"' in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.iin == IIN
