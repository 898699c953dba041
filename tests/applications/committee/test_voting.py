from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import committee, services
from applications.models import (
    Application,
    ConflictDeclaration,
    Decision,
    LendingPolicy,
    Meeting,
    Stage,
    Vote,
)
from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db


def vote(browser, user, item, choice, comment=""):
    return browser.as_user(user).post(
        reverse("committee:item-vote", args=[item.pk]), {"choice": choice, "comment": comment}
    )


def decide(browser, user, item, **data):
    return browser.as_user(user).post(reverse("committee:item-decide", args=[item.pk]), data)


def test_members_vote_in_the_browser_to_an_approved_decision(browser, members, item):
    for member in members:
        response = vote(browser, member, item, "for")
        assert response.status_code == 302
    package = browser.get(reverse("committee:item", args=[item.pk])).content.decode()
    assert 'data-tally="3/0/0"' in package
    assert 'data-outlook="approve"' in package

    response = decide(browser, members[1], item, comment="Approved on the request.")
    assert response.status_code == 302
    assert response.url == reverse("committee:meeting", args=[item.meeting_id])

    decision = Decision.objects.get(item=item)
    assert decision.outcome == Decision.Outcome.APPROVED
    assert (decision.amount, decision.term_months, decision.rate) == (
        Decimal("1000000.00"),
        12,
        Decimal("12"),
    )
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (3, 0, 0)
    assert decision.recorded_by == members[1]
    assert Application.objects.get(pk=item.application_id).stage == Stage.APPROVED

    page = browser.get(reverse("committee:meeting", args=[item.meeting_id])).content.decode()
    assert 'data-outcome="approved"' in page
    assert reverse("committee:meeting-close", args=[item.meeting_id]) in page  # all decided

    response = browser.post(reverse("committee:meeting-close", args=[item.meeting_id]))
    assert response.status_code == 302
    assert Meeting.objects.get(pk=item.meeting_id).status == Meeting.Status.CLOSED


def test_a_vote_is_recorded_once_with_its_comment(browser, members, item):
    vote(browser, members[0], item, "abstain", "Need more data on the market.")
    response = vote(browser, members[0], item, "for")
    assert response.status_code == 409
    assert "You have already voted on this item." in response.content.decode()
    votes = Vote.objects.filter(item=item, member=members[0])
    assert [(v.choice, v.comment) for v in votes] == [("abstain", "Need more data on the market.")]
    page = browser.get(reverse("committee:item", args=[item.pk])).content.decode()
    assert "Need more data on the market." in page
    assert reverse("committee:item-vote", args=[item.pk]) not in page  # no second vote form


def test_a_vote_against_needs_a_comment(browser, members, item):
    response = vote(browser, members[0], item, "against")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="comment"' in html
    assert "Explain a vote against." in html
    assert not Vote.objects.filter(item=item).exists()


def test_without_quorum_the_decision_is_refused_with_the_message(browser, members, item):
    vote(browser, members[0], item, "for")
    vote(browser, members[1], item, "for")
    response = decide(browser, members[0], item)
    assert response.status_code == 400
    assert "No quorum: 2 of 3 votes cast." in response.content.decode()
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=item.application_id).stage == Stage.COMMITTEE


def test_nobody_approves_alone_even_with_the_smallest_quorum(browser, members, item):
    LendingPolicy.objects.update_or_create(pk=1, defaults={"committee_quorum": 2})
    vote(browser, members[0], item, "for")
    page = browser.get(reverse("committee:item", args=[item.pk])).content.decode()
    assert 'data-outlook="no-quorum"' in page
    response = decide(browser, members[0], item)
    assert response.status_code == 400
    assert "No quorum: 1 of 2 votes cast." in response.content.decode()
    assert not Decision.objects.exists()


def test_without_a_majority_the_decision_is_a_refusal_that_needs_a_ground(browser, members, item):
    vote(browser, members[0], item, "for")
    vote(browser, members[1], item, "against", "Income is seasonal.")
    vote(browser, members[2], item, "abstain")
    page = browser.get(reverse("committee:item", args=[item.pk])).content.decode()
    assert 'data-outlook="refuse"' in page

    response = decide(browser, members[2], item)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="refusal_ground"' in html
    assert "The vote did not approve: choose the ground of refusal." in html
    assert not Decision.objects.exists()

    response = decide(
        browser,
        members[2],
        item,
        refusal_ground="insufficient_solvency",
        comment="Seasonal income.",
    )
    assert response.status_code == 302
    decision = Decision.objects.get(item=item)
    assert decision.outcome == Decision.Outcome.REFUSED
    assert decision.refusal_ground == "insufficient_solvency"
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (1, 1, 1)
    assert decision.amount is None
    application = Application.objects.get(pk=item.application_id)
    assert (application.stage, application.refusal_ground) == (
        Stage.REFUSED,
        "insufficient_solvency",
    )


def test_only_a_member_of_the_meeting_records_the_decision(browser, members, make_user, item):
    for member in members:
        vote(browser, member, item, "for")
    outsider = make_user(Role.COMMITTEE_MEMBER)
    page = browser.as_user(outsider).get(reverse("committee:item", args=[item.pk]))
    assert reverse("committee:item-decide", args=[item.pk]) not in page.content.decode()
    response = decide(browser, outsider, item)
    assert response.status_code == 403
    assert "Only a member of the meeting records its decision." in response.content.decode()
    assert not Decision.objects.exists()


def test_the_meeting_closes_only_when_every_item_is_decided(browser, members, item):
    browser.as_user(members[0])
    page = browser.get(reverse("committee:meeting", args=[item.meeting_id])).content.decode()
    close_url = reverse("committee:meeting-close", args=[item.meeting_id])
    assert close_url not in page
    response = browser.post(close_url, follow=True)
    assert "Decide every item on the agenda before closing." in response.content.decode()
    assert Meeting.objects.get(pk=item.meeting_id).status == Meeting.Status.SCHEDULED


def test_a_committee_member_absent_from_the_meeting_cannot_close_it(
    browser, members, make_user, meeting
):
    outsider = make_user(Role.COMMITTEE_MEMBER)
    response = browser.as_user(outsider).post(reverse("committee:meeting-close", args=[meeting.pk]))
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED


# --- who may not vote ---------------------------------------------------------------------


@pytest.fixture
def preparer(make_user):
    """A credit administrator who also sits on the committee."""
    return make_user(Role.CREDIT_ADMINISTRATOR, Role.COMMITTEE_MEMBER, username="preparer")


def _assert_cannot_vote(browser, user, item, reason):
    browser.as_user(user)
    page = browser.get(reverse("committee:item", args=[item.pk])).content.decode()
    assert "data-refusal" in page
    assert reason in page
    assert reverse("committee:item-vote", args=[item.pk]) not in page  # no vote form
    response = browser.post(
        reverse("committee:item-vote", args=[item.pk]), {"choice": "for", "comment": ""}
    )
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert not Vote.objects.filter(item=item, member=user).exists()
    assert not AuditEvent.objects.filter(action="committee.vote_cast", actor=user).exists()


def test_the_preparer_cannot_vote_on_their_application(
    browser, members, preparer, send_to_committee
):
    application = send_to_committee(by=preparer)
    meeting = committee.meeting_create(
        held_on=timezone.localdate(),
        member_ids=[preparer.pk, members[0].pk, members[1].pk],
        by=members[0],
    )
    item = committee.agenda_add(meeting_id=meeting.pk, application_id=application.pk, by=members[0])
    _assert_cannot_vote(
        browser, preparer, item, "You prepared this application and may not vote on it."
    )


def test_a_member_with_a_declared_conflict_cannot_vote(browser, members, item):
    response = browser.as_user(members[2]).post(
        reverse("committee:item-conflict", args=[item.pk]), {"reason": "The applicant's cousin."}
    )
    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get(application=item.application, member=members[2])
    assert declaration.reason == "The applicant's cousin."
    _assert_cannot_vote(
        browser, members[2], item, "You declared a conflict of interest on this application."
    )
    page = browser.get(reverse("committee:item", args=[item.pk])).content.decode()
    assert "The applicant&#x27;s cousin." in page  # listed among the declared conflicts


def test_a_committee_member_absent_from_the_meeting_cannot_vote(browser, make_user, item):
    outsider = make_user(Role.COMMITTEE_MEMBER)
    _assert_cannot_vote(browser, outsider, item, "You are not a member of this meeting.")


def test_a_conflict_cannot_be_declared_after_voting(browser, members, item):
    vote(browser, members[0], item, "for")
    response = browser.post(
        reverse("committee:item-conflict", args=[item.pk]), {"reason": "Neighbour."}
    )
    assert response.status_code == 409
    assert not ConflictDeclaration.objects.exists()
    assert Vote.objects.filter(item=item, member=members[0]).count() == 1


def test_an_application_withdrawn_while_on_the_agenda_leaves_it(browser, members, officer, item):
    for member in members:
        vote(browser, member, item, "for")
    services.application_withdraw(
        application_id=item.application_id, comment="The applicant withdrew.", by=officer
    )
    # the undecided item leaves the open agenda with its votes; the meeting can still close
    assert browser.get(reverse("committee:item", args=[item.pk])).status_code == 404
    assert not Vote.objects.exists()
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=item.application_id).stage == Stage.WITHDRAWN
    browser.force_login(members[0])
    response = browser.post(reverse("committee:meeting-close", args=[item.meeting_id]))
    assert response.status_code in (200, 302)
    item.meeting.refresh_from_db()
    assert item.meeting.status == "closed"
