from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import AgendaItem, ConflictDeclaration, Decision, Meeting, Vote
from core.roles import Role

pytestmark = pytest.mark.django_db

READERS = {Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR, Role.RISK_MANAGER}
SCHEDULERS = {Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR}
MEMBERS = {Role.COMMITTEE_MEMBER}

# (url name, which objects its arguments come from, method, roles allowed)
PAGES = [
    ("committee:meetings", (), "get", READERS),
    ("committee:meeting-create", (), "get", SCHEDULERS),
    ("committee:meeting-create", (), "post", SCHEDULERS),
    ("committee:meeting", ("meeting",), "get", READERS),
    ("committee:agenda-add", ("meeting", "waiting"), "get", SCHEDULERS),
    ("committee:agenda-add", ("meeting", "waiting"), "post", SCHEDULERS),
    ("committee:meeting-close", ("meeting",), "post", MEMBERS),
    ("committee:minutes-pdf", ("meeting", "ru"), "get", READERS),
    ("committee:agenda", (), "get", MEMBERS),
    ("committee:item", ("item",), "get", MEMBERS),
    ("committee:item-vote", ("item",), "post", MEMBERS),
    ("committee:item-conflict", ("item",), "post", MEMBERS),
    ("committee:item-decide", ("item",), "post", MEMBERS),
]
WRONG = [
    (name, args, method, role)
    for name, args, method, allowed in PAGES
    for role in Role
    if role not in allowed
]
POSTED = {
    "committee:meeting-create": lambda objects: {
        "held_on": "2026-03-12",
        "members": [m.pk for m in objects["members"]],
    },
    "committee:agenda-add": lambda objects: {
        "amount": "1000000",
        "term_months": "12",
        "rate": "12",
        "method": "annuity",
        "grace_months": "0",
    },
    "committee:item-vote": lambda objects: {"choice": "for"},
    "committee:item-conflict": lambda objects: {"reason": "Relative."},
    "committee:item-decide": lambda objects: {"refusal_ground": "insufficient_solvency"},
}


@pytest.fixture
def objects(members, meeting, item, send_to_committee):
    return {
        "members": members,
        "meeting": meeting,
        "item": item,
        "waiting": send_to_committee(amount="2000000"),
    }


def _url(name, args, objects):
    return reverse(name, args=[objects[a].pk if a in objects else a for a in args])


def _snapshot():
    return [
        Model.objects.count()
        for Model in (Meeting, AgendaItem, Vote, ConflictDeclaration, Decision)
    ] + [Meeting.objects.filter(status=Meeting.Status.CLOSED).count()]


@pytest.mark.parametrize(("name", "args", "method", "role"), WRONG)
def test_other_roles_get_403_and_change_nothing(
    browser, make_user, objects, name, args, method, role
):
    browser.as_user(make_user(role))
    before = _snapshot()
    url = _url(name, args, objects)
    if method == "post":
        response = browser.post(url, POSTED.get(name, lambda _: {})(objects))
    else:
        response = browser.get(url)
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("name", "args", "role"),
    [
        (name, args, role)
        for name, args, method, allowed in PAGES
        if method == "get"
        for role in sorted(allowed)
    ],
)
def test_the_roles_allowed_open_each_page(browser, make_user, objects, name, args, role):
    response = browser.as_user(make_user(role)).get(_url(name, args, objects))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["committee:meetings", "committee:agenda"])
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_administrator_cannot_vote_or_decide(browser, make_user, objects):
    admin = make_user(Role.ADMINISTRATOR)
    browser.as_user(admin)
    item = objects["item"]
    assert (
        browser.post(reverse("committee:item-vote", args=[item.pk]), {"choice": "for"}).status_code
        == 403
    )
    assert browser.post(reverse("committee:item-decide", args=[item.pk]), {}).status_code == 403
    assert not Vote.objects.exists() and not Decision.objects.exists()
