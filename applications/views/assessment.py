"""The assessment on the application's page: the debt burden and the conclusions."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import services
from applications.forms import ConclusionForm, DebtBurdenForm
from applications.roles import WRITE_ROLES
from applications.views.page import perform
from core.permissions import role_required


@role_required(*WRITE_ROLES)
@require_POST
def debt_burden_assess(request, pk: int):
    return perform(
        request,
        pk,
        "debt_burden",
        DebtBurdenForm(request.POST),
        lambda data: services.debt_burden_assess(application_id=pk, by=request.user),
        _("The debt burden is computed."),
    )


@role_required(*WRITE_ROLES)
@require_POST
def conclusion_record(request, pk: int):
    kind = request.POST.get("kind", "")
    form = ConclusionForm(request.POST, auto_id=f"id_conclusion_{kind}_%s")
    return perform(
        request,
        pk,
        f"conclusion:{kind}",
        form,
        lambda data: services.conclusion_record(
            application_id=pk,
            kind=data["kind"],
            recommendation=data["recommendation"],
            text=data["text"],
            by=request.user,
        ),
        _("The conclusion is recorded."),
    )
