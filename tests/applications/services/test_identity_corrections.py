"""Corrections of a party's identity: requested by one person, decided by a second, applied
under the row lock, audited with old and new values (issue 15, item 2)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from applications import identity, services
from applications.models import Applicant, IdentityCorrection
from core.errors import ConflictError, DomainError, NotPermittedError
from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db

CORRECT_IIN = "900202300006"  # born 1990-02-02


@pytest.fixture
def approver(make_user):
    return make_user(Role.MONITORING_MANAGER)


def request_correction(applicant, officer, **changes):
    return identity.applicant_identity_correction_request(
        applicant_id=applicant.pk,
        changes=changes or {"iin": CORRECT_IIN},
        reason="Identity card No. 012345678 shows 900202300006; typed wrong at registration.",
        by=officer,
    )


def test_a_request_changes_nothing_until_approved(applicant, officer):
    correction = request_correction(applicant, officer, iin=CORRECT_IIN, name="ИП Сейтқали Н.")

    applicant.refresh_from_db()
    assert (applicant.iin, applicant.name) == ("900101300017", "ИП Сейтқали")
    assert correction.status == IdentityCorrection.Status.PENDING
    # the date of birth follows the corrected IIN, and the approver sees it
    assert correction.changes == {
        "iin": CORRECT_IIN,
        "name": "ИП Сейтқали Н.",
        "birth_date": date(1990, 2, 2),
    }
    correction.refresh_from_db()
    assert correction.previous == {
        "iin": "900101300017",
        "name": "ИП Сейтқали",
        "birth_date": "1990-01-01",
    }
    event = AuditEvent.objects.get(action="applicant.identity_correction_requested")
    assert event.data["old"]["iin"] == "900101300017"
    assert event.data["new"]["iin"] == CORRECT_IIN


def test_the_requester_cannot_approve_or_reject_their_own_correction(applicant, make_user):
    # an administrator may both request and decide, but never on their own request
    administrator = make_user(Role.ADMINISTRATOR)
    correction = request_correction(applicant, administrator)

    with pytest.raises(NotPermittedError) as error:
        identity.applicant_identity_correction_approve(
            correction_id=correction.pk, by=administrator
        )
    assert error.value.code == "four_eyes"
    with pytest.raises(NotPermittedError):
        identity.applicant_identity_correction_reject(
            correction_id=correction.pk, comment="Changed my mind.", by=administrator
        )

    applicant.refresh_from_db()
    correction.refresh_from_db()
    assert applicant.iin == "900101300017"
    assert correction.status == IdentityCorrection.Status.PENDING
    assert not AuditEvent.objects.filter(action="applicant.identity_corrected").exists()


def test_a_second_person_approves_and_the_applicant_is_corrected(applicant, officer, approver):
    correction = request_correction(applicant, officer, iin=CORRECT_IIN, name="ИП Сейтқали Н.")

    identity.applicant_identity_correction_approve(correction_id=correction.pk, by=approver)

    applicant.refresh_from_db()
    correction.refresh_from_db()
    assert applicant.iin == CORRECT_IIN
    assert applicant.name == "ИП Сейтқали Н."
    assert applicant.birth_date == date(1990, 2, 2)
    assert correction.status == IdentityCorrection.Status.APPROVED
    assert correction.decided_by == approver
    event = AuditEvent.objects.get(action="applicant.identity_corrected")
    assert event.actor == approver
    assert event.target_id == str(applicant.pk)
    assert event.data == {
        "correction": correction.pk,
        "requested_by": officer.pk,
        "fields": ["birth_date", "iin", "name"],
        "old": {"birth_date": "1990-01-01", "iin": "900101300017", "name": "ИП Сейтқали"},
        "new": {"birth_date": "1990-02-02", "iin": CORRECT_IIN, "name": "ИП Сейтқали Н."},
    }


def test_a_rejected_correction_changes_nothing(applicant, officer, approver):
    correction = request_correction(applicant, officer)
    with pytest.raises(DomainError) as error:
        identity.applicant_identity_correction_reject(
            correction_id=correction.pk, comment="  ", by=approver
        )
    assert error.value.field == "comment"

    identity.applicant_identity_correction_reject(
        correction_id=correction.pk, comment="The card shows the registered IIN.", by=approver
    )

    applicant.refresh_from_db()
    correction.refresh_from_db()
    assert applicant.iin == "900101300017"
    assert correction.status == IdentityCorrection.Status.REJECTED
    with pytest.raises(ConflictError) as error:
        identity.applicant_identity_correction_approve(correction_id=correction.pk, by=approver)
    assert error.value.field == "status"


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.MONITORING_MANAGER, "request"),
        (Role.RISK_MANAGER, "request"),
        (Role.BRANCH_SYSTEM, "request"),
        (Role.CREDIT_ADMINISTRATOR, "approve"),
        (Role.ACCOUNTANT, "approve"),
        (Role.COMMITTEE_MEMBER, "approve"),
    ],
)
def test_the_services_check_the_roles_too(applicant, officer, make_user, role, action):
    user = make_user(role)
    with pytest.raises(NotPermittedError):
        if action == "request":
            request_correction(applicant, user)
        else:
            identity.applicant_identity_correction_approve(
                correction_id=request_correction(applicant, officer).pk, by=user
            )
    applicant.refresh_from_db()
    assert applicant.iin == "900101300017"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"iin": "900202300007"}, "iin"),  # control digit
        ({"iin": "900101300017"}, None),  # the same: nothing to correct
        ({"birth_date": date(1990, 1, 2)}, "birth_date"),  # not the IIN's
        ({"bin": "180340000015"}, "bin"),  # a person has no BIN
    ],
)
def test_a_request_that_would_not_hold_is_refused_at_once(applicant, officer, changes, field):
    with pytest.raises(DomainError) as error:
        request_correction(applicant, officer, **changes)
    assert error.value.field == field
    assert not IdentityCorrection.objects.exists()


def test_a_request_needs_a_reason_and_one_at_a_time(applicant, officer):
    with pytest.raises(DomainError) as error:
        identity.applicant_identity_correction_request(
            applicant_id=applicant.pk, changes={"name": "X"}, reason=" ", by=officer
        )
    assert error.value.field == "reason"
    request_correction(applicant, officer)
    with pytest.raises(ConflictError) as error:
        request_correction(applicant, officer, name="ИП Сейтқали Н.")
    assert error.value.code == "correction_pending"


def test_an_iin_registered_meanwhile_is_refused_at_approval(applicant, officer, approver):
    correction = request_correction(applicant, officer)
    services.applicant_create(
        data={"kind": "individual", "iin": CORRECT_IIN, "name": "Someone", "region": "astana"},
        by=officer,
    )
    with pytest.raises(DomainError) as error:
        identity.applicant_identity_correction_approve(correction_id=correction.pk, by=approver)
    assert error.value.field == "iin"
    correction.refresh_from_db()
    assert correction.status == IdentityCorrection.Status.PENDING


def test_the_database_refuses_a_decision_by_the_requester(applicant, officer):
    correction = request_correction(applicant, officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityCorrection.objects.filter(pk=correction.pk).update(
            status="approved", decided_by=officer, decided_at=timezone.now()
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_one_correction_cannot_both_succeed(reference_data, make_user):
    officer = make_user(Role.CREDIT_ADMINISTRATOR)
    applicant = services.applicant_create(
        data={"kind": "individual", "iin": "900101300017", "name": "A", "region": "astana"},
        by=officer,
    )
    correction = request_correction(applicant, officer)
    deciders = [make_user(Role.MONITORING_MANAGER), make_user(Role.ADMINISTRATOR)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, approve: bool):
        try:
            barrier.wait()
            if approve:
                identity.applicant_identity_correction_approve(correction_id=correction.pk, by=user)
            else:
                identity.applicant_identity_correction_reject(
                    correction_id=correction.pk, comment="No.", by=user
                )
            outcomes.append("decided")
        except ConflictError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(deciders[0], True)),
        threading.Thread(target=decide, args=(deciders[1], False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["decided", "refused"]
    correction.refresh_from_db()
    applicant = Applicant.objects.get(pk=applicant.pk)
    applied = correction.status == IdentityCorrection.Status.APPROVED
    assert applicant.iin == (CORRECT_IIN if applied else "900101300017")
    decisions = AuditEvent.objects.filter(
        action__in=["applicant.identity_corrected", "applicant.identity_correction_rejected"]
    )
    assert decisions.count() == 1
