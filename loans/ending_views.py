"""Browser pages for how a loan ends: demands for early repayment, write-off, closure by hand,
refunds of held money, the write-offs report (DOMAIN.md §8, §9, §11); and the loan page's
part about the loan's changes and end: payoff, versions, requests, demands, banners, actions.

The same shape as ``loans.changes_views``: the loan's state is checked first (409 with the
reason), then one service call per POST whose refusal is shown beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.roles import AGENDA_SCHEDULERS as AGENDA_ROLES
from applications.roles import COMMITTEE_READERS
from core.errors import DomainError
from core.money import ZERO
from core.permissions import role_required
from core.roles import Role, has_role
from loans import services
from loans.branches import visible_by_loan
from loans.changes_views import (
    ACTIVE,
    SERVICED,
    back_to_loan,
    open_loan,
    refused,
    show_error,
    state_refusal,
    status_of,
    url_or_blank,
)
from loans.forms_changes import (
    AccelerationForm,
    CloseForm,
    MisuseForm,
    PayoffForm,
    RefundForm,
    WriteOffForm,
)
from loans.models import Loan, Restructuring, ScheduleVersion
from loans.payout_display import payout_context
from loans.roles import (
    CLOSURE_ROLES,
    DEMAND_ROLES,
    PREPAYMENT_ROLES,
    REFUND_ROLES,
    RESTRUCTURING_ROLES,
    WRITE_OFF_ROLES,
)
from loans.selectors import (
    latest_snapshot,
    loan_position,
    schedule_versions,
    write_offs,
)

DOCUMENT_LANGUAGES = ("kk", "ru")
# Versions that an additional agreement documents.
AGREED_REASONS = {ScheduleVersion.Reason.PARTIAL_PREPAYMENT, ScheduleVersion.Reason.RESTRUCTURING}
REPORT_ROLES = (Role.RISK_MANAGER, Role.ACCOUNTANT, Role.ADMINISTRATOR)
PAGE_SIZE = 50


def _form_page(request, loan: Loan, form, *, template: str, service, success, anchor, **extra):
    """The usual change page: on a valid POST call ``service``; done, back to the loan page."""
    if request.method == "POST" and form.is_valid():
        try:
            result = service(loan_id=loan.pk, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, success(result))
            return back_to_loan(loan, anchor)
    context = {"form": form, "loan": loan, "position": loan_position(loan), **extra}
    return render(request, template, context, status=status_of(form))


# --- demands -------------------------------------------------------------------------------


def _demand_issued(demand) -> str:
    return _("Demand %(number)s is issued; the borrower is to pay by %(date)s.") % {
        "number": demand.number,
        "date": f"{demand.pay_by:%d.%m.%Y}",
    }


@role_required(*DEMAND_ROLES)
def demand_acceleration(request, pk: int):
    loan = open_loan(pk)
    if reason := state_refusal(loan, *SERVICED):
        return refused(request, loan, reason)
    return _form_page(
        request,
        loan,
        AccelerationForm(request.POST or None),
        template="loans/changes/acceleration_form.html",
        service=services.demand_acceleration,
        success=_demand_issued,
        anchor="demands",
        snapshot=latest_snapshot(loan),
    )


@role_required(*DEMAND_ROLES)
def demand_misuse(request, pk: int):
    loan = open_loan(pk)
    if reason := state_refusal(loan, *ACTIVE):
        return refused(request, loan, reason)
    return _form_page(
        request,
        loan,
        MisuseForm(request.POST or None),
        template="loans/changes/misuse_form.html",
        service=services.demand_misuse,
        success=_demand_issued,
        anchor="demands",
    )


# --- write-off, closure, refund ------------------------------------------------------------


@role_required(*WRITE_OFF_ROLES)
def write_off_new(request, pk: int):
    loan = open_loan(pk)
    if reason := state_refusal(loan, *ACTIVE):
        return refused(request, loan, reason)
    return _form_page(
        request,
        loan,
        WriteOffForm(request.POST or None),
        template="loans/changes/write_off_form.html",
        service=services.loan_write_off,
        success=lambda write_off: (
            _("Contract %(number)s is written off the balance sheet on %(date)s; the debt stays.")
            % {"number": loan.number, "date": f"{write_off.on:%d.%m.%Y}"}
        ),
        anchor="write-off",
        snapshot=latest_snapshot(loan),
    )


@role_required(*CLOSURE_ROLES)
def loan_close(request, pk: int):
    loan = open_loan(pk)
    if reason := state_refusal(loan, *SERVICED):
        return refused(request, loan, reason)
    return _form_page(
        request,
        loan,
        CloseForm(request.POST or None),
        template="loans/changes/close_form.html",
        service=services.loan_close,
        success=lambda closed: (
            _("Contract %(number)s is closed; its file is archived.") % {"number": closed.number}
        ),
        anchor="terms",
    )


@role_required(*REFUND_ROLES)
def refund_new(request, pk: int):
    loan = open_loan(pk)
    if loan.status != Loan.Status.CLOSED:
        return refused(
            request,
            loan,
            _(
                "Held money of a loan being repaid goes to its next instalment; refunds are "
                "for closed loans."
            ),
        )
    return _form_page(
        request,
        loan,
        RefundForm(request.POST or None),
        template="loans/changes/refund_form.html",
        service=services.overpayment_refund,
        success=lambda refund: (
            _("%(amount)s KZT is refunded to the borrower's account.") % {"amount": refund.amount}
        ),
        anchor="refunds",
        payout=payout_context(loan, request.user),
    )


# --- the report ----------------------------------------------------------------------------


@role_required(*REPORT_ROLES)
def write_off_report(request):
    rows = visible_by_loan(request.user, write_offs())
    totals = rows.aggregate(
        count=Count("pk"),
        principal=Sum("principal"),
        interest=Sum("interest"),
        penalty=Sum("penalty"),
    )
    for name in ("principal", "interest", "penalty"):
        totals[name] = totals[name] or ZERO
    # the recoveries are a subquery per loan, which SUM() over the annotation cannot reach
    totals["recovered"] = sum(rows.values_list("recovered", flat=True), ZERO)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/changes/write_off_report.html",
        {
            "page": page,
            "rows": [
                {"write_off": row, "loan_url": url_or_blank("portfolio:loan", row.loan_id)}
                for row in page
            ],
            "totals": totals,
        },
    )


# --- the loan page's part ------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeAction:
    """A button on the loan page for a change: for some roles, in some states, maybe if."""

    label: str
    url_name: str
    roles: frozenset[Role]
    statuses: tuple[str, ...]
    when: Callable[[Loan, dict], bool] = lambda loan, facts: True


# The pages check for themselves; these only hide buttons. A closed loan has none.
CHANGE_ACTIONS: tuple[ChangeAction, ...] = (
    ChangeAction(
        gettext_lazy("Partial prepayment"), "loan-changes:prepayment", PREPAYMENT_ROLES, ACTIVE
    ),
    ChangeAction(
        gettext_lazy("Request a change of terms"),
        "loan-changes:restructuring-new",
        RESTRUCTURING_ROLES,
        ACTIVE,
    ),
    ChangeAction(
        gettext_lazy("Demand early repayment"),
        "loan-changes:demand-acceleration",
        DEMAND_ROLES,
        SERVICED,
        lambda loan, facts: loan.acceleration_flagged_on is not None,  # more than 40 days late
    ),
    ChangeAction(
        gettext_lazy("Demand for misuse"), "loan-changes:demand-misuse", DEMAND_ROLES, ACTIVE
    ),
    ChangeAction(gettext_lazy("Write off"), "loan-changes:write-off", WRITE_OFF_ROLES, ACTIVE),
    ChangeAction(
        gettext_lazy("Close the loan"),
        "loan-changes:close",
        CLOSURE_ROLES,
        SERVICED,
        lambda loan, facts: not facts["owed"],
    ),
)


def _payoff(request, loan: Loan) -> dict | None:
    """The payoff quote for the date the user chose (today by default)."""
    if loan.status not in SERVICED:
        return None
    form = PayoffForm(request.GET if "payoff-on" in request.GET else None)
    on = form.cleaned_data["on"] if form.is_valid() else timezone.localdate()
    quote = None
    if not form.errors:
        try:
            quote = services.payoff_quote_on(loan_id=loan.pk, on=on)
        except DomainError as error:
            if not form.is_bound:
                form = PayoffForm({"payoff-on": on.isoformat()})
                form.is_valid()
            show_error(form, error)
    statements = []
    for language in DOCUMENT_LANGUAGES:
        if url := url_or_blank("loan-documents:payoff", loan.pk, language):
            statements.append((language, f"{url}?on={on.isoformat()}"))
    return {"form": form, "on": on, "quote": quote, "statements": statements if quote else []}


def _versions(loan: Loan) -> list[dict]:
    return [
        {
            "version": version,
            "url": reverse("loan-changes:version", args=[loan.pk, version.version]),
            "agreements": [
                (language, url)
                for language in DOCUMENT_LANGUAGES
                if version.reason in AGREED_REASONS
                and (
                    url := url_or_blank(
                        "loan-documents:agreement", loan.pk, version.version, language
                    )
                )
            ],
        }
        for version in schedule_versions(loan)
    ]


def _restructurings(loan: Loan, user) -> list[dict]:
    may_schedule = loan.status == Loan.Status.ACTIVE and has_role(user, AGENDA_ROLES)
    may_sign = loan.status == Loan.Status.ACTIVE and has_role(user, RESTRUCTURING_ROLES)
    may_see_meeting = has_role(user, COMMITTEE_READERS)
    rows = []
    for request in loan.restructurings.prefetch_related("agenda_items__meeting").order_by("id"):
        items = list(request.agenda_items.all())
        rows.append(
            {
                "request": request,
                "meeting": items[-1].meeting if items else None,
                "meeting_url": reverse("committee:meeting", args=[items[-1].meeting_id])
                if items and may_see_meeting
                else "",
                "agenda_url": reverse("loan-changes:restructuring-agenda", args=[request.pk])
                if may_schedule and request.status == Restructuring.Status.REQUESTED
                else "",
                "sign_url": reverse("loan-changes:restructuring-apply", args=[request.pk])
                if may_sign and request.status == Restructuring.Status.APPROVED
                else "",
            }
        )
    return rows


def _demands(loan: Loan) -> list[dict]:
    return [
        {
            "demand": demand,
            "letters": [
                (language, url)
                for language in DOCUMENT_LANGUAGES
                if (url := url_or_blank("loan-documents:demand", demand.pk, language))
            ],
        }
        for demand in loan.demands.select_related("issued_by").order_by("-issued_on", "-id")
    ]


def loan_changes(request, loan: Loan) -> dict:
    """What the loan page shows of the loan's changes and its end, and the changes it offers."""
    user = request.user
    position = loan_position(loan)
    owed = bool(position.principal or position.interest or position.penalty)
    facts = {"owed": owed}
    actions = [
        (action.label, url)
        for action in CHANGE_ACTIONS
        if loan.status in action.statuses
        and has_role(user, action.roles)
        and action.when(loan, facts)
        and (url := url_or_blank(action.url_name, loan.pk))
    ]
    held = max(position.held, 0)
    may_refund = loan.status == Loan.Status.CLOSED and held > 0 and has_role(user, REFUND_ROLES)
    return {
        "actions": actions,
        "payoff": _payoff(request, loan),
        "versions": _versions(loan),
        "restructurings": _restructurings(loan, user),
        "demands": _demands(loan),
        "write_off": write_offs().filter(loan=loan).first(),
        "refunds": loan.refunds.select_related("recorded_by").order_by("-on", "-id"),
        "held": held,
        "refund_url": reverse("loan-changes:refund", args=[loan.pk]) if may_refund else "",
        "is_closed": loan.status == Loan.Status.CLOSED,
        "is_written_off": loan.status == Loan.Status.WRITTEN_OFF,
    }
