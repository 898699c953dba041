"""The risk manager's k1 pages (DOMAIN.md §11; seed 001): the dashboard, runs, plans, notices.

Every write goes through ``prudential.services``; a refusal is shown beside the field it
names and nothing is written. The k1 run itself is computed by a Celery task; its page
refreshes itself while the run is computing.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.audit import audit
from core.errors import DomainError
from core.permissions import role_required
from core.regulation import Key, LoanClass, overdue_stop_rules, regulatory_value_or_none
from core.roles import Role
from core.throttling import heavy_page
from prudential import documents, services
from prudential.forms import (
    K1RunForm,
    MeasureForm,
    NoticeSendForm,
    PlanDateForm,
    PlanNoteForm,
    PlanPeriodForm,
    RiskSettingsForm,
    show_error,
)
from prudential.models import ActionPlan, Alert, K1Loan, K1Run, PlanNote, ReturnNotice
from prudential.presenters import (
    k1_chart,
    limit_history,
    next_deadline,
    plan_deadlines,
)
from prudential.tasks import k1_run_task

RISK_ROLES = (Role.RISK_MANAGER, Role.ADMINISTRATOR)
risk_only = role_required(*RISK_ROLES)
PAGE_SIZE = 50
CHART_RUNS = 120  # the latest runs drawn on the dashboard
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0000"
REFRESH_SECONDS = 2


def _day_or_404(on: str) -> date:
    try:
        return date.fromisoformat(on)
    except ValueError as exc:
        raise Http404 from exc


def _language_or_404(language: str) -> str:
    if language not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    return language


def run_url(run: K1Run) -> str:
    return reverse("risk:k1-run", args=[run.on.isoformat()])


def figures_url() -> str:
    """The portfolio figures page, built in another part of the project: "" until it is."""
    try:
        return reverse("risk-figures:page")
    except NoReverseMatch:
        return ""


# --- the dashboard ------------------------------------------------------------------------------


@risk_only
def dashboard(request):
    today = timezone.localdate()
    runs = list(K1Run.objects.filter(status=K1Run.Status.DONE).order_by("-on")[:CHART_RUNS])[::-1]
    latest = runs[-1] if runs else None
    latest_official = (
        K1Run.objects.filter(status=K1Run.Status.DONE, official=True).order_by("-on").first()
    )
    chart = k1_chart(
        [(run.on, run.share, run.breached, run_url(run)) for run in runs], limit_history()
    )
    plans = [
        {"plan": plan, "next": next_deadline(plan, today)}
        for plan in ActionPlan.objects.exclude(status=ActionPlan.Status.APPROVED)
        .select_related("run")
        .order_by("reporting_date")
    ]
    return render(
        request,
        "prudential/dashboard.html",
        {
            "today": today,
            "latest": latest,
            "latest_official": latest_official if latest_official != latest else None,
            "chart": chart,
            "running": K1Run.objects.filter(status=K1Run.Status.RUNNING).order_by("-on"),
            "alerts": Alert.objects.filter(acknowledged_at__isnull=True).select_related(
                "run", "plan"
            )[:50],
            "plans": plans,
            "notices": ReturnNotice.objects.filter(sent_on__isnull=True)
            .select_related("run")
            .order_by("due_by"),
            "figures_url": figures_url(),
        },
    )


@risk_only
@require_POST
def alert_acknowledge(request, pk: int):
    """Seen by a risk manager: off the dashboard. Guarded, so that only the first one counts."""
    alert = get_object_or_404(Alert, pk=pk)
    services.alert_acknowledge(alert_id=alert.pk, by=request.user)
    return redirect("risk:dashboard")


# --- runs -----------------------------------------------------------------------------------------


@risk_only
def k1_run_new(request):
    if request.method == "POST":
        form = K1RunForm(request.POST)
        if form.is_valid():
            on = form.cleaned_data["on"]
            try:
                run = services.k1_run_start(on=on, by=request.user)
            except DomainError as error:
                show_error(form, error)
            else:
                k1_run_task.delay(on.isoformat(), request.user.pk)
                return redirect(run_url(run))
    else:
        form = K1RunForm()
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "prudential/run_form.html", {"form": form}, status=status)


@risk_only
def k1_run_detail(request, on: str):
    run = get_object_or_404(K1Run.objects.select_related("run_by"), on=_day_or_404(on))
    running = run.status == K1Run.Status.RUNNING
    loans = (
        K1Loan.objects.filter(run=run)
        .select_related("loan", "loan__borrower")
        .annotate(total=F("principal") + F("interest"))
        .order_by("-days_past_due", "loan_id")
    )
    page = Paginator(loans, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "prudential/run.html",
        {
            "run": run,
            "running": running,
            "refresh_seconds": REFRESH_SECONDS,
            "page": page,
            "plan": ActionPlan.objects.filter(run=run).first(),
            "notice": ReturnNotice.objects.filter(run=run).first(),
            "languages": documents.DOCUMENT_LANGUAGES,
        },
    )
    if running:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _workbook(title: str, header: list[str], rows, formats: dict[int, str]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for values in rows:
        cells = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever a name starts with
            elif index in formats:
                cell.number_format = formats[index]
            cells.append(cell)
        sheet.append(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@risk_only
@heavy_page
def k1_loans_export(request, on: str):
    run = get_object_or_404(K1Run, on=_day_or_404(on))
    header = [
        _("Contract number"),
        _("Borrower"),
        _("Days past due"),
        _("Principal, KZT"),
        _("Interest, KZT"),
        _("In MM90, KZT"),
        _("Written off"),
    ]
    loans = (
        K1Loan.objects.filter(run=run)
        .select_related("loan", "loan__borrower")
        .order_by("-days_past_due", "loan_id")
    )
    rows = (
        [
            line.loan.number,
            line.loan.borrower.name,
            line.days_past_due,
            line.principal,
            line.interest,
            line.principal + line.interest,
            _("yes") if line.written_off else _("no"),
        ]
        for line in loans.iterator(chunk_size=2000)
    )
    money = {3: MONEY_FORMAT, 4: MONEY_FORMAT, 5: MONEY_FORMAT}
    content = _workbook(_("MM90 loans"), header, rows, money)
    audit(run, "prudential.k1_loans_exported", by=request.user, data={"on": run.on.isoformat()})
    return _xlsx_response(content, f"k1-mm90-{run.on.isoformat()}.xlsx")


@risk_only
@heavy_page
def k1_runs_export(request):
    header = [
        _("Date"),
        _("Reporting date"),
        _("MM90, KZT"),
        _("Loan portfolio (LP), KZT"),
        _("Share L, %"),
        _("Limit, %"),
        _("Limit breached"),
        _("Loans in the portfolio"),
        _("Loans over 90 days"),
        _("61–90 days overdue, KZT"),
        _("Share if they cross 90 days, %"),
    ]
    runs = K1Run.objects.filter(status=K1Run.Status.DONE).order_by("on")
    rows = (
        [
            run.on,
            _("yes") if run.official else _("no"),
            run.mm90,
            run.portfolio,
            run.share,
            run.limit,
            _("yes") if run.breached else _("no"),
            run.loans,
            run.loans_over_90,
            run.exposure_61_90,
            run.share_if_61_90_cross,
        ]
        for run in runs.iterator()
    )
    formats = {
        0: "DD.MM.YYYY",
        2: MONEY_FORMAT,
        3: MONEY_FORMAT,
        4: SHARE_FORMAT,
        5: "0.00",
        9: MONEY_FORMAT,
        10: SHARE_FORMAT,
    }
    return _xlsx_response(_workbook(_("k1 runs"), header, rows, formats), "k1-runs.xlsx")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@risk_only
@heavy_page
def k1_report_pdf(request, on: str, language: str):
    run = get_object_or_404(K1Run, on=_day_or_404(on), status=K1Run.Status.DONE)
    content = documents.k1_report_pdf(run, language=_language_or_404(language))
    return _pdf(content, f"k1-{run.on.isoformat()}-{language}.pdf")


# --- the action plan ------------------------------------------------------------------------------

OPEN_FOR_WORK = (ActionPlan.Status.DRAFT, ActionPlan.Status.REMARKS)
NOTE_KINDS = {
    ActionPlan.Status.SUBMITTED: (PlanNote.Kind.REMARK,),
    ActionPlan.Status.REMARKS: (PlanNote.Kind.OBJECTION,),
}


def _plan_forms(plan: ActionPlan, bound: dict | None = None) -> dict:
    """The forms the plan's state opens; ``bound`` replaces one with the form just posted."""
    forms = {}
    if plan.status in OPEN_FOR_WORK:
        forms["measure_form"] = MeasureForm(auto_id="measure_%s")
        forms["period_form"] = PlanPeriodForm(
            initial={"period_to": plan.period_to}, auto_id="period_%s"
        )
        forms["submit_form"] = PlanDateForm(auto_id="submit_%s")
    if plan.status == ActionPlan.Status.SUBMITTED:
        forms["approve_form"] = PlanDateForm(auto_id="approve_%s")
    if plan.status in NOTE_KINDS:
        forms["note_form"] = PlanNoteForm(kinds=NOTE_KINDS[plan.status], auto_id="note_%s")
    forms.update(bound or {})
    return forms


def _render_plan(request, plan: ActionPlan, *, bound: dict | None = None, status: int = 200):
    today = timezone.localdate()
    deadlines = plan_deadlines(plan, today)
    return render(
        request,
        "prudential/plan.html",
        {
            "plan": plan,
            "run": plan.run,
            "today": today,
            "deadlines": deadlines,
            "missed": [row for row in deadlines if row.missed],
            "measures": plan.measures.select_related("responsible"),
            "notes": plan.notes.select_related("recorded_by"),
            "languages": documents.DOCUMENT_LANGUAGES,
            **_plan_forms(plan, bound),
        },
        status=status,
    )


def _open_plan(pk: int) -> ActionPlan:
    return get_object_or_404(ActionPlan.objects.select_related("run"), pk=pk)


@risk_only
def plan_detail(request, pk: int):
    return _render_plan(request, _open_plan(pk))


def _add_measure(plan, data, user):
    services.measure_add(
        plan_id=plan.pk,
        what=data["what"],
        how=data["how"],
        deadline=data["deadline"],
        responsible_id=data["responsible"].pk,
        by=user,
    )
    return _("The measure is added.")


def _set_period(plan, data, user):
    services.plan_period_set(plan_id=plan.pk, period_to=data["period_to"], by=user)
    return _("The plan's period is changed.")


def _submit(plan, data, user):
    services.plan_submit(plan_id=plan.pk, on=data["on"], by=user)
    return _("The plan is recorded as submitted to the regulator.")


def _approve(plan, data, user):
    if data["on"] < (plan.submitted_on or plan.reporting_date):
        # the service takes any date; an approval before the submission is a typing error
        raise DomainError(_("The regulator approves a plan after it was submitted."), field="on")
    services.plan_approve(plan_id=plan.pk, on=data["on"], by=user)
    return _("The plan is recorded as approved by the regulator.")


def _add_note(plan, data, user):
    services.plan_note_add(
        plan_id=plan.pk, kind=data["kind"], on=data["on"], text=data["text"], by=user
    )
    return _("The note is recorded.")


PLAN_ACTIONS = {
    # action: (form name on the page, form class, keyword arguments, the service call)
    "measure": ("measure_form", MeasureForm, {"auto_id": "measure_%s"}, _add_measure),
    "period": ("period_form", PlanPeriodForm, {"auto_id": "period_%s"}, _set_period),
    "submit": ("submit_form", PlanDateForm, {"auto_id": "submit_%s"}, _submit),
    "approve": ("approve_form", PlanDateForm, {"auto_id": "approve_%s"}, _approve),
    "note": ("note_form", PlanNoteForm, {"auto_id": "note_%s"}, _add_note),
}


@risk_only
@require_POST
def plan_action(request, pk: int, action: str):
    if action not in PLAN_ACTIONS:
        raise Http404
    plan = _open_plan(pk)
    name, form_class, kwargs, call = PLAN_ACTIONS[action]
    if form_class is PlanNoteForm:
        kwargs = {**kwargs, "kinds": NOTE_KINDS.get(plan.status)}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            message = call(plan, form.cleaned_data, request.user)
        except DomainError as error:
            show_error(form, error)
            form.error_field = error.field
        else:
            messages.success(request, message)
            return redirect("risk:plan", pk=plan.pk)
    plan.refresh_from_db()
    return _render_plan(request, plan, bound={name: form}, status=400)


@risk_only
@heavy_page
def plan_pdf(request, pk: int, language: str):
    plan = _open_plan(pk)
    content = documents.plan_pdf(plan, language=_language_or_404(language))
    return _pdf(content, f"k1-action-plan-{plan.reporting_date.isoformat()}-{language}.pdf")


# --- the notice of return within the limit -----------------------------------------------------


def _render_notice(request, notice: ReturnNotice, form=None, status: int = 200):
    return render(
        request,
        "prudential/notice.html",
        {
            "notice": notice,
            "run": notice.run,
            "today": timezone.localdate(),
            "form": form or (NoticeSendForm() if notice.sent_on is None else None),
            "languages": documents.DOCUMENT_LANGUAGES,
        },
        status=status,
    )


def _open_notice(pk: int) -> ReturnNotice:
    return get_object_or_404(ReturnNotice.objects.select_related("run", "sent_by"), pk=pk)


@risk_only
def notice_detail(request, pk: int):
    return _render_notice(request, _open_notice(pk))


@risk_only
@require_POST
def notice_send(request, pk: int):
    notice = _open_notice(pk)
    form = NoticeSendForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["on"] < notice.reporting_date:
                raise DomainError(_("The notice is sent after its reporting date."), field="on")
            services.return_notice_send(
                notice_id=notice.pk, on=form.cleaned_data["on"], by=request.user
            )
        except DomainError as error:
            show_error(form, error)
            form.error_field = error.field
        else:
            messages.success(request, _("The notice is recorded as sent."))
            return redirect("risk:notice", pk=notice.pk)
    notice.refresh_from_db()
    return _render_notice(request, notice, form, status=400)


@risk_only
@heavy_page
def notice_pdf(request, pk: int, language: str):
    notice = _open_notice(pk)
    content = documents.notice_pdf(notice, language=_language_or_404(language))
    return _pdf(content, f"k1-notice-{notice.reporting_date.isoformat()}-{language}.pdf")


# --- settings -----------------------------------------------------------------------------------

SETTINGS_FIELDS = RiskSettingsForm.Meta.fields


@risk_only
def risk_settings_edit(request):
    """The one settings row, created on the first save; who changed what is recorded."""
    current = services.risk_settings()
    if request.method == "POST":
        form = RiskSettingsForm(request.POST, instance=current)
        if form.is_valid():
            services.risk_settings_update(
                values={name: form.cleaned_data[name] for name in SETTINGS_FIELDS},
                by=request.user,
            )
            messages.success(request, _("The risk settings are saved."))
            return redirect("risk:settings")
    else:
        form = RiskSettingsForm(instance=current)
    status = 400 if form.is_bound and form.errors else 200
    today = timezone.localdate()
    rules = overdue_stop_rules()
    context = {
        "form": form,
        "current": current,
        # set by regulation, edited by an administrator: shown here, read only
        "stop_days": regulatory_value_or_none(
            Key.PENALTY_STOP_DAYS, on=today, loan_class=LoanClass.INDIVIDUAL
        ),
        "stop_rules": rules,
        "stop_in_force": next((rule for rule in rules if rule.effective_from <= today), None),
    }
    return render(request, "prudential/settings.html", context, status=status)


# --- the risk manager's home page queues ----------------------------------------------------------


def home_alert_rows(user):
    from core.navigation import QueueRow

    url = reverse("risk:dashboard")
    return [
        QueueRow(label=alert.get_kind_display(), url=url, detail=alert.message)
        for alert in Alert.objects.filter(acknowledged_at__isnull=True)[:10]
    ]


def home_plan_rows(user):
    from core.navigation import QueueRow

    today = timezone.localdate()
    rows = []
    for plan in ActionPlan.objects.exclude(status=ActionPlan.Status.APPROVED).order_by(
        "reporting_date"
    ):
        upcoming = next_deadline(plan, today)
        detail = f"{upcoming.label}: {upcoming.day:%d.%m.%Y}" if upcoming else ""
        rows.append(
            QueueRow(
                label=str(plan),
                url=reverse("risk:plan", args=[plan.pk]),
                detail=detail,
                overdue=bool(upcoming and upcoming.missed),
            )
        )
    return rows
