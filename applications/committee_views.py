"""Credit committee pages: meetings, the agenda, the credit package, votes, decisions, minutes.

Every rule (who votes, quorum, majority, product limits) is the services' in
``applications.committee``; these views show their answers beside the right field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications import committee, documents
from applications.committee_forms import (
    AgendaItemForm,
    ConflictForm,
    DecisionForm,
    MeetingForm,
    VoteForm,
    form_field_for,
    show_domain_error,
)
from applications.models import (
    AgendaItem,
    Application,
    Conclusion,
    ConflictDeclaration,
    Decision,
    DocumentType,
    Meeting,
    Stage,
    Vote,
)
from applications.selectors import application_list, committee_agenda, credit_file_open
from applications.services import lending_policy
from applications.views import ACTION_LABELS
from core.audit import audit
from core.branches import visible_applications, visible_by_loan
from core.errors import DomainError
from core.navigation import QueueRow
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import Role, has_role
from core.selectors import audit_event_list
from core.throttling import heavy_page
from loans.calculator import calculate
from loans.domain.debt_burden import average_monthly_payment, debt_burden
from loans.domain.schedule import LoanTerms, Method
from loans.messages import limit_message
from loans.selectors import product_limits
from prudential.norms import exposure_after

READERS = (Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR, Role.RISK_MANAGER)
SCHEDULERS = (Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR)
MEMBERS = (Role.COMMITTEE_MEMBER,)
COMPARED_METHODS = (Method.ANNUITY, Method.DIFFERENTIATED)
TEMPLATES = "applications/committee/"


# --- meetings -------------------------------------------------------------------------------


@role_required(*READERS)
def meeting_list(request):
    meetings = Meeting.objects.annotate(
        item_count=Count("items", distinct=True),
        decided_count=Count("items", filter=Q(items__decision__isnull=False), distinct=True),
        member_count=Count("members", distinct=True),
    ).order_by("-held_on", "-id")
    return render(
        request,
        TEMPLATES + "meeting_list.html",
        {
            "page": Paginator(meetings, 30).get_page(request.GET.get("page")),
            "may_schedule": has_role(request.user, SCHEDULERS),
            "minutes_languages": documents.MINUTES_LANGUAGES,
        },
    )


@role_required(*SCHEDULERS)
def meeting_create(request):
    form = MeetingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                meeting = committee.meeting_create(
                    held_on=form.cleaned_data["held_on"],
                    member_ids=[member.pk for member in form.cleaned_data["members"]],
                    by=request.user,
                )
            except DomainError as error:
                show_domain_error(form, error)
                status = error.http_status
            else:
                messages.success(
                    request, _("Meeting %(number)s is scheduled.") % {"number": meeting.number}
                )
                return redirect("committee:meeting", pk=meeting.pk)
    return render(
        request,
        TEMPLATES + "meeting_form.html",
        {"form": form, "quorum": lending_policy().committee_quorum},
        status=status,
    )


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    identifier: str
    counts: dict[str, int]
    decision: Decision | None
    decided: bool  # a change of terms is decided on its request, without a Decision row


def _counts(item: AgendaItem, decision: Decision | None) -> dict[str, int]:
    """The tally frozen in the decision, or the votes so far."""
    if decision is None:
        return committee.tally(item)
    return {
        "votes_for": decision.votes_for,
        "votes_against": decision.votes_against,
        "votes_abstain": decision.votes_abstain,
    }


@role_required(*READERS)
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.select_related("created_by"), pk=pk)
    user = request.user
    rows = []
    items = meeting.items.select_related(
        "application__applicant", "application__product", "decision", "restructuring__loan"
    ).order_by("position")
    for item in items:
        decision = getattr(item, "decision", None)
        applicant = item.application.applicant
        rows.append(
            AgendaRow(
                item=item,
                identifier=identifier_for(user, applicant.iin or applicant.bin),
                counts=_counts(item, decision),
                decision=decision,
                decided=committee.is_decided(item),
            )
        )
    is_open = meeting.status == Meeting.Status.SCHEDULED
    may_schedule = is_open and has_role(user, SCHEDULERS)
    is_member = has_role(user, MEMBERS) and meeting.members.filter(pk=user.pk).exists()
    waiting = (
        visible_applications(user, application_list(stage=Stage.COMMITTEE))
        .exclude(agenda_items__meeting__status=Meeting.Status.SCHEDULED)
        .order_by("stage_changed_at")
        if may_schedule
        else Application.objects.none()
    )
    return render(
        request,
        TEMPLATES + "meeting_detail.html",
        {
            "meeting": meeting,
            "members": meeting.members.order_by("last_name", "first_name", "username"),
            "rows": rows,
            "is_open": is_open,
            "may_schedule": may_schedule,
            "may_open_packages": has_role(user, MEMBERS),
            "may_close": is_open and is_member and all(row.decided for row in rows),
            "waiting": waiting,
            "waiting_changes": _waiting_changes(user) if may_schedule else [],
            "minutes_languages": documents.MINUTES_LANGUAGES,
        },
    )


def _waiting_changes(user) -> list[dict]:
    """Requests to change a loan's terms not yet on an agenda (``loans.changes_views``)."""
    from loans.models import Restructuring

    requests = visible_by_loan(
        user, Restructuring.objects.filter(status=Restructuring.Status.REQUESTED)
    )
    return [
        {"request": request, "url": reverse("loan-changes:restructuring-agenda", args=[request.pk])}
        for request in requests.select_related("loan__borrower").order_by("requested_on", "id")
    ]


@role_required(*SCHEDULERS)
def agenda_item_add(request, pk: int, application_id: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        messages.error(request, _("The meeting is closed."))
        return redirect("committee:meeting", pk=meeting.pk)
    application = get_object_or_404(application_list(stage=Stage.COMMITTEE), pk=application_id)
    form = AgendaItemForm(request.POST or None, application=application)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = committee.agenda_add(
                    meeting_id=meeting.pk,
                    application_id=application.pk,
                    by=request.user,
                    **form.cleaned_data,
                )
            except DomainError as error:
                show_domain_error(form, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("Application %(number)s is item %(position)s of the agenda.")
                    % {"number": application.number, "position": item.position},
                )
                return redirect("committee:meeting", pk=meeting.pk)
    limits = product_limits(
        application.product, on=timezone.localdate(), purpose=application.purpose
    )
    return render(
        request,
        TEMPLATES + "agenda_item_form.html",
        {"meeting": meeting, "application": application, "form": form, "limits": limits},
        status=status,
    )


@role_required(*MEMBERS)
@require_POST
def meeting_close(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    if not meeting.members.filter(pk=request.user.pk).exists():
        raise PermissionDenied  # the service does not check who closes; only those present do
    try:
        committee.meeting_close(meeting_id=meeting.pk, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The meeting is closed."))
    return redirect("committee:meeting", pk=meeting.pk)


@role_required(*READERS)
@heavy_page
def minutes_pdf(request, pk: int, language: str):
    if language not in documents.MINUTES_LANGUAGES:
        raise Http404
    meeting = get_object_or_404(Meeting, pk=pk)
    pdf = documents.minutes_pdf(meeting, language=language)
    # The minutes name borrowers and amounts (loan secrecy, DOMAIN.md §14): log who read them.
    audit(meeting, "committee.minutes_printed", by=request.user, data={"language": language})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.number}-{language}.pdf"'
    return response


# --- the member's agenda and the credit package ---------------------------------------------


def _undecided(items) -> list[AgendaItem]:
    """``committee_agenda`` knows decided applications only; a change of terms is decided on
    its request."""
    return [
        item for item in items.select_related("restructuring") if not committee.is_decided(item)
    ]


@role_required(*MEMBERS)
def my_agenda(request):
    user = request.user
    items = _undecided(committee_agenda(user))
    my_votes = dict(
        Vote.objects.filter(member=user, item__in=items).values_list("item_id", "choice")
    )
    rows = [
        {
            "item": item,
            "my_vote": Vote.Choice(my_votes[item.pk]).label if item.pk in my_votes else None,
            "refusal": committee.voting_refusal(item, user),
            "counts": committee.tally(item),
        }
        for item in items
    ]
    return render(request, TEMPLATES + "agenda.html", {"rows": rows})


def home_agenda_rows(user) -> list[QueueRow]:
    """The committee member's work queue on the home page: the items still waiting for them."""
    items = _undecided(committee_agenda(user))
    voted = set(Vote.objects.filter(member=user, item__in=items).values_list("item_id", flat=True))
    today = timezone.localdate()
    rows = []
    for item in items:
        refusal = committee.voting_refusal(item, user)
        if item.pk in voted:
            state = _("you have voted")
        elif refusal:
            state = refusal
        else:
            state = _("waiting for your vote")
        rows.append(
            QueueRow(
                label=item.restructuring.number
                if item.restructuring_id
                else item.application.number,
                url=reverse("committee:item", args=[item.pk]),
                detail=f"{item.application.applicant.name} · {item.meeting.number}, "
                f"{item.meeting.held_on:%d.%m.%Y} · {state}",
                overdue=item.meeting.held_on < today and item.pk not in voted and not refusal,
            )
        )
    return rows


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


HISTORY_LABELS = {
    "application.registered": gettext_lazy("Registered"),
    "application.stage_changed": gettext_lazy("Stage changed"),
    "application.document_received": gettext_lazy("Document received"),
    "application.document_missing": gettext_lazy("Document marked missing"),
    "application.debt_burden_assessed": gettext_lazy("Debt burden assessed"),
    "application.conclusion_recorded": gettext_lazy("Conclusion recorded"),
    "committee.agenda_added": gettext_lazy("Put on the committee agenda"),
    "committee.conflict_declared": gettext_lazy("Conflict of interest declared"),
    "committee.vote_cast": gettext_lazy("Vote cast"),
    "committee.decided": gettext_lazy("Committee decision"),
}
OPENED = "credit_file.opened"


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _history_detail(event) -> str:
    data = event.data or {}
    match event.action:
        case "application.stage_changed":
            return f"{_label(Stage, data.get('from'))} → {_label(Stage, data.get('to'))}"
        case "application.document_received" | "application.document_missing":
            return _label(DocumentType, data.get("document"))
        case "application.conclusion_recorded":
            return _label(Conclusion.Kind, data.get("kind"))
        case "application.debt_burden_assessed":
            return f"{data.get('coefficient')} / {data.get('limit')}"
        case "committee.agenda_added":
            return str(data.get("meeting", ""))
        case "committee.vote_cast":
            return _label(Vote.Choice, data.get("choice"))
        case "committee.decided":
            return _label(Decision.Outcome, data.get("outcome"))
    return ""


def _history(application: Application) -> tuple[list[dict], int]:
    """The application's audit trail, and how many times its credit file was opened."""
    events = audit_event_list().filter(
        target_type=ContentType.objects.get_for_model(Application),
        target_id=str(application.pk),
    )
    rows = [
        {
            "event": event,
            # the collateral's events are named as on the application's page
            "label": HISTORY_LABELS.get(event.action)
            or ACTION_LABELS.get(event.action, event.action),
            "detail": _history_detail(event),
        }
        for event in events.exclude(action=OPENED).order_by("at", "id")
    ]
    return rows, events.filter(action=OPENED).count()


def _left_committee(item: AgendaItem) -> str:
    """An undecided item whose application left the committee stage (e.g. withdrawn)."""
    # The services would still record votes and move it on to approved or refused.
    # A change of terms concerns a loan: its application has long left the committee.
    if (
        item.restructuring_id
        or hasattr(item, "decision")
        or item.application.stage == Stage.COMMITTEE
    ):
        return ""
    return _("The application is no longer before the committee: its stage is “%(stage)s”.") % {
        "stage": item.application.get_stage_display()
    }


def _item(pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related(
            "meeting", "application", "decision", "restructuring__loan"
        ),
        pk=pk,
    )


def _restructuring_plan(item: AgendaItem) -> tuple[object | None, str]:
    """The loan's new schedule on the requested terms, as if signed today."""
    from loans.models import Loan
    from loans.services import restructuring_preview

    if item.restructuring.loan.status != Loan.Status.ACTIVE:
        return None, ""
    try:
        return restructuring_preview(
            restructuring_id=item.restructuring_id, on=timezone.localdate()
        ), ""
    except DomainError as error:
        return None, error.message


def _k2_exposure(item: AgendaItem, application: Application, decision):
    """The borrower's (or group's) exposure after this loan against k2, while undecided."""
    if item.restructuring_id or decision is not None:
        return None, ""
    try:
        return exposure_after(
            applicant=application.applicant, amount=item.amount, on=item.meeting.held_on
        ), ""
    except DomainError as error:  # e.g. no k2 value in force on the date
        return None, error.message


def _render_package(
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
    counts = _counts(item, decision)
    left_committee = _left_committee(item)
    is_open = (
        item.meeting.status == Meeting.Status.SCHEDULED
        and not committee.is_decided(item)
        and not left_committee
    )
    members = list(item.meeting.members.order_by("last_name", "first_name", "username"))
    voted = {vote.member_id for vote in votes}
    my_vote = next((vote for vote in votes if vote.member_id == user.pk), None)
    refusal = committee.voting_refusal(item, user)
    restructuring, plan = item.restructuring, None
    if restructuring is not None:
        results = []
        plan, schedule_error = _restructuring_plan(item)
    else:
        results, schedule_error = _calculations(item, application)
    assessment = getattr(application, "debt_burden", None)
    history, openings = _history(application)
    k2_exposure, k2_error = _k2_exposure(item, application, decision)
    return render(
        request,
        TEMPLATES + "package.html",
        {
            "item": item,
            "restructuring": restructuring,
            "plan": plan,
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
            "schedule_error": schedule_error,
            "assessment": assessment,
            "proposed_burden": _proposed_debt_burden(assessment, results),
            "k2_exposure": k2_exposure,
            "k2_error": k2_error,
            "conclusions": application.conclusions.select_related("author").order_by("kind"),
            "history": history,
            "openings": openings,
            "vote_form": vote_form or VoteForm(),
            "conflict_form": conflict_form or ConflictForm(),
            "decision_form": decision_form or DecisionForm(),
            "error": error,
            "left_committee": left_committee,
        },
        status=status,
    )


@role_required(*MEMBERS)
def item_package(request, pk: int):
    return _render_package(request, _item(pk))


def _field_or_page(form, error: DomainError) -> str:
    """Put the error beside its field; one the form has no field for goes at the page's top."""
    if form_field_for(error) in form.fields:
        show_domain_error(form, error)
        return ""
    return error.message


@role_required(*MEMBERS)
@require_POST
def item_vote(request, pk: int):
    item = _item(pk)
    form = VoteForm(request.POST)
    if refusal := committee.voting_refusal(item, request.user):
        return _render_package(request, item, error=refusal, status=403)
    if left := _left_committee(item):
        return _render_package(request, item, error=left, status=409)
    if not form.is_valid():
        return _render_package(request, item, vote_form=form, status=400)
    try:
        committee.vote_cast(
            item_id=item.pk,
            choice=form.cleaned_data["choice"],
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except DomainError as error:
        message = _field_or_page(form, error)
        return _render_package(
            request, item, vote_form=form, error=message, status=error.http_status
        )
    messages.success(request, _("Your vote is recorded."))
    return redirect("committee:item", pk=item.pk)


@role_required(*MEMBERS)
@require_POST
def item_conflict(request, pk: int):
    item = _item(pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _render_package(request, item, conflict_form=form, status=400)
    try:
        committee.conflict_declare(
            application_id=item.application_id,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except DomainError as error:
        message = _field_or_page(form, error)
        return _render_package(
            request, item, conflict_form=form, error=message, status=error.http_status
        )
    messages.success(request, _("Your conflict of interest is recorded; you will not vote."))
    return redirect("committee:item", pk=item.pk)


@role_required(*MEMBERS)
@require_POST
def item_decide(request, pk: int):
    item = _item(pk)
    form = DecisionForm(request.POST)
    if left := _left_committee(item):
        return _render_package(request, item, error=left, status=409)
    if not form.is_valid():
        return _render_package(request, item, decision_form=form, status=400)
    try:
        decision = committee.item_decide(
            item_id=item.pk,
            by=request.user,
            refusal_ground=form.cleaned_data["refusal_ground"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        message = _field_or_page(form, error)
        return _render_package(
            request, item, decision_form=form, error=message, status=error.http_status
        )
    if item.restructuring_id:  # the service answers with the request, decided
        messages.success(
            request,
            _("Decision on the change of terms %(number)s: %(outcome)s.")
            % {"number": decision.number, "outcome": decision.get_status_display()},
        )
    else:
        messages.success(
            request,
            _("Decision on application %(number)s: %(outcome)s.")
            % {"number": item.application.number, "outcome": decision.get_outcome_display()},
        )
    return redirect("committee:meeting", pk=item.meeting_id)
