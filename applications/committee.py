"""The credit committee: meetings, agenda, votes, decisions (DOMAIN.md §2–§3; seeds 003, 004)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import agenda, hooks
from applications.errors import NotAllowedToVote, TransitionBlocked, TransitionNotAllowed
from applications.models import (
    AgendaItem,
    Application,
    ConflictDeclaration,
    Decision,
    Meeting,
    RefusalGround,
    Stage,
    Vote,
)
from applications.services import (
    lending_policy,
    lock_application,
    move_stage,
    product_limit_violations,
)
from core.audit import audit
from core.errors import ConflictError, DomainError
from core.roles import Role, has_role
from lending.calculator import calculate
from lending.domain.schedule import LoanTerms
from lending.messages import limit_message


@transaction.atomic
def meeting_create(*, held_on: date, member_ids: list[int], by) -> Meeting:
    members = list(get_user_model().objects.filter(pk__in=member_ids, is_active=True))
    if any(not has_role(member, {Role.COMMITTEE_MEMBER}) for member in members) or len(
        members
    ) != len(set(member_ids)):
        raise DomainError(
            _("Every member must be an active credit committee member."), field="members"
        )
    if len(members) < lending_policy().committee_quorum:
        raise DomainError(
            _("At least %(quorum)s members are needed for a quorum.")
            % {"quorum": lending_policy().committee_quorum},
            field="members",
        )
    meeting = Meeting.objects.create(
        number=f"tmp-{timezone.now().timestamp()}", held_on=held_on, created_by=by
    )
    meeting.number = f"CC-{held_on:%Y}-{meeting.pk:04d}"
    meeting.save(update_fields=["number"])
    meeting.members.set(members)
    audit(meeting, "committee.meeting_created", by=by, data={"members": sorted(member_ids)})
    return meeting


def _check_terms(
    application: Application, *, on: date, amount, term_months, rate, method, grace_months
) -> None:
    """Approved terms may differ from the request but must stay within the product and the cap."""
    product = application.product
    violations = product_limit_violations(
        product,
        amount=amount,
        term_months=term_months,
        rate=rate,
        method=method,
        purpose=application.purpose,
        on=on,
    )
    calculation = calculate(
        terms=LoanTerms(
            amount=amount,
            annual_rate=rate,
            term_months=term_months,
            method=method,
            day_count=product.day_count,
            disbursement_date=on,
            grace_months=grace_months,
            payment_multiple=product.payment_multiple,
        ),
        product=product,
    )
    violations += [v for v in calculation.limit_violations if v.code == "gesv_above_cap"]
    if violations:
        first = violations[0]
        raise DomainError(" ".join(limit_message(v) for v in violations), field=first.field)
    # what the apps above check, e.g. a secured product's minimum coverage (DOMAIN.md §15)
    hooks.check_terms(application, amount=amount)


@transaction.atomic
def agenda_add(
    *,
    meeting_id: int,
    application_id: int,
    by,
    amount: Decimal | None = None,
    term_months: int | None = None,
    rate: Decimal | None = None,
    method: str | None = None,
    grace_months: int = 0,
) -> AgendaItem:
    """Put an application on the agenda with the terms to vote on (by default, the request)."""
    meeting = agenda.lock_meeting(meeting_id)
    application = lock_application(application_id)
    if application.stage != Stage.COMMITTEE:
        raise TransitionNotAllowed(
            _("Only applications sent to the committee go on its agenda."), field="application"
        )
    if AgendaItem.objects.filter(
        application=application, meeting__status=Meeting.Status.SCHEDULED
    ).exists():
        raise ConflictError(_("The application is already on an open agenda."), field="application")
    terms = {
        "amount": amount if amount is not None else application.requested_amount,
        "term_months": term_months or application.requested_term_months,
        "rate": rate if rate is not None else application.requested_rate,
        "method": method or application.method,
        "grace_months": grace_months,
    }
    _check_terms(application, on=meeting.held_on, **terms)
    item = agenda.agenda_item_add(meeting=meeting, application=application, **terms)
    audit(
        item.application, "committee.agenda_added", by=by, data={"meeting": meeting.number, **terms}
    )
    return item


@transaction.atomic
def conflict_declare(*, application_id: int, reason: str, by) -> ConflictDeclaration:
    """A member steps aside from an application before voting on it (e.g. a relative applies)."""
    if not has_role(by, {Role.COMMITTEE_MEMBER}):
        raise NotAllowedToVote(
            _("Only credit committee members declare conflicts."), field="member"
        )
    if not reason.strip():
        raise DomainError(_("State the conflict."), field="reason")
    application = lock_application(application_id)
    # another subject of the application still before the committee (a change of terms)
    considering_change = (
        AgendaItem.objects.filter(application=application)
        .filter(agenda.pending_subject_items())
        .exists()
    )
    if application.stage != Stage.COMMITTEE and not considering_change:
        raise ConflictError(
            _("The committee no longer considers this application."), field="application"
        )
    if Vote.objects.filter(item__application=application, member=by).exists():
        raise ConflictError(
            _("You have already voted on this application; a conflict must be declared before."),
            field="member",
        )
    declaration, created = ConflictDeclaration.objects.get_or_create(
        application=application, member=by, defaults={"reason": reason.strip()}
    )
    if created:
        audit(application, "committee.conflict_declared", by=by, data={"reason": reason.strip()})
    return declaration


def voting_refusal(item: AgendaItem, member) -> str | None:
    """Why this member may not vote on this item, or None when they may."""
    if not has_role(member, {Role.COMMITTEE_MEMBER}):
        return _("Only credit committee members vote.")
    if not item.meeting.members.filter(pk=member.pk).exists():
        return _("You are not a member of this meeting.")
    if item.application.prepared_by_id == member.pk:
        return _("You prepared this application and may not vote on it.")
    subject = agenda.subject_of(item)
    if subject is not None and (refusal := subject.voting_refusal(item, member)):
        return refusal
    if ConflictDeclaration.objects.filter(application=item.application, member=member).exists():
        return _("You declared a conflict of interest on this application.")
    return None


@transaction.atomic
def vote_cast(*, item_id: int, choice: str, comment: str = "", by) -> Vote:
    item = (
        AgendaItem.objects.select_for_update()
        .select_related("meeting", "application")
        .get(pk=item_id)
    )
    if item.meeting.status == Meeting.Status.CLOSED or is_decided(item):
        raise ConflictError(_("Voting on this item is over."), field="item")
    if reason := voting_refusal(item, by):
        raise NotAllowedToVote(reason, field="member")
    if choice not in Vote.Choice.values:
        raise DomainError(_("Vote for, against or abstain."), field="choice")
    if choice == Vote.Choice.AGAINST and not comment.strip():
        raise DomainError(_("Explain a vote against."), field="comment")
    if item.votes.filter(member=by).exists():
        raise ConflictError(_("You have already voted on this item."), field="member")
    vote = Vote.objects.create(item=item, member=by, choice=choice, comment=comment.strip())
    audit(item.application, "committee.vote_cast", by=by, data={"item": item.pk, "choice": choice})
    return vote


def is_decided(item: AgendaItem) -> bool:
    subject = agenda.subject_of(item)
    if subject is not None:
        return subject.is_decided(item)
    return hasattr(item, "decision")


def tally(item: AgendaItem) -> dict[str, int]:
    counts = item.votes.aggregate(
        votes_for=Count("pk", filter=Q(choice=Vote.Choice.FOR)),
        votes_against=Count("pk", filter=Q(choice=Vote.Choice.AGAINST)),
        votes_abstain=Count("pk", filter=Q(choice=Vote.Choice.ABSTAIN)),
    )
    return counts


@transaction.atomic
def item_decide(*, item_id: int, by, refusal_ground: str = "", comment: str = ""):
    """Close the vote on an item: approved on its terms with quorum and majority, else refused."""
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item_id)
    agenda.lock_meeting(item.meeting_id)
    application = lock_application(item.application_id)
    if is_decided(item):
        raise ConflictError(_("This item is already decided."), field="item")
    if (
        not has_role(by, {Role.COMMITTEE_MEMBER})
        or not item.meeting.members.filter(pk=by.pk).exists()
    ):
        raise NotAllowedToVote(
            _("Only a member of the meeting records its decision."), field="member"
        )
    policy = lending_policy()
    counts = tally(item)
    cast = sum(counts.values())
    if cast < policy.committee_quorum:
        raise TransitionBlocked(
            _("No quorum: %(cast)s of %(quorum)s votes cast.")
            % {"cast": cast, "quorum": policy.committee_quorum},
            field="votes",
        )
    approved = Decimal(counts["votes_for"]) / cast > policy.committee_majority
    subject = agenda.subject_of(item)
    if subject is not None:  # e.g. a loan's change of terms: decided on its own record
        return subject.decide(item=item, counts=counts, approved=approved, by=by, comment=comment)
    if approved:
        _check_terms(
            application,
            on=item.meeting.held_on,
            amount=item.amount,
            term_months=item.term_months,
            rate=item.rate,
            method=item.method,
            grace_months=item.grace_months,
        )
        # what the apps above check at approval, e.g. the single-borrower limit k2
        hooks.check_approval(application, amount=item.amount, on=item.meeting.held_on)
        decision = Decision.objects.create(
            application=application,
            item=item,
            outcome=Decision.Outcome.APPROVED,
            amount=item.amount,
            term_months=item.term_months,
            rate=item.rate,
            method=item.method,
            grace_months=item.grace_months,
            comment=comment,
            recorded_by=by,
            **counts,
        )
        move_stage(application, Stage.APPROVED, by=by, data={"decision": decision.pk})
    else:
        if refusal_ground not in RefusalGround.values:
            raise DomainError(
                _("The vote did not approve: choose the ground of refusal."), field="refusal_ground"
            )
        decision = Decision.objects.create(
            application=application,
            item=item,
            outcome=Decision.Outcome.REFUSED,
            refusal_ground=refusal_ground,
            comment=comment,
            recorded_by=by,
            **counts,
        )
        application.refusal_ground = refusal_ground
        application.refusal_comment = comment
        move_stage(
            application,
            Stage.REFUSED,
            by=by,
            data={"decision": decision.pk, "ground": refusal_ground},
        )
    audit(application, "committee.decided", by=by, data={"outcome": decision.outcome, **counts})
    return decision


@transaction.atomic
def meeting_close(*, meeting_id: int, by) -> Meeting:
    meeting = agenda.lock_meeting(meeting_id)
    if not meeting.members.filter(pk=by.pk).exists():
        raise NotAllowedToVote(_("Only a member of the meeting closes it."), field="member")
    if (
        meeting.items.filter(decision__isnull=True).exclude(agenda.subject_items()).exists()
        or meeting.items.filter(agenda.pending_subject_items()).exists()
    ):
        raise TransitionBlocked(
            _("Decide every item on the agenda before closing."), field="meeting"
        )
    meeting.status, meeting.closed_at = Meeting.Status.CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    audit(meeting, "committee.meeting_closed", by=by)
    return meeting
