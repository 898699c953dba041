from __future__ import annotations

import pytest

from applications.models import Representative
from core.models import AuditEvent
from core.roles import Role

from .conftest import APPLICANT, APPLICANTS

pytestmark = pytest.mark.django_db

REPRESENTATIVE = {
    "full_name": "Ахметова Гүлназ",
    "iin": "850512400708",
    "authority": "Power of attorney No. 12 of 01.11.2026",
    "valid_until": "2027-11-01",
}


def test_a_representative_is_added_and_shown_with_the_applicant(api_as):
    api = api_as(Role.CREDIT_ADMINISTRATOR)
    applicant = api.post(APPLICANTS, APPLICANT, format="json").json()
    response = api.post(
        f"{APPLICANTS}{applicant['id']}/representatives/", REPRESENTATIVE, format="json"
    )
    assert response.status_code == 200, response.json()
    (shown,) = response.json()["representatives"]
    assert shown["full_name"] == "Ахметова Гүлназ"
    assert shown["iin"] == "850512400708"
    assert AuditEvent.objects.filter(action="applicant.representative_added").count() == 1


def test_representative_with_a_wrong_iin_is_refused_naming_the_field(api_as):
    api = api_as(Role.CREDIT_ADMINISTRATOR)
    applicant = api.post(APPLICANTS, APPLICANT, format="json").json()
    response = api.post(
        f"{APPLICANTS}{applicant['id']}/representatives/",
        {**REPRESENTATIVE, "iin": "850512400709"},
        format="json",
    )
    assert response.status_code == 400
    assert "iin" in response.json()["errors"]
    assert not Representative.objects.exists()


def test_a_reader_cannot_add_a_representative_and_sees_the_iin_masked(api_as, make_user):
    from rest_framework.test import APIClient

    writer = APIClient()
    writer.force_authenticate(make_user(Role.CREDIT_ADMINISTRATOR))
    applicant = writer.post(APPLICANTS, APPLICANT, format="json").json()
    writer.post(f"{APPLICANTS}{applicant['id']}/representatives/", REPRESENTATIVE, format="json")

    reader = api_as(Role.RISK_MANAGER)
    url = f"{APPLICANTS}{applicant['id']}/representatives/"
    assert reader.post(url, REPRESENTATIVE, format="json").status_code == 403
    shown = reader.get(f"{APPLICANTS}{applicant['id']}/").json()["representatives"][0]
    assert shown["iin"] == "8505******08"
