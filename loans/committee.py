"""A change of a loan's terms before the credit committee (DOMAIN.md §9): the subject loans
registers on the committee's agenda (``applications.agenda``) in ``LoansConfig.ready()``.

The request is voted like an application (``applications.committee``); its item links to the
request (``AgendaItem.restructuring``), and only the decision and its effect are the loan's.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.agenda import AgendaSubject
from applications.documents import DecisionLine, person, terms_of
from applications.models import AgendaItem, Decision
from core.errors import DomainError
from loans.branches import visible_by_loan
from loans.models import Loan, Restructuring
from loans.services.restructuring import restructuring_decide, restructuring_preview


def _owns(item: AgendaItem) -> bool:
    return item.restructuring_id is not None


def _number(item: AgendaItem) -> str:
    return item.restructuring.number


def _is_decided(item: AgendaItem) -> bool:
    return item.restructuring.status != Restructuring.Status.ON_AGENDA


def _voting_refusal(item: AgendaItem, member) -> str | None:
    if item.restructuring.registered_by_id == member.pk:
        return _("You registered this request and may not vote on it.")
    return None


def _decided_message(request: Restructuring) -> str:
    """``restructuring_decide`` answers with the request, decided."""
    return _("Decision on the change of terms %(number)s: %(outcome)s.") % {
        "number": request.number,
        "outcome": request.get_status_display(),
    }


def _plan(item: AgendaItem) -> tuple[object | None, str]:
    """The loan's new schedule on the requested terms, as if signed today."""
    if item.restructuring.loan.status != Loan.Status.ACTIVE:
        return None, ""
    try:
        return restructuring_preview(
            restructuring_id=item.restructuring_id, on=timezone.localdate()
        ), ""
    except DomainError as error:
        return None, error.message


def _package(item: AgendaItem) -> dict:
    plan, schedule_error = _plan(item)
    return {"restructuring": item.restructuring, "plan": plan, "schedule_error": schedule_error}


def _minutes_decision(item: AgendaItem) -> DecisionLine | None:
    """A change of terms is decided on its request, not by a ``Decision``."""
    request = item.restructuring
    if request.decided_at is None:
        return None
    approved = request.status != request.Status.REFUSED
    outcome = Decision.Outcome.APPROVED if approved else Decision.Outcome.REFUSED
    return DecisionLine(
        outcome=outcome,
        outcome_label=outcome.label,
        terms=terms_of(item) if approved else None,
        refusal_ground=None,
        comment=request.decision_comment,
        recorded_by=person(request.decided_by),
    )


def _waiting(user) -> dict:
    """Requests to change a loan's terms not yet on an agenda (``loans.changes_views``)."""
    requests = visible_by_loan(
        user, Restructuring.objects.filter(status=Restructuring.Status.REQUESTED)
    )
    return {
        "waiting_changes": [
            {
                "request": request,
                "url": reverse("loan-changes:restructuring-agenda", args=[request.pk]),
            }
            for request in requests.select_related("loan__borrower").order_by("requested_on", "id")
        ]
    }


RESTRUCTURING = AgendaSubject(
    kind="restructuring",
    items=Q(restructuring__isnull=False),
    pending=Q(restructuring__status=Restructuring.Status.ON_AGENDA),
    owns=_owns,
    label=_number,
    is_decided=_is_decided,
    voting_refusal=_voting_refusal,
    decide=restructuring_decide,
    decided_message=_decided_message,
    package=_package,
    minutes_decision=_minutes_decision,
    waiting=_waiting,
    related=("restructuring__loan", "restructuring__decided_by"),
    templates={
        slot: f"loans/committee/_{slot}.html"
        for slot in (
            "row_attributes",
            "meeting_number",
            "meeting_outcome",
            "agenda_number",
            "package_title",
            "package_decision",
            "package_summary",
            "package_refusal_note",
            "package_decide_form",
            "package_plan",
        )
    },
)
