"""The identity of a party to a signed contract is fixed (issue 15, item 2).

A branch token could PATCH the IIN of an active loan's borrower; the contract then showed the
new number and the audit only the field's name. Now the IIN/BIN, name and date of birth of a
borrower, guarantor or pledgor under a signed contract change only by a correction that a
second person approves, every change of personal data keeps its old and new values, and those
values are shown only to the roles that may see personal data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications import services
from applications.models import Applicant, Application, IdentityCorrection
from collateral.models import CollateralItem, Guarantee, Pledgor
from core.models import AuditEvent, Branch, BranchStaff
from core.roles import Role
from loans.models import Loan

# the capture of every log record, and of what the production handler writes
from tests.security.test_no_personal_data_in_logs import every_log_at_debug  # noqa: F401

pytestmark = pytest.mark.django_db

BORROWER_IIN = "900101300017"  # tests.fixtures.lending's applicant, born 1990-01-01
OTHER_IIN = "900202300006"
GUARANTOR_IIN = "781103304561"
CORRECTIONS = "/api/v1/identity-corrections/"


def applicant_url(applicant) -> str:
    return f"/api/v1/applicants/{applicant.pk}/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def branch_token(make_user, loan: Loan) -> APIClient:
    """A branch system's token at the branch where the loan is booked."""
    branch = Branch.objects.create(code="north", name_kk="N", name_ru="N", name_en="North")
    Loan.objects.filter(pk=loan.pk).update(branch=branch)
    Application.objects.filter(pk=loan.application_id).update(branch=branch)
    user = make_user(Role.BRANCH_SYSTEM)
    BranchStaff.objects.create(user=user, branch=branch)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def assert_identity_refused(response, field: str) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "identity_fixed"
    assert list(body["errors"]) == [field]


@pytest.fixture
def loan(active_loan):
    return active_loan(on=timezone.localdate())


# --- the API and the pages refuse ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"iin": OTHER_IIN}, "iin"),
        ({"name": "Someone Else"}, "name"),
        ({"birth_date": "1990-01-02"}, "birth_date"),
        ({"iin": OTHER_IIN, "birth_date": "1990-02-02"}, "iin"),
    ],
)
def test_a_branch_token_cannot_change_the_identity_of_an_active_loans_borrower(
    make_user, loan, change, field
):
    client = branch_token(make_user, loan)

    response = client.patch(applicant_url(loan.borrower), change, format="json")

    assert_identity_refused(response, field)
    borrower = Applicant.objects.get(pk=loan.borrower_id)
    assert (borrower.iin, borrower.name, borrower.birth_date) == (
        BORROWER_IIN,
        "ИП Сейтқали",
        date(1990, 1, 1),
    )
    assert not AuditEvent.objects.filter(action="applicant.updated").exists()


def test_other_fields_of_the_borrower_stay_editable_and_are_audited_with_values(make_user, loan):
    client = branch_token(make_user, loan)

    response = client.patch(
        applicant_url(loan.borrower),
        # the unchanged identity may be sent back as it is
        {"phone": "+7 702 111 22 33", "name": "ИП Сейтқали", "iin": BORROWER_IIN},
        format="json",
    )

    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(action="applicant.updated")
    assert event.data == {
        "fields": ["phone"],
        "old": {"phone": ""},
        "new": {"phone": "+77021112233"},
    }


@pytest.mark.parametrize(
    ("status", "fixed"),
    [
        (Loan.Status.DRAFT, False),
        (Loan.Status.SIGNED, True),
        (Loan.Status.ACTIVE, True),
        (Loan.Status.WRITTEN_OFF, True),
        (Loan.Status.CLOSED, True),
    ],
)
def test_the_identity_is_fixed_from_the_signature_on(api_as, loan, status, fixed):
    Loan.objects.filter(pk=loan.pk).update(status=status)

    response = api_as(Role.CREDIT_ADMINISTRATOR).patch(
        applicant_url(loan.borrower), {"name": "ИП Сейтқали Нұрлан"}, format="json"
    )

    if fixed:
        assert_identity_refused(response, "name")
    else:
        assert response.status_code == 200, response.json()


def test_edits_before_the_contract_is_signed_are_still_allowed(api_as, accepted, applicant):
    accepted()  # approved and accepted, no contract yet

    response = api_as(Role.CREDIT_ADMINISTRATOR).patch(
        applicant_url(applicant), {"iin": OTHER_IIN, "name": "ИП Сейтқали Н."}, format="json"
    )

    assert response.status_code == 200, response.json()
    applicant.refresh_from_db()
    assert (applicant.iin, applicant.birth_date) == (OTHER_IIN, date(1990, 2, 2))
    event = AuditEvent.objects.get(action="applicant.updated")
    assert event.data["old"] == {
        "birth_date": "1990-01-01",
        "iin": BORROWER_IIN,
        "name": "ИП Сейтқали",
    }
    assert event.data["new"] == {
        "birth_date": "1990-02-02",
        "iin": OTHER_IIN,
        "name": "ИП Сейтқали Н.",
    }


def _registered(officer, iin: str, name: str) -> Applicant:
    return services.applicant_create(
        data={"kind": "individual", "iin": iin, "name": name, "region": "astana"}, by=officer
    )


def test_a_guarantor_of_a_signed_contract_keeps_their_identity(api_as, officer, loan):
    guarantor = _registered(officer, GUARANTOR_IIN, "Guarantor Person")
    Guarantee.objects.create(
        application=loan.application,
        guarantor_name="Guarantor Person",
        identifier=GUARANTOR_IIN,
        amount=Decimal("500000"),
        registered_by=officer,
    )

    client = api_as(Role.CREDIT_ADMINISTRATOR)
    assert_identity_refused(
        client.patch(applicant_url(guarantor), {"iin": OTHER_IIN}, format="json"), "iin"
    )
    assert_identity_refused(
        client.patch(applicant_url(guarantor), {"name": "Another"}, format="json"), "name"
    )
    guarantor.refresh_from_db()
    assert (guarantor.iin, guarantor.name) == (GUARANTOR_IIN, "Guarantor Person")


@pytest.mark.parametrize("linked", [True, False])
def test_a_third_party_pledgor_of_a_signed_contract_keeps_their_identity(
    api_as, officer, loan, linked
):
    pledgor = _registered(officer, GUARANTOR_IIN, "Pledgor Person")
    CollateralItem.objects.create(
        application=loan.application,
        kind="vehicle",
        pledgor=Pledgor.objects.create(
            applicant=pledgor if linked else None, name="Pledgor Person", identifier=GUARANTOR_IIN
        ),
        description="Car",
        registered_by=officer,
    )

    response = api_as(Role.CREDIT_ADMINISTRATOR).patch(
        applicant_url(pledgor), {"name": "Another"}, format="json"
    )

    assert_identity_refused(response, "name")


def test_someone_unrelated_to_a_signed_contract_is_edited_as_before(api_as, officer, loan):
    other = _registered(officer, GUARANTOR_IIN, "Not a party")
    response = api_as(Role.CREDIT_ADMINISTRATOR).patch(
        applicant_url(other), {"name": "Not a party at all"}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_the_schema_documents_the_refusal_and_the_correction_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "409" in schema["paths"]["/api/v1/applicants/{id}/"]["patch"]["responses"]
    paths = schema["paths"]
    assert set(paths[CORRECTIONS]) == {"get", "post"}
    assert set(paths[CORRECTIONS + "{id}/"]) == {"get"}
    for action in ("approve", "reject"):
        responses = paths[f"{CORRECTIONS}{{id}}/{action}/"]["post"]["responses"]
        assert {"200", "403", "404", "409"} <= set(responses)
    assert {"201", "400", "403", "409"} <= set(paths[CORRECTIONS]["post"]["responses"])


# --- the correction through the API: four eyes -------------------------------------------------


def test_a_correction_is_requested_by_one_and_approved_by_a_second_person(make_user, loan):
    requester = make_user(Role.CREDIT_ADMINISTRATOR)
    approver = make_user(Role.MONITORING_MANAGER)

    response = api(requester).post(
        CORRECTIONS,
        {
            "applicant": loan.borrower_id,
            "iin": OTHER_IIN,
            "reason": "Identity card No. 012345678 shows 900202300006.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending"
    assert body["old"] == {"iin": BORROWER_IIN, "birth_date": "1990-01-01"}
    assert body["new"] == {"iin": OTHER_IIN, "birth_date": "1990-02-02"}
    url = f"{CORRECTIONS}{body['id']}/"

    # the requester may not approve: 403, nothing changed
    refused = api(requester).post(url + "approve/")
    assert refused.status_code == 403
    assert Applicant.objects.get(pk=loan.borrower_id).iin == BORROWER_IIN

    listed = api(approver).get(CORRECTIONS, {"status": "pending"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]

    approved = api(approver).post(url + "approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    borrower = Applicant.objects.get(pk=loan.borrower_id)
    assert (borrower.iin, borrower.birth_date) == (OTHER_IIN, date(1990, 2, 2))
    event = AuditEvent.objects.get(action="applicant.identity_corrected")
    assert event.data["old"]["iin"] == BORROWER_IIN
    assert event.data["new"]["iin"] == OTHER_IIN

    # decided once: a second decision is a conflict naming the status
    again = api(make_user(Role.ADMINISTRATOR)).post(url + "reject/", {"comment": "x"})
    assert again.status_code == 409
    assert "status" in again.json()["errors"]


def test_the_requester_cannot_approve_even_as_an_administrator(make_user, loan):
    administrator = make_user(Role.ADMINISTRATOR)
    correction = api(administrator).post(
        CORRECTIONS,
        {"applicant": loan.borrower_id, "name": "ИП Сейтқали Н.", "reason": "Passport."},
        format="json",
    )
    assert correction.status_code == 201, correction.json()

    response = api(administrator).post(f"{CORRECTIONS}{correction.json()['id']}/approve/")

    assert response.status_code == 403
    assert response.json()["code"] == "four_eyes"
    assert IdentityCorrection.objects.get().status == "pending"
    assert Applicant.objects.get(pk=loan.borrower_id).name == "ИП Сейтқали"


@pytest.fixture
def pending(officer, loan) -> IdentityCorrection:
    from applications.identity import applicant_identity_correction_request

    return applicant_identity_correction_request(
        applicant_id=loan.borrower_id,
        changes={"iin": OTHER_IIN},
        reason=f"Identity card No. 012345678 gives {OTHER_IIN}.",  # a reason quotes numbers
        by=officer,
    )


@pytest.mark.parametrize(
    "role",
    [
        Role.BRANCH_SYSTEM,
        Role.RISK_MANAGER,
        Role.ACCOUNTANT,
        Role.COLLECTOR,
        Role.COMMITTEE_MEMBER,
    ],
)
def test_roles_outside_the_corrections_are_refused_on_every_endpoint(make_user, pending, role):
    client = api(make_user(role))
    url = f"{CORRECTIONS}{pending.pk}/"
    body = {"applicant": pending.applicant_id, "name": "X", "reason": "Y"}

    assert client.get(CORRECTIONS).status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(CORRECTIONS, body, format="json").status_code == 403
    assert client.post(url + "approve/").status_code == 403
    assert client.post(url + "reject/", {"comment": "No."}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_requester_may_not_decide_and_a_decider_may_not_request(make_user, pending):
    url = f"{CORRECTIONS}{pending.pk}/"
    credit_administrator = api(make_user(Role.CREDIT_ADMINISTRATOR))
    assert credit_administrator.post(url + "approve/").status_code == 403
    assert credit_administrator.post(url + "reject/", {"comment": "No."}).status_code == 403
    monitoring = api(make_user(Role.MONITORING_MANAGER))
    body = {"applicant": pending.applicant_id, "name": "X", "reason": "Y"}
    assert monitoring.post(CORRECTIONS, body, format="json").status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_branch_sees_only_the_corrections_of_its_applicants(make_user, pending):
    branch = Branch.objects.create(code="south", name_kk="S", name_ru="S", name_en="South")
    elsewhere = make_user(Role.MONITORING_MANAGER)
    BranchStaff.objects.create(user=elsewhere, branch=branch)
    client = api(elsewhere)

    assert client.get(CORRECTIONS).json()["results"] == []
    assert client.get(f"{CORRECTIONS}{pending.pk}/").status_code == 404
    assert client.post(f"{CORRECTIONS}{pending.pk}/approve/").status_code == 404
    body = {"applicant": pending.applicant_id, "name": "X", "reason": "Y"}
    response = api(make_user(Role.CREDIT_ADMINISTRATOR)).post(CORRECTIONS, body, format="json")
    assert response.status_code == 409  # the one already pending: head office sees it
    at_branch = make_user(Role.CREDIT_ADMINISTRATOR)
    BranchStaff.objects.create(user=at_branch, branch=branch)
    response = api(at_branch).post(CORRECTIONS, body, format="json")
    assert response.status_code == 400
    assert "applicant" in response.json()["errors"]  # as unknown as a wrong id


# --- the old and new values: only for who may see personal data --------------------------------


def _corrected_and_edited(officer, make_user, loan, pending) -> None:
    from applications.identity import applicant_identity_correction_approve

    applicant_identity_correction_approve(
        correction_id=pending.pk, by=make_user(Role.MONITORING_MANAGER)
    )
    services.applicant_update(
        applicant_id=loan.borrower_id, data={"phone": "+77021112233"}, by=officer
    )


def test_old_and_new_values_in_the_audit_api_are_masked_without_personal_data_access(
    officer, make_user, loan, pending
):
    _corrected_and_edited(officer, make_user, loan, pending)

    def events(role) -> dict:
        response = api(make_user(role)).get("/api/v1/audit-events/", {"action": "applicant."})
        assert response.status_code == 200
        return {row["action"]: row["data"] for row in response.json()["results"]}

    risk = events(Role.RISK_MANAGER)
    assert risk["applicant.identity_corrected"]["old"]["iin"] == "9001******17"
    assert risk["applicant.identity_corrected"]["new"]["iin"] == "9002******06"
    assert risk["applicant.identity_corrected"]["new"]["birth_date"] == "***"
    assert risk["applicant.updated"]["new"] == {"phone": "***"}
    assert risk["applicant.updated"]["fields"] == ["phone"]  # what changed is not hidden
    assert BORROWER_IIN not in str(risk) and "+77021112233" not in str(risk)

    administrator = events(Role.ADMINISTRATOR)
    assert administrator["applicant.identity_corrected"]["old"]["iin"] == BORROWER_IIN
    assert administrator["applicant.updated"]["new"] == {"phone": "+77021112233"}


def test_old_and_new_values_in_the_audit_and_history_pages_are_masked_for_the_risk_manager(
    client, officer, make_user, loan, pending
):
    _corrected_and_edited(officer, make_user, loan, pending)
    pages = ["/audit/?action=applicant.", f"/applications/applicants/{loan.borrower_id}/"]

    client.force_login(make_user(Role.RISK_MANAGER))
    for page in pages:
        html = client.get(page).content.decode()
        assert "9001******17" in html, page
        for secret in (BORROWER_IIN, OTHER_IIN, "+77021112233"):
            assert secret not in html, (page, secret)

    client.force_login(make_user(Role.ADMINISTRATOR))
    for page in pages:
        html = client.get(page).content.decode()
        assert BORROWER_IIN in html and OTHER_IIN in html and "+77021112233" in html, page


# --- nothing of it in the logs ------------------------------------------------------------------


def test_the_refusal_the_correction_and_their_audit_log_no_iin_name_or_phone(
    every_log_at_debug,  # noqa: F811 (the fixture imported above)
    client,
    make_user,
    loan,
):
    raw, written = every_log_at_debug
    branch = branch_token(make_user, loan)
    borrower = loan.borrower_id
    assert branch.patch(f"/api/v1/applicants/{borrower}/", {"iin": OTHER_IIN}).status_code == 409
    edit = {"phone": "+7 702 111 22 33", "name": "ИП Сейтқали Жаңа"}
    assert branch.patch(f"/api/v1/applicants/{borrower}/", edit).status_code == 409
    assert (
        branch.patch(f"/api/v1/applicants/{borrower}/", {"phone": "87021112233"}).status_code == 200
    )

    requester, approver = make_user(Role.CREDIT_ADMINISTRATOR), make_user(Role.MONITORING_MANAGER)
    request = {"applicant": borrower, "iin": OTHER_IIN, "name": "ИП Сейтқали Жаңа", "reason": "ID"}
    correction = api(requester).post(CORRECTIONS, request, format="json").json()["id"]
    assert api(requester).post(CORRECTIONS, request, format="json").status_code == 409
    assert api(requester).post(f"{CORRECTIONS}{correction}/approve/").status_code == 403
    assert api(approver).post(f"{CORRECTIONS}{correction}/approve/").status_code == 200
    for role in (Role.RISK_MANAGER, Role.ADMINISTRATOR):
        assert api(make_user(role)).get("/api/v1/audit-events/").status_code == 200
        client.force_login(make_user(role))
        assert client.get("/audit/", {"action": "applicant."}).status_code == 200
        assert client.get(f"/applications/applicants/{borrower}/").status_code == 200

    records = "\n".join(text for _, text in raw.lines)
    output = written.getvalue()
    assert "Conflict: /api/v1/applicants/" in output  # the capture saw the refusals
    for text, where in ((records, "records"), (output, "handler output")):
        for secret in ("Сейтқали", "7021112233", "702 111 22 33"):
            assert secret not in text, f"{secret!r} in the {where}"
    for iin in (BORROWER_IIN, OTHER_IIN):
        assert iin not in output, f"{iin} written by the handler"


def test_audit_data_that_reaches_a_log_is_masked_by_the_handler(
    every_log_at_debug,  # noqa: F811 (the fixture imported above)
    officer,
    loan,
):
    """Nothing logs an event's data today; were it logged, the handler masks the IINs and
    phones in it (names are never logged: see test_no_personal_data_in_logs)."""
    import logging

    _raw, written = every_log_at_debug
    services.applicant_update(
        applicant_id=loan.borrower_id, data={"phone": "+77021112233"}, by=officer
    )
    event = AuditEvent.objects.get(action="applicant.updated")
    event.data["old"]["iin"] = BORROWER_IIN  # as a correction's data would hold it
    logging.getLogger("core.audit").warning("audit %s %s", event.action, event.data)

    output = written.getvalue()
    assert "applicant.updated" in output
    assert BORROWER_IIN not in output and "7021112233" not in output
    assert "**********17" in output and "+7*******33" in output
