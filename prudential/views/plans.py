"""The k1 action plan's page (DOMAIN.md §11): its measures, period, submission, approval,
the regulator's remarks and the MFO's objections, and the plan as a PDF. Every write goes
through ``prudential.services``; a refusal is shown beside the field it names."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.throttling import heavy_page
from prudential import documents, services
from prudential.forms import MeasureForm, PlanDateForm, PlanNoteForm, PlanPeriodForm, show_error
from prudential.models import ActionPlan, PlanNote
from prudential.presenters import plan_deadlines
from prudential.views.common import language_or_404, pdf_response, risk_only

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
    content = documents.plan_pdf(plan, language=language_or_404(language))
    return pdf_response(content, f"k1-action-plan-{plan.reporting_date.isoformat()}-{language}.pdf")
