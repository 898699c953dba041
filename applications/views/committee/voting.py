"""The member's actions on an agenda item: a vote, a declared conflict, the decision."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import agenda, committee
from applications.committee_forms import (
    ConflictForm,
    DecisionForm,
    VoteForm,
    form_field_for,
    show_domain_error,
)
from applications.roles import COMMITTEE_MEMBERS
from applications.views.committee.package import item_of, left_committee_reason, render_package
from core.errors import DomainError
from core.permissions import role_required


def _field_or_page(form, error: DomainError) -> str:
    """Put the error beside its field; one the form has no field for goes at the page's top."""
    if form_field_for(error) in form.fields:
        show_domain_error(form, error)
        return ""
    return error.message


@role_required(*COMMITTEE_MEMBERS)
@require_POST
def item_vote(request, pk: int):
    item = item_of(pk)
    form = VoteForm(request.POST)
    if refusal := committee.voting_refusal(item, request.user):
        return render_package(request, item, error=refusal, status=403)
    if left := left_committee_reason(item):
        return render_package(request, item, error=left, status=409)
    if not form.is_valid():
        return render_package(request, item, vote_form=form, status=400)
    try:
        committee.vote_cast(
            item_id=item.pk,
            choice=form.cleaned_data["choice"],
            comment=form.cleaned_data["comment"],
            by=request.user,
        )
    except DomainError as error:
        message = _field_or_page(form, error)
        return render_package(
            request, item, vote_form=form, error=message, status=error.http_status
        )
    messages.success(request, _("Your vote is recorded."))
    return redirect("committee:item", pk=item.pk)


@role_required(*COMMITTEE_MEMBERS)
@require_POST
def item_conflict(request, pk: int):
    item = item_of(pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return render_package(request, item, conflict_form=form, status=400)
    try:
        committee.conflict_declare(
            application_id=item.application_id,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except DomainError as error:
        message = _field_or_page(form, error)
        return render_package(
            request, item, conflict_form=form, error=message, status=error.http_status
        )
    messages.success(request, _("Your conflict of interest is recorded; you will not vote."))
    return redirect("committee:item", pk=item.pk)


@role_required(*COMMITTEE_MEMBERS)
@require_POST
def item_decide(request, pk: int):
    item = item_of(pk)
    form = DecisionForm(request.POST)
    if left := left_committee_reason(item):
        return render_package(request, item, error=left, status=409)
    if not form.is_valid():
        return render_package(request, item, decision_form=form, status=400)
    try:
        decision = committee.item_decide(
            item_id=item.pk,
            by=request.user,
            refusal_ground=form.cleaned_data["refusal_ground"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        message = _field_or_page(form, error)
        return render_package(
            request, item, decision_form=form, error=message, status=error.http_status
        )
    subject = agenda.subject_of(item)
    if subject is not None:  # the service answers with the subject's record, decided
        messages.success(request, subject.decided_message(decision))
    else:
        messages.success(
            request,
            _("Decision on application %(number)s: %(outcome)s.")
            % {"number": item.application.number, "outcome": decision.get_outcome_display()},
        )
    return redirect("committee:meeting", pk=item.meeting_id)
