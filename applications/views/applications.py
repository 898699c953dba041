"""Browser pages that register an application and move it along its stages (DOMAIN.md §2–§3)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import services
from applications.branches import visible_applicants
from applications.forms import AdvanceForm, AnswerForm, ApplicationForm, RefuseForm, WithdrawForm
from applications.roles import READ_ROLES, WRITE_ROLES
from applications.views.common import bad_request
from applications.views.page import detail_response, perform
from core.branches import user_branch
from core.errors import DomainError
from core.forms import add_domain_error
from core.permissions import role_required


def _application_form(request, *args, **kwargs) -> ApplicationForm:
    form = ApplicationForm(*args, **kwargs)
    if user_branch(request.user) is not None:  # registered at the user's branch
        del form.fields["branch"]
    return form


@role_required(*WRITE_ROLES)
def application_create(request):
    applicant = None
    if request.method == "POST":
        form = _application_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.application_create(
                    applicant_id=data["applicant"].pk,
                    product_id=data["product"].pk,
                    purpose=data["purpose"],
                    amount=data["amount"],
                    term_months=data["term_months"],
                    rate=data["rate"],
                    method=data["method"],
                    repayment_sources=data["repayment_sources"],
                    collateral_offered=data["collateral_offered"],
                    branch_id=data["branch"].pk if data.get("branch") else None,
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Application %(number)s is registered.") % {"number": application.number},
                )
                return redirect("applications:application-detail", pk=application.pk)
    else:
        applicant_id = request.GET.get("applicant", "")
        if applicant_id.isdigit():
            applicant = visible_applicants(request.user).filter(pk=applicant_id).first()
        form = _application_form(
            request, initial={"applicant": applicant.identifier} if applicant else {}
        )
    return render(
        request,
        "applications/application_form.html",
        {"form": form, "applicant": applicant},
        status=bad_request(form),
    )


@role_required(*READ_ROLES)
def application_detail(request, pk: int):
    return detail_response(request, pk)


@role_required(*WRITE_ROLES)
@require_POST
def application_advance(request, pk: int):
    form = AdvanceForm(request.POST)
    return perform(
        request,
        pk,
        "advance",
        form,
        lambda data: services.application_advance(
            application_id=pk, to=data["to"], by=request.user
        ),
        _("The application has moved to the next stage."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def application_refuse(request, pk: int):
    form = RefuseForm(request.POST, auto_id="id_refuse_%s")
    return perform(
        request,
        pk,
        "refuse",
        form,
        lambda data: services.application_refuse(
            application_id=pk, ground=data["ground"], comment=data["comment"], by=request.user
        ),
        _("The application is refused; inform the applicant of the ground."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def application_withdraw(request, pk: int):
    form = WithdrawForm(request.POST, auto_id="id_withdraw_%s")
    return perform(
        request,
        pk,
        "withdraw",
        form,
        lambda data: services.application_withdraw(
            application_id=pk, comment=data["comment"], by=request.user
        ),
        _("The application is withdrawn."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def application_answer(request, pk: int):
    form = AnswerForm(request.POST)
    return perform(
        request,
        pk,
        "answer",
        form,
        lambda data: services.application_record_answer(
            application_id=pk, accepted=form.accepted, by=request.user
        ),
        _("The applicant's answer is recorded."),
    )
