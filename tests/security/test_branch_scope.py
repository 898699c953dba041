"""A branch's staff see only their branch's files (issue 9, item 4; ``core.branches``).

Two branches, north and south, each with a borrower, an application with its received
documents, collateral, a guarantee, a late loan with a payment, a demand and a change of terms.
The sweeps run over the URL table itself (``shell.branches.ROUTES``) so that every page and
endpoint that opens a file by its id is covered, not only the ones a test names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applications import services as application_services
from applications.identity import applicant_identity_correction_request
from applications.models import Applicant, Application, ApplicationDocument, IdentityCorrection
from collateral.models import CollateralItem, Guarantee, PledgeAgreement, Pledgor
from core.branches import user_branch
from core.models import Branch, BranchStaff
from core.roles import Role
from loans import services as loan_services
from loans.branches import visible_loans
from loans.models import Demand, Loan, Payment, PayoutAccountChange, Restructuring
from shell.branches import ROUTES, UNSCOPED

pytestmark = pytest.mark.django_db

# URL keywords that name no file: a language, a format, a schedule version, a date...
NOT_AN_ID = {"language", "fmt", "method", "on", "date", "version", "document_type", "action"}


class _FastPdf:
    """WeasyPrint's place: the documents' templates are still rendered, the PDF is not laid out
    (the sweeps open every document of both branches; the documents' tests check the PDFs)."""

    def __init__(self, string: str, **kwargs):
        self.html = string

    def write_pdf(self) -> bytes:
        return b"%PDF-1.7 " + self.html[:100].encode()


@pytest.fixture(autouse=True)
def _fast_pdf(monkeypatch):
    monkeypatch.setattr("weasyprint.HTML", _FastPdf)


@dataclass
class World:
    """One branch's files."""

    branch: Branch
    applicant: Applicant  # registered at the branch, no application yet
    application: Application
    item: CollateralItem
    guarantee: Guarantee
    loan: Loan
    payment: Payment
    demand: Demand
    restructuring: Restructuring
    identity_correction: IdentityCorrection  # of the applicant's name, awaiting a decision
    payout_account_change: PayoutAccountChange  # a request to pay the loan elsewhere

    def object_for(self, kind: str):
        return {
            "applicant": self.applicant,
            "application": self.application,
            "loan": self.loan,
            "collateral_item": self.item,
            "guarantee": self.guarantee,
            "agenda_item": self.application.agenda_items.first(),
            "payment": self.payment,
            "demand": self.demand,
            "restructuring": self.restructuring,
            "identity_correction": self.identity_correction,
            "payout_account_change": self.payout_account_change,
        }[kind]


def staff(make_user, branch: Branch, *roles: Role):
    user = make_user(*roles, all_branches=False)
    BranchStaff.objects.create(user=user, branch=branch)
    return user


def _world(code: str, iin: str, *, active_loan, officer, accountant, make_user) -> World:
    today = timezone.localdate()
    branch = Branch.objects.create(
        code=code, name_kk=code.title(), name_ru=code.title(), name_en=code.title()
    )
    admin = staff(make_user, branch, Role.CREDIT_ADMINISTRATOR)
    applicant = application_services.applicant_create(
        data={
            "kind": "individual",
            "iin": iin,
            "name": f"Borrower {code}",
            "region": "almaty_city",
            "monthly_income": Decimal("900000"),
        },
        by=admin,
    )
    # the loan is built by head office through the shared fixtures, then booked at the branch
    loan = active_loan(on=today - timedelta(days=45))
    Application.objects.filter(pk=loan.application_id).update(branch=branch)
    Loan.objects.filter(pk=loan.pk).update(branch=branch)
    loan.refresh_from_db()
    application = loan.application
    pledgor = Pledgor.objects.create(name=f"Pledgor {code}", identifier="850512401232")
    item = CollateralItem.objects.create(
        application=application,
        kind="vehicle",
        pledgor=pledgor,
        description=f"Car of {code}",
        registered_by=officer,
    )
    PledgeAgreement.objects.create(item=item, number=f"P-{code}")
    guarantee = Guarantee.objects.create(
        application=application,
        guarantor_name=f"Guarantor {code}",
        identifier="781103304561",
        amount=Decimal("500000"),
        registered_by=officer,
    )
    return World(
        branch=branch,
        applicant=applicant,
        application=application,
        item=item,
        guarantee=guarantee,
        loan=loan,
        payment=None,
        demand=None,
        restructuring=None,
        identity_correction=applicant_identity_correction_request(
            applicant_id=applicant.pk,
            changes={"name": f"Borrower {code} Junior"},
            reason="Identity card.",
            by=admin,
        ),
        # as requested for a refund once the loan closes (the service wants that state)
        payout_account_change=PayoutAccountChange.objects.create(
            loan=loan,
            account="KZ18722S000012345678",
            source="borrower_file",
            reason="New bank account.",
            requested_by=accountant,
        ),
    )


@pytest.fixture
def worlds(active_loan, officer, accountant, make_user) -> tuple[World, World]:
    today = timezone.localdate()
    build = {
        "active_loan": active_loan,
        "officer": officer,
        "accountant": accountant,
        "make_user": make_user,
    }
    north = _world("north", "900202300006", **build)
    south = _world("south", "900303300005", **build)
    loan_services.close_day(on=north.loan.disbursed_on)
    loan_services.close_day(on=today - timedelta(days=1))  # both loans are now late
    for world in (north, south):
        world.payment, _posted = loan_services.payment_post(
            loan_id=world.loan.pk,
            amount=Decimal("1000"),
            value_date=today,
            channel="cash",
            by=accountant,
        )
        world.demand = loan_services.demand_misuse(
            loan_id=world.loan.pk,
            on=today,
            misused_amount=Decimal("100000"),
            details="Spent on a car.",
            by=officer,
        )
        world.restructuring = loan_services.restructuring_request(
            loan_id=world.loan.pk,
            requested_on=today,
            reason="Income fell.",
            term_months=18,
            by=officer,
        )
        world.loan.refresh_from_db()
    return north, south


def _url(name: str, world: World) -> str:
    """The route's URL naming the world's files; other keywords get a value that exists."""
    kwargs = {}
    for keyword in _keywords(name):
        kind = ROUTES.get(name, {}).get(keyword)
        if kind is not None:
            kwargs[keyword] = world.object_for(kind).pk
        elif name == "committee:agenda-add" and keyword == "pk":  # the meeting
            kwargs[keyword] = world.object_for("agenda_item").meeting_id
        elif keyword == "language":
            kwargs[keyword] = "ru"
        elif keyword == "version":
            kwargs[keyword] = world.loan.schedule_version
        elif keyword == "document_type":
            kwargs[keyword] = "identity"
        else:
            raise AssertionError(f"{name}: no value for {keyword}")
    return reverse(name, kwargs=kwargs)


def _all_routes() -> dict[str, URLPattern]:
    routes: dict[str, URLPattern] = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                routes.setdefault(f"{namespace}{pattern.name}", pattern)

    walk(get_resolver().url_patterns)
    return routes


def _pattern(name: str) -> URLPattern:
    return _all_routes()[name]


def _keywords(name: str) -> set[str]:
    return set(_pattern(name).pattern.regex.groupindex)


def _client(user, *, api: bool):
    client = APIClient()
    client.force_authenticate(user) if api else client.force_login(user)
    return client


def _sweep(user, world: World, *, names) -> dict[str, int]:
    """GET every route of ``names`` naming the world's files; the status of each."""
    statuses = {}
    for name in names:
        client = _client(user, api=name.startswith("api-"))
        statuses[name] = client.get(_url(name, world)).status_code
    return statuses


# --- the table covers every entry point ---------------------------------------------------------


def test_every_route_that_names_a_file_is_scoped_or_explicitly_left_out():
    unclassified = [
        name
        for name, pattern in _all_routes().items()
        if not name.startswith("admin:")
        and set(pattern.pattern.regex.groupindex) - NOT_AN_ID
        and name not in ROUTES
        and name not in UNSCOPED
    ]
    assert unclassified == []
    assert not set(ROUTES) & set(UNSCOPED)
    assert set(ROUTES) <= set(_all_routes())  # no stale names


# --- detail pages, actions and files: 404 across branches ---------------------------------------


# Routes whose file is not in the state the page needs (no additional agreement; the application
# is past the committee): they answer 404 to head office too, so the sweep cannot tell them apart.
ABSENT_EVEN_AT_HEAD_OFFICE = {"committee:agenda-add", "loan-documents:agreement"}


def test_a_branch_user_gets_404_for_every_file_of_another_branch(worlds, make_user):
    """Every route of the table, by GET (an action's page answers 405 or its form): the files
    of the user's own branch are found, those of the other branch answer 404, and head office
    finds them."""
    north, south = worlds
    # administrators: every role check passes, only the branch decides
    at_north = staff(make_user, north.branch, Role.ADMINISTRATOR)
    head_office = make_user(Role.ADMINISTRATOR)

    own = _sweep(at_north, north, names=ROUTES)
    other = _sweep(at_north, south, names=ROUTES)
    head_office_south = _sweep(head_office, south, names=ROUTES)

    assert {name for name, status in own.items() if status == 404} == ABSENT_EVEN_AT_HEAD_OFFICE
    assert {name: status for name, status in other.items() if status != 404} == {}
    # all the rest exist: the 404 the branch user got is the branch's
    absent = {name for name, status in head_office_south.items() if status == 404}
    assert absent == ABSENT_EVEN_AT_HEAD_OFFICE


READ_PAGES = [
    "applications:applicant-detail",
    "applications:application-detail",
    "applications:document-file",
    "collateral:application",
    "collateral:item",
    "collateral-documents:guarantee-agreement",
    "portfolio:loan",
    "loan-documents:contract",
    "loan-documents:receipt",
    "loan-documents:demand",
    "loan-documents:payoff",
    "api-applicant-detail",
    "api-application-detail",
    "api-application-decision",
    "api-collateral-item-detail",
    "api-loan-detail",
    "api-loan-schedule",
    "api-loan-payments",
    "api-loan-ledger",
    "api-loan-changes-payoff",
    "api-loan-changes-demands",
    "api-restructuring-detail",
]


def test_a_credit_administrator_reads_own_branch_files_and_not_the_others(worlds, make_user):
    north, south = worlds
    administrator = staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR)
    # what the credit administrator's role reads at all (the others answer 403 anyway)
    readable = [
        name
        for name in READ_PAGES
        if name not in {"loan-documents:receipt", "api-loan-ledger", "api-loan-payments"}
    ]

    own = _sweep(administrator, north, names=readable)
    other = _sweep(administrator, south, names=readable)

    assert {name: status for name, status in own.items() if status != 200} == {}
    assert {name: status for name, status in other.items() if status != 404} == {}


def test_the_file_download_answers_404_across_branches(worlds, make_user):
    north, south = worlds
    document = ApplicationDocument.objects.filter(application=south.application).first()
    url = reverse("applications:document-file", args=[south.application.pk, document.document_type])
    north_admin = staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR)
    south_admin = staff(make_user, south.branch, Role.CREDIT_ADMINISTRATOR)

    assert _client(north_admin, api=False).get(url).status_code == 404
    response = _client(south_admin, api=False).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- lists show only the user's branch -----------------------------------------------------------


def _page_lists(world: World) -> dict[str, str]:
    """A list page and what it shows of the world's files."""
    return {
        reverse("applications:applicant-list"): world.applicant.name,
        reverse("portfolio:list"): world.loan.number,
        reverse("loan-changes:write-offs"): "",  # no write-off: checked to answer only
    }


def _api_lists(world: World) -> dict[str, int]:
    return {
        "/api/v1/applicants/": world.applicant.pk,
        "/api/v1/applications/": world.application.pk,
        "/api/v1/loans/": world.loan.pk,
        "/api/v1/collateral/items/": world.item.pk,
        "/api/v1/collateral/guarantees/": world.guarantee.pk,
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


@pytest.mark.parametrize("branch_bound", [True, False])
def test_api_lists_show_the_users_branch_or_everything_at_head_office(
    worlds, make_user, branch_bound
):
    north, south = worlds
    user = (
        staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR)
        if branch_bound
        else make_user(Role.CREDIT_ADMINISTRATOR)
    )
    client = _client(user, api=True)

    for url, north_id in _api_lists(north).items():
        ids = _ids(client.get(url, {"page_size": 500}))
        south_id = _api_lists(south)[url]
        assert north_id in ids, url
        assert (south_id in ids) is not branch_bound, url


@pytest.mark.parametrize("branch_bound", [True, False])
def test_pages_list_the_users_branch_or_everything_at_head_office(worlds, make_user, branch_bound):
    north, south = worlds
    user = (
        staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR)
        if branch_bound
        else make_user(Role.CREDIT_ADMINISTRATOR)
    )
    client = _client(user, api=False)

    for url, shown in _page_lists(north).items():
        html = client.get(url).content.decode()
        assert shown in html, url
        hidden = _page_lists(south)[url]
        if hidden:
            assert (hidden in html) is not branch_bound, url


def test_a_collector_at_a_branch_sees_only_its_late_loans(worlds, make_user):
    north, south = worlds
    collector = staff(make_user, north.branch, Role.COLLECTOR)
    client = _client(collector, api=False)

    html = client.get(reverse("servicing:collection-queue")).content.decode()
    home = client.get(reverse("home")).content.decode()

    assert north.loan.number in html
    assert south.loan.number not in html
    assert south.loan.number not in home
    assert client.get(reverse("servicing:contact-new", args=[south.loan.pk])).status_code == 404
    assert client.get(reverse("servicing:contact-new", args=[north.loan.pk])).status_code == 200


def test_a_monitoring_manager_at_a_branch_sees_only_its_collateral(worlds, make_user):
    north, south = worlds
    long_ago = timezone.now() - timedelta(days=800)  # both items are due an inspection
    CollateralItem.objects.update(registered_at=long_ago)
    manager = staff(make_user, north.branch, Role.MONITORING_MANAGER)
    client = _client(manager, api=False)

    html = client.get(reverse("collateral:inspection-queue")).content.decode()
    due = _client(manager, api=True).get("/api/v1/collateral/inspections/due/").json()

    assert north.item.description in html
    assert south.item.description not in html
    assert {row["item"] for row in due["results"]} == {north.item.pk}
    assert client.get(reverse("collateral:item", args=[south.item.pk])).status_code == 404
    assert client.get(reverse("collateral:item", args=[north.item.pk])).status_code == 200


# --- references in the input, registration, tokens ---------------------------------------------


def test_an_input_naming_another_branchs_application_is_refused_as_unknown(worlds, make_user):
    north, south = worlds
    client = _client(staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR), api=True)

    coverage = client.get("/api/v1/collateral/coverage/", {"application": south.application.pk})
    missing = client.get("/api/v1/collateral/coverage/", {"application": 999999})
    guarantee = client.post(
        "/api/v1/collateral/guarantees/",
        {
            "application": south.application.pk,
            "guarantor_name": "X",
            "identifier": "781103304561",
            "amount": "1000",
        },
        format="json",
    )

    assert coverage.status_code == missing.status_code == 400
    # the same answer as for an id that does not exist
    unknown = missing.json()["errors"]["application"][0].replace("999999", "{pk}")
    assert coverage.json()["errors"]["application"] == [unknown.format(pk=south.application.pk)]
    assert guarantee.status_code == 400
    assert "application" in guarantee.json()["errors"]
    assert (
        client.get(
            "/api/v1/collateral/coverage/", {"application": north.application.pk}
        ).status_code
        == 200
    )


def test_a_branch_system_token_is_scoped_by_its_users_branch(worlds, make_user):
    north, south = worlds
    from rest_framework.authtoken.models import Token

    system = staff(make_user, north.branch, Role.BRANCH_SYSTEM)
    token = Token.objects.create(user=system)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(f"/api/v1/applications/{north.application.pk}/").status_code == 200
    assert client.get(f"/api/v1/applications/{south.application.pk}/").status_code == 404
    assert client.get(f"/api/v1/loans/{south.loan.pk}/schedule/").status_code == 404
    ids = _ids(client.get("/api/v1/applications/", {"page_size": 500}))
    assert north.application.pk in ids
    assert south.application.pk not in ids


def _token_client(user) -> APIClient:
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_an_integration_with_neither_a_branch_nor_the_grant_sees_nothing(worlds, make_user):
    """Not head office: an integration account is given its scope (issue 15, item 4)."""
    north, south = worlds
    unscoped = make_user(Role.BRANCH_SYSTEM, all_branches=False)
    client = _token_client(unscoped)

    for world in (north, south):
        for url in _api_lists(world):
            assert _ids(client.get(url, {"page_size": 500})) == set(), url
    assert client.get(f"/api/v1/applicants/{north.applicant.pk}/").status_code == 404
    assert client.get(f"/api/v1/loans/{south.loan.pk}/").status_code == 404


def _builds(world: World, kinds) -> bool:
    """Whether the world holds a file of each kind (``World`` grows with ``KINDS``)."""
    try:
        for kind in kinds:
            world.object_for(kind)
    except KeyError:
        return False
    return True


def test_every_file_an_unscoped_integration_names_answers_404(worlds, make_user):
    """Each API route of the table the head office's integration reaches (its role allows it)
    answers 404 to an integration without a scope."""
    north, _south = worlds
    api_routes = [
        name
        for name, kinds in ROUTES.items()
        if name.startswith("api-") and _builds(north, kinds.values())
    ]
    granted = _sweep(make_user(Role.BRANCH_SYSTEM), north, names=api_routes)
    unscoped = _sweep(make_user(Role.BRANCH_SYSTEM, all_branches=False), north, names=api_routes)

    reached = {name for name, status in granted.items() if status not in (403, 404)}
    assert {"api-applicant-detail", "api-loan-detail", "api-loan-payments"} <= reached
    assert {name: unscoped[name] for name in reached if unscoped[name] != 404} == {}


def test_an_unscoped_integration_registers_no_applicant(worlds, make_user):
    client = _token_client(make_user(Role.BRANCH_SYSTEM, all_branches=False))
    before = Applicant.objects.count()
    response = client.post(
        "/api/v1/applicants/",
        {"kind": "individual", "iin": "900101300017", "name": "X", "region": "almaty_city"},
        format="json",
    )
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "no_branch"
    assert Applicant.objects.count() == before


def test_the_head_offices_integration_with_the_grant_sees_every_branch(worlds, make_user):
    north, south = worlds
    client = _token_client(make_user(Role.BRANCH_SYSTEM))  # make_user grants it all branches

    for url, north_id in _api_lists(north).items():
        ids = _ids(client.get(url, {"page_size": 500}))
        assert {north_id, _api_lists(south)[url]} <= ids, url


def test_registration_records_the_users_branch(worlds, make_user, products):
    north, _south = worlds
    admin = staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR)

    application = application_services.application_create(
        applicant_id=north.applicant.pk,
        product_id=products["almaty-unsecured"].pk,
        purpose="working_capital",
        amount=Decimal("500000"),
        term_months=12,
        rate=Decimal("12"),
        method="annuity",
        by=admin,
    )

    assert north.applicant.branch == north.branch  # registered by the north's administrator
    assert application.branch == north.branch
    assert user_branch(make_user(Role.CREDIT_ADMINISTRATOR)) is None


def test_a_borrower_known_at_both_branches_is_seen_by_each(worlds, make_user):
    north, south = worlds
    borrower = north.loan.borrower  # the shared fixtures' applicant borrowed at both
    assert south.loan.borrower == borrower
    for world in (north, south):
        client = _client(staff(make_user, world.branch, Role.CREDIT_ADMINISTRATOR), api=False)
        url = reverse("applications:applicant-detail", args=[borrower.pk])
        html = client.get(url).content.decode()
        assert world.application.number in html
        other = south if world is north else north
        assert other.application.number not in html  # its applications: only this branch's


def test_a_branch_user_books_a_contract_only_at_their_branch(worlds, make_user, accepted):
    north, south = worlds
    admin = staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR)
    application = accepted()
    Application.objects.filter(pk=application.pk).update(branch=north.branch)
    client = _client(admin, api=False)
    url = reverse("servicing:contract-create", args=[application.pk])

    page = client.get(url).content.decode()
    refused = client.post(
        url,
        {
            "contract_date": timezone.localdate(),
            "planned_disbursement_date": timezone.localdate(),
            "branch": south.branch.pk,
        },
    )

    assert f'value="{north.branch.pk}" selected' in page
    assert f'value="{south.branch.pk}"' not in page  # the only choice is their branch
    assert refused.status_code == 400
    assert not visible_loans(admin).filter(application=application).exists()


def test_head_office_chooses_the_branch_of_an_application_and_a_branch_cannot(
    worlds, make_user, products
):
    north, south = worlds
    body = {
        "applicant": north.loan.borrower.pk,
        "product": products["almaty-unsecured"].pk,
        "purpose": "working_capital",
        "amount": "500000",
        "term_months": 12,
        "rate": "12",
        "method": "annuity",
        "branch": south.branch.pk,
    }
    head_office = _client(make_user(Role.CREDIT_ADMINISTRATOR), api=True)
    at_north = _client(staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR), api=True)

    chosen = head_office.post("/api/v1/applications/", body, format="json")
    refused = at_north.post("/api/v1/applications/", body, format="json")
    page = _client(staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR), api=False).get(
        reverse("applications:application-create")
    )

    assert chosen.status_code == 201
    assert Application.objects.get(pk=chosen.json()["id"]).branch == south.branch
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["branch"]
    assert 'name="branch"' not in page.content.decode()  # a branch's staff do not choose


@pytest.mark.parametrize(
    ("path", "parameter", "kind"),
    [
        ("/api/v1/applications/", "applicant", "applicant"),
        ("/api/v1/collateral/items/", "application", "application"),
        ("/api/v1/collateral/guarantees/", "application", "application"),
    ],
)
def test_a_list_filter_naming_another_branchs_file_answers_as_for_an_unknown_id(
    worlds, make_user, path, parameter, kind
):
    north, south = worlds
    client = _client(staff(make_user, north.branch, Role.CREDIT_ADMINISTRATOR), api=True)

    other = client.get(path, {parameter: south.object_for(kind).pk})
    missing = client.get(path, {parameter: 999999})
    own = client.get(path, {parameter: north.object_for(kind).pk})

    assert other.status_code == missing.status_code == 400
    unknown = missing.json()["errors"][parameter][0]
    assert other.json()["errors"][parameter] == [unknown]  # the id is not echoed: same text
    assert own.status_code == 200
