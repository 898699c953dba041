"""The risk manager's k1 pages (DOMAIN.md §11; seed 001): the dashboard and the k1 runs, with
their workbooks and the k1 report.

Every write goes through ``prudential.services``; the k1 run itself is computed by a Celery
task; its page refreshes itself while the run is computing.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import audit
from core.errors import DomainError
from core.throttling import heavy_page
from core.xlsx import MONEY_FORMAT, Sheet, workbook_bytes, xlsx_response
from prudential import documents, services
from prudential.forms import K1RunForm, show_error
from prudential.models import ActionPlan, Alert, K1Loan, K1Run, ReturnNotice
from prudential.presenters import k1_chart, limit_history, next_deadline
from prudential.tasks import k1_run_task
from prudential.views.common import day_or_404, language_or_404, pdf_response, risk_only, run_url

PAGE_SIZE = 50
CHART_RUNS = 120  # the latest runs drawn on the dashboard
SHARE_FORMAT = "0.0000"
REFRESH_SECONDS = 2


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
    run = get_object_or_404(K1Run.objects.select_related("run_by"), on=day_or_404(on))
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


@risk_only
@heavy_page
def k1_loans_export(request, on: str):
    run = get_object_or_404(K1Run, on=day_or_404(on))
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
    content = workbook_bytes(Sheet(_("MM90 loans"), header, rows, column_formats=money))
    audit(run, "prudential.k1_loans_exported", by=request.user, data={"on": run.on.isoformat()})
    return xlsx_response(content, f"k1-mm90-{run.on.isoformat()}.xlsx")


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
    content = workbook_bytes(Sheet(_("k1 runs"), header, rows, column_formats=formats))
    return xlsx_response(content, "k1-runs.xlsx")


@risk_only
@heavy_page
def k1_report_pdf(request, on: str, language: str):
    run = get_object_or_404(K1Run, on=day_or_404(on), status=K1Run.Status.DONE)
    content = documents.k1_report_pdf(run, language=language_or_404(language))
    return pdf_response(content, f"k1-{run.on.isoformat()}-{language}.pdf")
