"""The home page's work queues of applications and the committee (``shell.navigation``): the
credit administrator's open applications, the committee member's agenda still to vote on."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications import agenda, committee
from applications.branches import visible_applications
from applications.models import AgendaItem, Application, Vote
from applications.selectors import committee_agenda, credit_administrator_queue, stage_overdue
from core.navigation import QueueRow

HOME_QUEUE_ROWS = 10


def administrator_queue(user) -> list[tuple[Application, bool]]:
    """Open applications of the user with their overdue flag: overdue stages first, then the
    longest waiting (the selector's order, kept by the stable sort)."""
    now = timezone.now()
    mine = visible_applications(user, credit_administrator_queue(user))
    marked = [(a, stage_overdue(a, now=now)) for a in mine]
    return sorted(marked, key=lambda pair: not pair[1])


def home_queue_rows(user) -> list[QueueRow]:
    """The top of the queue for the home page (``shell.navigation.WORK_QUEUES``)."""
    rows = administrator_queue(user)
    shown = [
        QueueRow(
            label=application.number,
            url=reverse("applications:application-detail", args=[application.pk]),
            detail=_("%(applicant)s · %(stage)s since %(date)s")
            % {
                "applicant": application.applicant.name,
                "stage": application.get_stage_display(),
                "date": formats.date_format(
                    timezone.localtime(application.stage_changed_at), "d.m.Y"
                ),
            },
            overdue=overdue,
        )
        for application, overdue in rows[:HOME_QUEUE_ROWS]
    ]
    if len(rows) > HOME_QUEUE_ROWS:
        shown.append(
            QueueRow(
                label=_("All %(count)s applications") % {"count": len(rows)},
                url=reverse("applications:queue"),
            )
        )
    return shown


def undecided_agenda(user) -> list[AgendaItem]:
    """The user's agenda still to decide: ``committee_agenda`` knows decided applications only;
    another subject (a change of terms) is decided on its own record."""
    items = committee_agenda(user).select_related(*agenda.related_paths())
    return [item for item in items if not committee.is_decided(item)]


def home_agenda_rows(user) -> list[QueueRow]:
    """The committee member's work queue on the home page: the items still waiting for them."""
    items = undecided_agenda(user)
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
        subject = agenda.subject_of(item)
        rows.append(
            QueueRow(
                label=subject.label(item) if subject else item.application.number,
                url=reverse("committee:item", args=[item.pk]),
                detail=f"{item.application.applicant.name} · {item.meeting.number}, "
                f"{item.meeting.held_on:%d.%m.%Y} · {state}",
                overdue=item.meeting.held_on < today and item.pk not in voted and not refusal,
            )
        )
    return rows
