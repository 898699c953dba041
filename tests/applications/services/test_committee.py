from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import committee, services
from applications.errors import NotAllowedToVote, TransitionBlocked, TransitionNotAllowed
from applications.models import Decision, LendingPolicy, Stage, Vote
from core.errors import ConflictError, DomainError
from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(make_user):
    return [make_user(Role.COMMITTEE_MEMBER, username=f"member{n}") for n in range(1, 5)]


@pytest.fixture
def meeting(members):
    return committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members[:3]], by=members[0]
    )


@pytest.fixture
def item(at_committee, meeting, members):
    application = at_committee()
    return committee.agenda_add(meeting_id=meeting.pk, application_id=application.pk, by=members[0])


def _vote(item, member, choice, comment="reason"):
    return committee.vote_cast(item_id=item.pk, choice=choice, comment=comment, by=member)


def test_unanimous_vote_approves_on_the_item_terms(item, members):
    for member in members[:3]:
        _vote(item, member, "for")
    decision = committee.item_decide(item_id=item.pk, by=members[0])
    assert decision.outcome == Decision.Outcome.APPROVED
    assert (decision.amount, decision.term_months, decision.rate) == (
        Decimal("1000000.00"),
        12,
        Decimal("12.000000"),
    )
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (3, 0, 0)
    item.application.refresh_from_db()
    assert item.application.stage == Stage.APPROVED


def test_approved_terms_may_differ_from_the_request(at_committee, meeting, members):
    application = at_committee()
    item = committee.agenda_add(
        meeting_id=meeting.pk,
        application_id=application.pk,
        amount=Decimal("800000"),
        term_months=18,
        by=members[0],
    )
    for member in members[:3]:
        _vote(item, member, "for")
    decision = committee.item_decide(item_id=item.pk, by=members[1])
    assert (decision.amount, decision.term_months) == (Decimal("800000"), 18)


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"amount": Decimal("7000000")}, "amount"),  # unsecured product: up to 6,000,000
        ({"term_months": 30}, "term_months"),  # up to 24 months
        ({"rate": Decimal("13")}, "annual_rate"),  # 12 % only
    ],
)
def test_terms_outside_the_product_are_refused(at_committee, meeting, members, terms, field):
    application = at_committee()
    with pytest.raises(DomainError) as error:
        committee.agenda_add(
            meeting_id=meeting.pk, application_id=application.pk, by=members[0], **terms
        )
    assert error.value.field == field
    assert not application.agenda_items.exists()


def test_no_quorum_no_decision(item, members):
    _vote(item, members[0], "for")
    _vote(item, members[1], "for")
    with pytest.raises(TransitionBlocked, match="No quorum: 2 of 3"):
        committee.item_decide(item_id=item.pk, by=members[0])
    assert not Decision.objects.exists()


def test_majority_not_reached_refuses_with_a_ground(item, members):
    _vote(item, members[0], "for")
    _vote(item, members[1], "against", "Weak cash flow.")
    _vote(item, members[2], "abstain")
    with pytest.raises(DomainError) as error:
        committee.item_decide(item_id=item.pk, by=members[0])
    assert error.value.field == "refusal_ground"
    decision = committee.item_decide(
        item_id=item.pk, by=members[0], refusal_ground="insufficient_solvency", comment="Weak."
    )
    assert decision.outcome == Decision.Outcome.REFUSED
    item.application.refresh_from_db()
    assert (item.application.stage, item.application.refusal_ground) == (
        Stage.REFUSED,
        "insufficient_solvency",
    )


def test_exactly_half_is_not_a_majority(at_committee, members):
    LendingPolicy.objects.update_or_create(pk=1, defaults={"committee_quorum": 2})
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[m.pk for m in members[:2]], by=members[0]
    )
    item = committee.agenda_add(
        meeting_id=meeting.pk, application_id=at_committee().pk, by=members[0]
    )
    _vote(item, members[0], "for")
    _vote(item, members[1], "against")
    with pytest.raises(DomainError, match="did not approve"):
        committee.item_decide(item_id=item.pk, by=members[0])


def test_nobody_approves_alone(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        LendingPolicy.objects.create(committee_quorum=1)


def test_the_member_who_prepared_the_application_cannot_vote(at_committee, make_user):
    preparer = make_user(Role.COMMITTEE_MEMBER, Role.CREDIT_ADMINISTRATOR, username="both")
    others = [make_user(Role.COMMITTEE_MEMBER) for _ in range(2)]
    application = at_committee()
    application.prepared_by = preparer
    application.save()
    meeting = committee.meeting_create(
        held_on=timezone.localdate(), member_ids=[preparer.pk, *[o.pk for o in others]], by=preparer
    )
    item = committee.agenda_add(meeting_id=meeting.pk, application_id=application.pk, by=preparer)
    with pytest.raises(NotAllowedToVote, match="prepared this application"):
        _vote(item, preparer, "for")
    assert not Vote.objects.exists()


def test_a_member_with_a_declared_conflict_cannot_vote(item, members):
    committee.conflict_declare(
        application_id=item.application_id, reason="The applicant is my cousin.", by=members[2]
    )
    with pytest.raises(NotAllowedToVote, match="conflict"):
        _vote(item, members[2], "for")


def test_only_members_of_the_meeting_vote(item, members, make_user):
    with pytest.raises(NotAllowedToVote, match="not a member of this meeting"):
        _vote(item, members[3], "for")
    with pytest.raises(NotAllowedToVote, match="Only credit committee members"):
        _vote(item, make_user(Role.RISK_MANAGER), "for")


def test_vote_against_needs_a_comment_and_a_member_votes_once(item, members):
    with pytest.raises(DomainError) as error:
        _vote(item, members[0], "against", comment="")
    assert error.value.field == "comment"
    _vote(item, members[0], "for")
    with pytest.raises(ConflictError):
        _vote(item, members[0], "against")


def test_meeting_needs_committee_members_for_a_quorum(members, make_user):
    with pytest.raises(DomainError, match="At least 3"):
        committee.meeting_create(
            held_on=timezone.localdate(), member_ids=[members[0].pk, members[1].pk], by=members[0]
        )
    accountant = make_user(Role.ACCOUNTANT)
    with pytest.raises(DomainError) as error:
        committee.meeting_create(
            held_on=timezone.localdate(),
            member_ids=[members[0].pk, members[1].pk, accountant.pk],
            by=members[0],
        )
    assert error.value.field == "members"


def test_only_applications_at_the_committee_stage_go_on_the_agenda(
    new_application, meeting, members
):
    with pytest.raises(TransitionNotAllowed):
        committee.agenda_add(
            meeting_id=meeting.pk, application_id=new_application().pk, by=members[0]
        )


def test_a_decided_item_cannot_be_decided_or_voted_again(item, members):
    for member in members[:3]:
        _vote(item, member, "for")
    committee.item_decide(item_id=item.pk, by=members[0])
    with pytest.raises(ConflictError):
        committee.item_decide(item_id=item.pk, by=members[0])


def test_meeting_closes_only_when_every_item_is_decided(item, meeting, members):
    with pytest.raises(TransitionBlocked):
        committee.meeting_close(meeting_id=meeting.pk, by=members[0])
    for member in members[:3]:
        _vote(item, member, "for")
    committee.item_decide(item_id=item.pk, by=members[0])
    committee.meeting_close(meeting_id=meeting.pk, by=members[0])
    with pytest.raises(ConflictError, match="closed"):
        committee.agenda_add(
            meeting_id=meeting.pk, application_id=item.application_id, by=members[0]
        )


def test_the_applicant_accepts_or_declines_approved_terms(item, members, officer):
    for member in members[:3]:
        _vote(item, member, "for")
    committee.item_decide(item_id=item.pk, by=members[0])
    services.application_record_answer(
        application_id=item.application_id, accepted=True, by=officer
    )
    item.application.refresh_from_db()
    assert item.application.stage == Stage.ACCEPTED
    with pytest.raises(TransitionNotAllowed):
        services.application_record_answer(
            application_id=item.application_id, accepted=False, by=officer
        )
