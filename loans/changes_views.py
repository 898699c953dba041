"""Browser pages for changes to a disbursed loan: partial prepayment, the change of terms through
the committee, and the schedule versions (DOMAIN.md §7, §9).

One service call per POST; a refusal re-renders the form with the reason beside its field and
nothing written. A change the loan's state does not allow (a closed loan is read-only) is
answered 409 with the reason, before any form is shown. Demands, write-off, closure, refunds
and the loan page's part are in ``loans.ending_views``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.roles import AGENDA_SCHEDULERS as AGENDA_ROLES
from core.errors import ConflictError, DomainError
from core.forms import add_domain_error
from core.permissions import role_required
from lending.models import RepaymentMethod
from loans import services
from loans.forms_changes import (
    AgendaForm,
    PrepaymentForm,
    RestructuringApplyForm,
    RestructuringRequestForm,
)
from loans.guards import require_status
from loans.models import Loan, Restructuring, ScheduleVersion
from loans.operations_views import loan_page_url
from loans.roles import PREPAYMENT_ROLES, QUOTE_ROLES, RESTRUCTURING_ROLES
from loans.selectors import loan_list, schedule_versions, version_lines

# The services name a few fields otherwise than these forms.
SERVICE_FIELDS = {"value_date": "on", "misused": "misused_amount"}
ACTIVE = (Loan.Status.ACTIVE,)
SERVICED = (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF)


# --- shared by the change pages ----------------------------------------------------------------


def url_or_blank(name: str, *args) -> str:
    """A page another part of the project may not have built yet (the PDFs): "" if not."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def status_of(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def show_error(form, error: DomainError) -> None:
    """The service's refusal beside its field (named as the form names it), else on top."""
    field = SERVICE_FIELDS.get(error.field or "", error.field)
    add_domain_error(form, DomainError(error.message, field=field, code=error.code))


def open_loan(pk: int) -> Loan:
    return get_object_or_404(loan_list().select_related("application"), pk=pk)


def state_refusal(loan: Loan, *statuses: str) -> str:
    """Why the loan's state does not allow the change ("" when it does), in the services' words."""
    try:
        require_status(loan, *statuses)
    except ConflictError as error:
        return error.message
    return ""


def refused(request, loan: Loan, reason: str):
    """A change the loan's state does not allow: nothing is shown to fill in (409)."""
    return render(
        request,
        "loans/changes/refused.html",
        {"loan": loan, "reason": reason, "loan_url": loan_page_url(loan.pk, fallback="")},
        status=409,
    )


def back_to_loan(loan: Loan, anchor: str):
    return redirect(f"{loan_page_url(loan.pk, fallback=reverse('portfolio:list'))}#{anchor}")


# --- partial prepayment --------------------------------------------------------------------


def _fingerprint(loan: Loan, data: dict) -> str:
    """The request a token was first used for: the same token with other data is refused."""
    names = ("amount", "on", "mode", "channel", "application_number", "applied_on", "reference")
    parts = [loan.pk, *(data[name] for name in names)]
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _bound_prepayment_form(data) -> PrepaymentForm:
    """Without a valid one-time token the form is not posted: it goes back with a fresh one."""
    try:
        uuid.UUID(str(data.get("token", "")))
    except ValueError:
        data = data.copy()
        data["token"] = str(uuid.uuid4())
        form = PrepaymentForm(data)
        form.is_valid()
        form.add_error(None, _("The form has expired; check the figures and submit it again."))
        return form
    return PrepaymentForm(data)


def _post_prepayment(request, loan: Loan, form: PrepaymentForm):
    data = form.cleaned_data
    try:
        prepayment, created = services.prepayment_post(
            loan_id=loan.pk,
            amount=data["amount"],
            on=data["on"],
            mode=data["mode"],
            channel=data["channel"],
            applied_on=data["applied_on"],
            application_number=data["application_number"],
            reference=data["reference"],
            payer=loan.borrower.name,
            idempotency_key=str(data["token"]),
            fingerprint=_fingerprint(loan, data),
            by=request.user,
        )
    except DomainError as error:
        show_error(form, error)
        return None
    if created:
        messages.success(
            request,
            _("The prepayment is posted; schedule version %(version)s runs from %(date)s.")
            % {"version": prepayment.version.version, "date": f"{prepayment.on:%d.%m.%Y}"},
        )
    else:
        messages.info(request, _("This form was already submitted; the prepayment is posted once."))
    return back_to_loan(loan, "versions")


@role_required(*PREPAYMENT_ROLES)
def prepayment_new(request, pk: int):
    loan = open_loan(pk)
    plan = None
    if request.method == "POST":
        form = _bound_prepayment_form(request.POST)
        if reason := state_refusal(loan, *ACTIVE):
            return refused(request, loan, reason)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == PrepaymentForm.POST:
                if response := _post_prepayment(request, loan, form):
                    return response
            else:
                try:
                    plan = services.prepayment_preview(
                        loan_id=loan.pk, amount=data["amount"], on=data["on"], mode=data["mode"]
                    )
                except DomainError as error:
                    show_error(form, error)
    else:
        if reason := state_refusal(loan, *ACTIVE):
            return refused(request, loan, reason)
        form = PrepaymentForm(initial={"token": uuid.uuid4()})
    return render(
        request,
        "loans/changes/prepayment_form.html",
        {"form": form, "loan": loan, "plan": plan},
        status=status_of(form),
    )


# --- change of terms -----------------------------------------------------------------------


@role_required(*RESTRUCTURING_ROLES)
def restructuring_new(request, pk: int):
    loan = open_loan(pk)
    if reason := state_refusal(loan, *ACTIVE):
        return refused(request, loan, reason)
    form = RestructuringRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.restructuring_request(
                loan_id=loan.pk, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("Request %(number)s is registered; put it on a committee meeting's agenda.")
                % {"number": change.number},
            )
            return back_to_loan(loan, "restructurings")
    return render(
        request,
        "loans/changes/restructuring_form.html",
        {"form": form, "loan": loan},
        status=status_of(form),
    )


def _open_request(pk: int) -> Restructuring:
    return get_object_or_404(
        Restructuring.objects.select_related("loan__borrower", "loan__product"), pk=pk
    )


def _request_refusal(change: Restructuring, status: str) -> str:
    if reason := state_refusal(change.loan, *ACTIVE):
        return reason
    if change.status != status:
        return _("The request is “%(status)s”; this step does not apply to it.") % {
            "status": change.get_status_display()
        }
    return ""


@role_required(*AGENDA_ROLES)
def restructuring_agenda(request, pk: int):
    change = _open_request(pk)
    loan = change.loan
    if reason := _request_refusal(change, Restructuring.Status.REQUESTED):
        return refused(request, loan, reason)
    initial = {"meeting": request.GET.get("meeting")} if request.GET.get("meeting") else None
    form = AgendaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = form.cleaned_data["meeting"]
        try:
            item = services.restructuring_agenda_add(
                meeting_id=meeting.pk, restructuring_id=change.pk, by=request.user
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("Request %(number)s is item %(position)s of meeting %(meeting)s.")
                % {"number": change.number, "position": item.position, "meeting": meeting.number},
            )
            return redirect("committee:meeting", pk=meeting.pk)
    return render(
        request,
        "loans/changes/agenda_form.html",
        {"form": form, "loan": loan, "change": change},
        status=status_of(form),
    )


@role_required(*RESTRUCTURING_ROLES)
def restructuring_apply(request, pk: int):
    """The additional agreement: the new schedule is previewed for the date, then signed."""
    change = _open_request(pk)
    loan = change.loan
    if reason := _request_refusal(change, Restructuring.Status.APPROVED):
        return refused(request, loan, reason)
    data = request.POST if request.method == "POST" else {"on": timezone.localdate()}
    form = RestructuringApplyForm(data)
    plan = None
    if form.is_valid():
        on: date = form.cleaned_data["on"]
        if request.POST.get("action") == RestructuringApplyForm.APPLY:
            try:
                services.restructuring_apply(restructuring_id=change.pk, on=on, by=request.user)
            except DomainError as error:
                show_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The additional agreement to %(number)s is signed; the new schedule runs "
                        "from %(date)s."
                    )
                    % {"number": change.number, "date": f"{on:%d.%m.%Y}"},
                )
                return back_to_loan(loan, "versions")
        try:
            plan = services.restructuring_preview(restructuring_id=change.pk, on=on)
        except DomainError as error:
            if not form.errors:
                show_error(form, error)
    return render(
        request,
        "loans/changes/restructuring_apply.html",
        {
            "form": form,
            "loan": loan,
            "change": change,
            "plan": plan,
            "method_label": RepaymentMethod(plan.method).label if plan else "",
        },
        status=status_of(form) if request.method == "POST" else 200,
    )


# --- schedule versions ---------------------------------------------------------------------


@role_required(*QUOTE_ROLES)
def version_detail(request, pk: int, version: int):
    loan = open_loan(pk)
    try:
        schedule = schedule_versions(loan).get(version=version)
    except ScheduleVersion.DoesNotExist as exc:
        raise Http404 from exc
    lines = list(version_lines(loan, version))
    return render(
        request,
        "loans/changes/version.html",
        {
            "loan": loan,
            "schedule": schedule,
            "lines": [(line, index < schedule.history_lines) for index, line in enumerate(lines)],
            "versions": schedule_versions(loan),
            "loan_url": loan_page_url(loan.pk, fallback=""),
        },
    )
