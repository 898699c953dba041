"""The items whose inspection is overdue: the monitoring manager's queue on the home page
(``shell.navigation``) and the inspection queue page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collateral.models import CollateralItem
from collateral.selectors import inspection_queue
from core.navigation import QueueRow

HOME_QUEUE_ROWS = 10


@dataclass(frozen=True)
class QueueEntry:
    item: CollateralItem
    due: date
    days_overdue: int
    last_inspected_on: date | None


def inspections_due(user) -> list[QueueEntry]:
    """The selector's overdue items, most overdue first, with what the page shows of them."""
    overdue = inspection_queue(as_of=timezone.localdate(), user=user)
    items = (
        CollateralItem.objects.select_related("application__applicant")
        .annotate(last_inspected_on=Max("inspections__inspected_on"))
        .in_bulk([row.item_id for row in overdue])
    )
    return [
        QueueEntry(
            items[row.item_id], row.due, row.days_overdue, items[row.item_id].last_inspected_on
        )
        for row in overdue
        if row.item_id in items
    ]


def home_inspection_rows(user) -> list[QueueRow]:
    """The monitoring manager's queue on the home page (``shell.navigation.WORK_QUEUES``)."""
    rows = inspections_due(user)
    shown = [
        QueueRow(
            label=row.item.application.number,
            url=reverse("collateral:inspection-create", args=[row.item.pk]),
            detail=ngettext(
                "%(item)s · %(borrower)s · due %(due)s, %(days)s day overdue",
                "%(item)s · %(borrower)s · due %(due)s, %(days)s days overdue",
                row.days_overdue,
            )
            % {
                "item": str(row.item),
                "borrower": row.item.application.applicant.name,
                "due": row.due.strftime("%d.%m.%Y"),
                "days": row.days_overdue,
            },
            overdue=True,
        )
        for row in rows[:HOME_QUEUE_ROWS]
    ]
    if len(rows) > HOME_QUEUE_ROWS:
        shown.append(
            QueueRow(
                label=_("All %(count)s items due") % {"count": len(rows)},
                url=reverse("collateral:inspection-queue"),
            )
        )
    return shown
