"""Home-page work queues of the loan operations (``core.navigation.WORK_QUEUES``).

Each function takes the user and returns the top rows of its queue, with a link to the whole
list when there are more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.navigation import QueueRow
from loans.collection_views import late_loan
from loans.operations_views import draft_contracts
from loans.selectors import collection_queue, contracts_to_draw, disbursement_queue

HOME_QUEUE_ROWS = 10
MOST_LATE_ROWS = 20


def _date(value: date) -> str:
    return formats.date_format(value, "d.m.Y")


def _amount(value) -> str:
    return formats.number_format(value, 2, force_grouping=True)


def _top(queryset, limit: int, row: Callable, *, more: str, url: str) -> list[QueueRow]:
    """``limit`` rows, and a last row linking to the whole list when it is longer."""
    items = list(queryset[: limit + 1])
    rows = [row(item) for item in items[:limit]]
    if len(items) > limit:
        rows.append(QueueRow(label=more, url=url))
    return rows


# --- credit administrator ------------------------------------------------------------------


def contracts_to_prepare_rows(user) -> list[QueueRow]:
    """Accepted applications without a contract, the oldest acceptance first."""
    return _top(
        contracts_to_draw(),
        HOME_QUEUE_ROWS,
        lambda application: QueueRow(
            label=application.number,
            url=reverse("servicing:contract-create", args=[application.pk]),
            detail=_("%(borrower)s · %(amount)s KZT · accepted %(date)s")
            % {
                "borrower": application.applicant.name,
                "amount": _amount(application.decision.amount),
                "date": _date(timezone.localtime(application.stage_changed_at)),
            },
        ),
        more=_("All applications awaiting a contract"),
        url=reverse("servicing:contracts-to-draw"),
    )


def contracts_to_sign_rows(user) -> list[QueueRow]:
    """Draft contracts waiting for the signatures, the oldest first."""
    return _top(
        draft_contracts(),
        HOME_QUEUE_ROWS,
        lambda loan: QueueRow(
            label=loan.number,
            url=reverse("servicing:contract-sign", args=[loan.pk]),
            detail=_("%(borrower)s · %(amount)s KZT · drawn %(date)s")
            % {
                "borrower": loan.borrower.name,
                "amount": _amount(loan.amount),
                "date": _date(loan.contract_date),
            },
        ),
        more=_("All draft contracts"),
        url=reverse("servicing:contracts-to-draw"),
    )


def restructurings_to_sign_rows(user) -> list[QueueRow]:
    """Changes of terms the committee approved, waiting for the additional agreement."""
    from loans.models import Restructuring

    return _top(
        Restructuring.objects.filter(status=Restructuring.Status.APPROVED)
        .select_related("loan__borrower")
        .order_by("decided_at", "id"),
        HOME_QUEUE_ROWS,
        lambda change: QueueRow(
            label=change.number,
            url=reverse("loan-changes:restructuring-apply", args=[change.pk]),
            detail=_("%(borrower)s · contract %(number)s · approved %(date)s")
            % {
                "borrower": change.loan.borrower.name,
                "number": change.loan.number,
                "date": _date(timezone.localtime(change.decided_at)),
            },
        ),
        more=_("All approved changes of terms"),
        url=reverse("portfolio:list"),
    )


# --- accountant ------------------------------------------------------------------------------


def disbursement_rows(user) -> list[QueueRow]:
    """Signed contracts to pay out; one whose planned date has passed is flagged."""
    today = timezone.localdate()
    return _top(
        disbursement_queue(),
        HOME_QUEUE_ROWS,
        lambda loan: QueueRow(
            label=loan.number,
            url=reverse("servicing:disburse", args=[loan.pk]),
            detail=_("%(borrower)s · %(amount)s KZT · planned %(date)s")
            % {
                "borrower": loan.borrower.name,
                "amount": _amount(loan.amount),
                "date": _date(loan.planned_disbursement_date),
            },
            overdue=loan.planned_disbursement_date < today,
        ),
        more=_("All signed contracts"),
        url=reverse("servicing:disbursement-queue"),
    )


# --- collector -------------------------------------------------------------------------------


def _late_row(loan, today: date) -> QueueRow:
    row = late_loan(loan, today=today)
    return QueueRow(
        label=loan.number,
        url=reverse("servicing:contact-new", args=[loan.pk]),
        detail=ngettext(
            "%(borrower)s · %(days)s day past due · %(amount)s KZT overdue",
            "%(borrower)s · %(days)s days past due · %(amount)s KZT overdue",
            row.days_past_due,
        )
        % {
            "borrower": loan.borrower.name,
            "days": row.days_past_due,
            "amount": _amount(row.overdue),
        },
        overdue=row.promise_broken,
    )


def most_late_rows(user) -> list[QueueRow]:
    """The latest loans by days past due; a broken promise is flagged."""
    today = timezone.localdate()
    return _top(
        collection_queue(),
        MOST_LATE_ROWS,
        lambda loan: _late_row(loan, today),
        more=_("The whole collection queue"),
        url=reverse("servicing:collection-queue"),
    )


def promises_due_rows(user) -> list[QueueRow]:
    """Late loans whose borrower promised to pay today: check the money came in."""
    today = timezone.localdate()
    return _top(
        collection_queue().filter(promised_on=today),
        HOME_QUEUE_ROWS,
        lambda loan: _late_row(loan, today),
        more=_("The whole collection queue"),
        url=reverse("servicing:collection-queue"),
    )
