"""The credit package of an agenda item: the application's file, the schedules of the terms
put to the vote, the votes so far and what recording the decision now would give."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import agenda, committee, hooks
from applications.committee_forms import ConflictForm, DecisionForm, VoteForm
from applications.history import application_history
from applications.models import AgendaItem, Application, ConflictDeclaration, Meeting, Stage
from applications.roles import COMMITTEE_MEMBERS
from applications.selectors import credit_file_open
from applications.services import lending_policy
from applications.views.committee.common import TEMPLATES, counts_of
from core.errors import DomainError
from core.permissions import role_required
from lending.calculator import calculate
from lending.domain.debt_burden import average_monthly_payment, debt_burden
from lending.domain.schedule import LoanTerms, Method
from lending.messages import limit_message

COMPARED_METHODS = (Method.ANNUITY, Method.DIFFERENTIATED)


@dataclass(frozen=True)
class Outlook:
    """What recording the decision now would give, by the policy's quorum and majority."""

    cast: int
    quorum: int
    majority: Decimal
    quorum_met: bool
    approves: bool


def _outlook(counts: dict[str, int]) -> Outlook:
    policy = lending_policy()
    cast = sum(counts.values())
    quorum_met = cast >= policy.committee_quorum
    approves = quorum_met and Decimal(counts["votes_for"]) / cast > policy.committee_majority
    return Outlook(
        cast=cast,
        quorum=policy.committee_quorum,
        majority=policy.committee_majority,
        quorum_met=quorum_met,
        approves=approves,
    )


def _calculations(item: AgendaItem, application: Application) -> tuple[list[dict], str]:
    """Schedules for the item's terms by both methods (and the item's own, if another)."""
    product = application.product
    methods = list(COMPARED_METHODS)
    if item.method not in methods:
        methods.append(Method(item.method))
    results = []
    try:
        for method in methods:
            calculation = calculate(
                terms=LoanTerms(
                    amount=item.amount,
                    annual_rate=item.rate,
                    term_months=item.term_months,
                    method=method,
                    day_count=product.day_count,
                    disbursement_date=timezone.localdate(),
                    grace_months=item.grace_months,
                    payment_multiple=product.payment_multiple,
                ),
                product=product,
            )
            results.append(
                {
                    "method": method,
                    "proposed": method == item.method,
                    "calculation": calculation,
                    "schedule": calculation.schedule,
                    "violations": [limit_message(v) for v in calculation.limit_violations],
                }
            )
    except DomainError as error:
        return [], error.message
    return results, ""


def _proposed_debt_burden(assessment, results: list[dict]):
    """The assessed inputs with the monthly payment of the terms put to the vote."""
    proposed = next((result for result in results if result["proposed"]), None)
    if assessment is None or proposed is None:
        return None
    try:
        return debt_burden(
            monthly_income=assessment.monthly_income,
            existing_monthly_payments=[assessment.existing_payments],
            requested_monthly_payment=average_monthly_payment(proposed["schedule"]),
            limit=assessment.limit,
        )
    except DomainError:
        return None


def left_committee_reason(item: AgendaItem) -> str:
    """An undecided item whose application left the committee stage (e.g. withdrawn)."""
    # The services would still record votes and move it on to approved or refused.
    # Another subject (a change of a loan's terms): its application has long left the committee.
    if (
        agenda.subject_of(item) is not None
        or hasattr(item, "decision")
        or item.application.stage == Stage.COMMITTEE
    ):
        return ""
    return _("The application is no longer before the committee: its stage is “%(stage)s”.") % {
        "stage": item.application.get_stage_display()
    }


def item_of(pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related(
            "meeting", "application", "decision", *agenda.related_paths()
        ),
        pk=pk,
    )


def render_package(
    request,
    item: AgendaItem,
    *,
    vote_form: VoteForm | None = None,
    conflict_form: ConflictForm | None = None,
    decision_form: DecisionForm | None = None,
    error: str = "",
    status: int = 200,
):
    user = request.user
    application = credit_file_open(application_id=item.application_id, user=user)
    decision = getattr(item, "decision", None)
    votes = list(item.votes.select_related("member").order_by("cast_at", "pk"))
    conflicts = list(
        ConflictDeclaration.objects.filter(application=application)
        .select_related("member")
        .order_by("declared_at", "pk")
    )
    counts = counts_of(item, decision)
    left_committee = left_committee_reason(item)
    is_open = (
        item.meeting.status == Meeting.Status.SCHEDULED
        and not committee.is_decided(item)
        and not left_committee
    )
    members = list(item.meeting.members.order_by("last_name", "first_name", "username"))
    voted = {vote.member_id for vote in votes}
    my_vote = next((vote for vote in votes if vote.member_id == user.pk), None)
    refusal = committee.voting_refusal(item, user)
    subject = agenda.subject_of(item)
    if subject is not None:  # what the subject shows of itself, e.g. a loan's new schedule
        results, shown = [], subject.package(item)
    else:
        results, schedule_error = _calculations(item, application)
        shown = {"schedule_error": schedule_error}
    assessment = getattr(application, "debt_burden", None)
    history, openings = application_history(application, oldest_first=True)
    return render(
        request,
        TEMPLATES + "package.html",
        {
            "item": item,
            "agenda_subject": subject,
            "meeting": item.meeting,
            "application": application,
            "applicant": application.applicant,
            "decision": decision,
            "votes": votes,
            "counts": counts,
            "outlook": _outlook(counts),
            "conflicts": conflicts,
            "members": members,
            "waiting_for": [
                member
                for member in members
                if member.pk not in voted and committee.voting_refusal(item, member) is None
            ],
            "is_open": is_open,
            "is_member": any(member.pk == user.pk for member in members),
            "my_vote": my_vote,
            "refusal": refusal,
            "may_vote": is_open and refusal is None and my_vote is None,
            "may_declare": is_open
            and my_vote is None
            and not any(c.member_id == user.pk for c in conflicts),
            "results": results,
            "assessment": assessment,
            "proposed_burden": _proposed_debt_burden(assessment, results),
            "conclusions": application.conclusions.select_related("author").order_by("kind"),
            "history": history,
            "openings": openings,
            "vote_form": vote_form or VoteForm(),
            "conflict_form": conflict_form or ConflictForm(),
            "decision_form": decision_form or DecisionForm(),
            "error": error,
            "left_committee": left_committee,
            **shown,
            # what the apps above add, e.g. the single-borrower limit k2 (prudential)
            **hooks.package_sections(item, application, decision),
        },
        status=status,
    )


@role_required(*COMMITTEE_MEMBERS)
def item_package(request, pk: int):
    return render_package(request, item_of(pk))
