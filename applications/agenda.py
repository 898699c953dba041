"""The committee's agenda: the subjects it votes on besides an application's credit decision,
and the public API with which an app above puts them on a meeting's agenda.

Every agenda item belongs to an application (the borrower, the credit file); a credit decision
is the committee's own subject. Another kind of matter (a change of a loan's terms,
``loans.committee``) registers an :class:`AgendaSubject` in its app's ``ready()``: it claims
its items and answers for them (whether decided, who may not vote, how the outcome is
recorded, what its pages show). The committee's rules call the subject, never its app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from applications.models import AgendaItem, Application, Meeting
from core.errors import ConflictError


@dataclass(frozen=True)
class AgendaSubject:
    """A kind of matter the committee votes on, other than an application's credit decision."""

    kind: str
    items: Q  # the agenda items of this kind
    pending: Q  # of those, the ones still before the committee
    owns: Callable[[AgendaItem], bool]
    label: Callable[[AgendaItem], str]  # its number in the queues and the minutes
    is_decided: Callable[[AgendaItem], bool]
    # why a member may not vote on it beyond the committee's own rules (four eyes), or None
    voting_refusal: Callable[[AgendaItem, Any], str | None]
    # records the vote: decide(item=, counts=, approved=, by=, comment=), in item_decide's lock
    decide: Callable[..., Any]
    decided_message: Callable[[Any], str]  # what the page says of decide()'s answer
    package: Callable[[AgendaItem], dict]  # the item's package page: what to show of it
    minutes_decision: Callable[[AgendaItem], Any]  # its decision line in the minutes, or None
    waiting: Callable[[Any], dict]  # the meeting page of a scheduler: what waits for an agenda
    related: tuple[str, ...] = field(default=())  # select_related paths its callables read
    # the fragments its items show on the committee's pages, by slot: row_attributes,
    # meeting_number, meeting_outcome (the meeting's agenda), agenda_number (my agenda),
    # package_title, package_decision, package_summary, package_refusal_note,
    # package_decide_form, package_plan (the credit package)
    templates: Mapping[str, str] = field(default_factory=dict)


_SUBJECTS: dict[str, AgendaSubject] = {}


def register_subject(subject: AgendaSubject) -> None:
    _SUBJECTS[subject.kind] = subject


def subjects() -> tuple[AgendaSubject, ...]:
    return tuple(_SUBJECTS.values())


def subject_of(item: AgendaItem) -> AgendaSubject | None:
    """The registered subject the item is of; None for an application's credit decision."""
    return next((subject for subject in _SUBJECTS.values() if subject.owns(item)), None)


def _any(conditions) -> Q:
    combined = Q(pk__in=[])  # no subject: no item
    for condition in conditions:
        combined |= condition
    return combined


def subject_items() -> Q:
    """The items of any registered subject (the rest are credit decisions)."""
    return _any(subject.items for subject in _SUBJECTS.values())


def pending_subject_items() -> Q:
    """The items of any registered subject still before the committee."""
    return _any(subject.pending for subject in _SUBJECTS.values())


def related_paths() -> tuple[str, ...]:
    return tuple(path for subject in _SUBJECTS.values() for path in subject.related)


def waiting_context(user) -> dict:
    """What the subjects show a scheduler on a meeting's page: their requests to schedule."""
    context: dict = {}
    for subject in _SUBJECTS.values():
        context.update(subject.waiting(user))
    return context


def lock_meeting(meeting_id: int) -> Meeting:
    """Hold an open meeting until commit; a closed one takes no change."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    if meeting.status == Meeting.Status.CLOSED:
        raise ConflictError(_("The meeting is closed."), field="meeting")
    return meeting


def agenda_item_add(
    *,
    meeting: Meeting,
    application: Application,
    amount: Decimal,
    term_months: int,
    rate: Decimal,
    method: str,
    grace_months: int = 0,
    **subject: Any,
) -> AgendaItem:
    """Append an item to the agenda of a meeting held by :func:`lock_meeting`. ``subject``:
    the link of a registered subject kind to its matter; none for a credit decision."""
    return AgendaItem.objects.create(
        meeting=meeting,
        application=application,
        position=meeting.items.count() + 1,
        amount=amount,
        term_months=term_months,
        rate=rate,
        method=method,
        grace_months=grace_months,
        **subject,
    )
