from __future__ import annotations

import pytest
from django.urls import reverse

from applications import services
from applications.models import Representative
from core.roles import Role

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Ахметова Гүлназ",
    "iin": "850512400708",
    "authority": "Power of attorney No. 12",
    "valid_until": "2027-11-01",
}


@pytest.fixture
def applicant(make_user):
    return services.applicant_create(
        data={
            "kind": "legal_entity",
            "bin": "180340000015",
            "name": "ТОО Дала",
            "region": "almaty",
        },
        by=make_user(Role.CREDIT_ADMINISTRATOR),
    )


def test_credit_administrator_adds_a_representative(client_as, applicant):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    response = client.post(reverse("applications:representative-add", args=[applicant.pk]), FORM)
    assert response.status_code == 302
    html = client.get(reverse("applications:applicant-detail", args=[applicant.pk])).content
    assert "Ахметова Гүлназ" in html.decode()
    assert "850512400708" in html.decode()


def test_a_wrong_iin_is_shown_beside_its_field_and_nothing_is_saved(client_as, applicant):
    client = client_as(Role.CREDIT_ADMINISTRATOR)
    response = client.post(
        reverse("applications:representative-add", args=[applicant.pk]),
        {**FORM, "iin": "850512400709"},
    )
    assert response.status_code == 400
    assert 'data-error-for="iin"' in response.content.decode()
    assert not Representative.objects.exists()


def test_readers_see_the_representative_iin_masked_and_cannot_add(client_as, applicant, make_user):
    services.representative_add(
        applicant_id=applicant.pk,
        by=make_user(Role.CREDIT_ADMINISTRATOR),
        **{**FORM, "valid_until": None},
    )
    client = client_as(Role.RISK_MANAGER)
    html = client.get(
        reverse("applications:applicant-detail", args=[applicant.pk])
    ).content.decode()
    assert "8505******08" in html
    assert "850512400708" not in html
    url = reverse("applications:representative-add", args=[applicant.pk])
    assert client.post(url, FORM).status_code == 403
