from __future__ import annotations

from datetime import date

import pytest

from applications import services
from applications.models import Applicant
from core.errors import DomainError
from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return {
        "kind": "individual_entrepreneur",
        "iin": "850512400708",
        "name": "ИП Ахметова",
        "region": "astana",
        **overrides,
    }


def test_birth_date_is_derived_from_the_iin(make_user):
    officer = make_user(Role.CREDIT_ADMINISTRATOR)
    applicant = services.applicant_create(data=_data(), by=officer)
    assert applicant.birth_date == date(1985, 5, 12)
    assert AuditEvent.objects.filter(
        action="applicant.created", target_id=str(applicant.pk)
    ).exists()


def test_birth_date_disagreeing_with_the_iin_is_refused(make_user):
    with pytest.raises(DomainError) as error:
        services.applicant_create(
            data=_data(birth_date=date(1985, 5, 13)), by=make_user(Role.CREDIT_ADMINISTRATOR)
        )
    assert error.value.field == "birth_date"
    assert not Applicant.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_data(iin="850512400709"), "iin"),  # wrong control digit
        (_data(kind="legal_entity", iin="", bin="180340000016"), "bin"),
        (_data(kind="legal_entity", iin=""), "bin"),  # a legal entity needs a BIN
        (_data(region="mars"), "region"),
    ],
)
def test_invalid_applicant_is_refused_naming_the_field(make_user, data, field):
    with pytest.raises(DomainError) as error:
        services.applicant_create(data=data, by=make_user(Role.CREDIT_ADMINISTRATOR))
    assert error.value.field == field
    assert not Applicant.objects.exists()


def test_iin_is_unique(make_user):
    officer = make_user(Role.CREDIT_ADMINISTRATOR)
    services.applicant_create(data=_data(), by=officer)
    with pytest.raises(DomainError) as error:
        services.applicant_create(data=_data(name="Another"), by=officer)
    assert error.value.field == "iin"


def test_update_records_the_changed_fields_with_old_and_new_values(make_user):
    officer = make_user(Role.CREDIT_ADMINISTRATOR)
    applicant = services.applicant_create(data=_data(), by=officer)
    services.applicant_update(applicant_id=applicant.pk, data={"phone": "+77010000001"}, by=officer)
    event = AuditEvent.objects.get(action="applicant.updated")
    assert event.data == {
        "fields": ["phone"],
        "old": {"phone": ""},
        "new": {"phone": "+77010000001"},
    }
