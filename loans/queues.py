"""Home-page work queues of the loan operations (``shell.navigation.WORK_QUEUES``).

Each function takes the user and returns the top rows of its queue, with a link to the whole
list when there are more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.branches import visible_applications
from core.navigation import QueueRow
from loans.branches import visible_by_loan, visible_loans
from loans.collection_views import late_loan
from loans.models import Installment, Loan
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
        visible_applications(user, contracts_to_draw()),
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
        visible_loans(user, draft_contracts()),
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
        visible_by_loan(user, Restructuring.objects.filter(status=Restructuring.Status.APPROVED))
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
        visible_loans(user, disbursement_queue()),
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


def payments_due_rows(user) -> list[QueueRow]:
    """Instalments falling due today or still within their grace days, not yet paid: the
    payments the accountant expects on today's statement."""
    today = timezone.localdate()
    lines = (
        Installment.objects.filter(
            version=F("loan__schedule_version"),
            due_date__lte=today,
            grace_date__gte=today,
            loan__status=Loan.Status.ACTIVE,
        )
        .exclude(status=Installment.Status.PAID)
        .select_related("loan__borrower")
        .order_by("due_date", "loan__number")
    )
    return _top(
        visible_by_loan(user, lines),
        HOME_QUEUE_ROWS,
        lambda line: QueueRow(
            label=line.loan.number,
            url=reverse("servicing:payment-new", args=[line.loan_id]),
            detail=_("%(borrower)s · instalment of %(amount)s KZT due %(date)s")
            % {
                "borrower": line.loan.borrower.name,
                "amount": _amount(line.total),
                "date": _date(line.due_date),
            },
        ),
        more=_("The whole portfolio"),
        url=reverse("portfolio:list"),
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
        visible_loans(user, collection_queue()),
        MOST_LATE_ROWS,
        lambda loan: _late_row(loan, today),
        more=_("The whole collection queue"),
        url=reverse("servicing:collection-queue"),
    )


def promises_due_rows(user) -> list[QueueRow]:
    """Late loans whose borrower promised to pay today: check the money came in."""
    today = timezone.localdate()
    return _top(
        visible_loans(user, collection_queue()).filter(promised_on=today),
        HOME_QUEUE_ROWS,
        lambda loan: _late_row(loan, today),
        more=_("The whole collection queue"),
        url=reverse("servicing:collection-queue"),
    )
