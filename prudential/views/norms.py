"""The risk manager's pages for the other MFO norms: monthly figures, CSV import, the norms runs
and the groups of related borrowers. Every rule is the services' in prudential.norms."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import Role
from prudential import norms
from prudential.models import BorrowerGroup
from prudential.norms_forms import (
    BorrowerGroupForm,
    FinancialsForm,
    FinancialsImportForm,
    NormsRunForm,
    show_error,
)

TEMPLATES = "prudential/norms/"
RISK = (Role.RISK_MANAGER, Role.ADMINISTRATOR)


@role_required(*RISK)
def run_list(request):
    form = NormsRunForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = norms.norms_run(on=form.cleaned_data["on"], by=request.user)
            except DomainError as error:
                show_error(form, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("The norms on %(date)s are computed.") % {"date": f"{run.on:%d.%m.%Y}"},
                )
                return redirect("risk-norms:runs")
        else:
            status = 400
    page = Paginator(norms.norms_run_list(), 31).get_page(request.GET.get("page"))
    return render(request, TEMPLATES + "runs.html", {"page": page, "form": form}, status=status)


@role_required(*RISK)
def financials(request):
    form = FinancialsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row = norms.financials_enter(**form.cleaned_data, by=request.user)
            except DomainError as error:
                show_error(form, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("The figures of %(month)s are saved.") % {"month": f"{row.month:%m.%Y}"},
                )
                return redirect("risk-norms:financials")
        else:
            status = 400
    page = Paginator(norms.financials_list(), 24).get_page(request.GET.get("page"))
    return render(
        request, TEMPLATES + "financials.html", {"page": page, "form": form}, status=status
    )


@role_required(*RISK)
def financials_import(request):
    form = FinancialsImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows = norms.financials_import_csv(file=form.cleaned_data["file"], by=request.user)
            except DomainError as error:
                show_error(form, error)
                status = error.http_status
            else:
                messages.success(request, _("%(count)s months imported.") % {"count": len(rows)})
                return redirect("risk-norms:financials")
        else:
            status = 400
    return render(request, TEMPLATES + "import.html", {"form": form}, status=status)


@role_required(*RISK)
def group_list(request):
    groups = [
        {
            "group": group,
            "members": [
                {
                    "name": member.name,
                    "identifier": identifier_for(request.user, member.iin or member.bin),
                }
                for member in sorted(group.members.all(), key=lambda member: member.name)
            ],
        }
        for group in norms.borrower_group_list()
    ]
    return render(request, TEMPLATES + "groups.html", {"groups": groups})


@role_required(*RISK)
def group_edit(request, pk: int | None = None):
    group = get_object_or_404(BorrowerGroup, pk=pk) if pk else None
    form = BorrowerGroupForm(request.POST or None, group=group, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = norms.borrower_group_set(
                    group_id=group.pk if group else None,
                    name=form.cleaned_data["name"],
                    member_ids=form.member_ids(),
                    by=request.user,
                )
            except DomainError as error:
                show_error(form, error if error.field != "members" else _on_add(error))
                status = error.http_status
            else:
                messages.success(
                    request, _("The group “%(name)s” is saved.") % {"name": saved.name}
                )
                return redirect("risk-norms:groups")
        else:
            status = 400
    return render(
        request, TEMPLATES + "group_form.html", {"group": group, "form": form}, status=status
    )


@role_required(*RISK)
@require_POST
def group_delete(request, pk: int):
    group = get_object_or_404(BorrowerGroup, pk=pk)
    norms.borrower_group_delete(group_id=group.pk, by=request.user)
    messages.success(request, _("The group “%(name)s” is dissolved.") % {"name": group.name})
    return redirect("risk-norms:groups")


def _on_add(error: DomainError) -> DomainError:
    """The form has no ``members`` field: the borrowers are chosen in ``add``."""
    return DomainError(error.message, field="add", code=error.code)
