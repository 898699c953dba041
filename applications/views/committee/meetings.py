"""The committee's meetings: the list, scheduling one, its agenda, closing it, its minutes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import agenda, committee, documents
from applications.agenda import AgendaSubject
from applications.branches import visible_applications
from applications.committee_forms import AgendaItemForm, MeetingForm, show_domain_error
from applications.models import AgendaItem, Application, Decision, Meeting, Stage
from applications.roles import AGENDA_SCHEDULERS, COMMITTEE_MEMBERS, COMMITTEE_READERS
from applications.selectors import application_list
from applications.services import lending_policy
from applications.views.committee.common import TEMPLATES, counts_of
from core.audit import audit
from core.errors import DomainError
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import has_role
from core.throttling import heavy_page
from lending.selectors import product_limits


@role_required(*COMMITTEE_READERS)
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
            "may_schedule": has_role(request.user, AGENDA_SCHEDULERS),
            "minutes_languages": documents.MINUTES_LANGUAGES,
        },
    )


@role_required(*AGENDA_SCHEDULERS)
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
    decided: bool  # another subject (a change of terms) is decided without a Decision row
    subject: AgendaSubject | None = None  # None: the application's credit decision


@role_required(*COMMITTEE_READERS)
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.select_related("created_by"), pk=pk)
    user = request.user
    rows = []
    items = meeting.items.select_related(
        "application__applicant", "application__product", "decision", *agenda.related_paths()
    ).order_by("position")
    for item in items:
        decision = getattr(item, "decision", None)
        applicant = item.application.applicant
        rows.append(
            AgendaRow(
                item=item,
                identifier=identifier_for(user, applicant.iin or applicant.bin),
                counts=counts_of(item, decision),
                decision=decision,
                decided=committee.is_decided(item),
                subject=agenda.subject_of(item),
            )
        )
    is_open = meeting.status == Meeting.Status.SCHEDULED
    may_schedule = is_open and has_role(user, AGENDA_SCHEDULERS)
    is_member = has_role(user, COMMITTEE_MEMBERS) and meeting.members.filter(pk=user.pk).exists()
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
            "may_open_packages": has_role(user, COMMITTEE_MEMBERS),
            "may_close": is_open and is_member and all(row.decided for row in rows),
            "waiting": waiting,
            "minutes_languages": documents.MINUTES_LANGUAGES,
            # what the other subjects have waiting for an agenda (e.g. changes of terms)
            **(agenda.waiting_context(user) if may_schedule else {}),
        },
    )


@role_required(*AGENDA_SCHEDULERS)
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


@role_required(*COMMITTEE_MEMBERS)
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


@role_required(*COMMITTEE_READERS)
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
