"""An application's collateral and guarantees: the page, an item's registration, a guarantee."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application
from collateral import services
from collateral.forms import CollateralItemForm, GuaranteeForm
from collateral.presenters import application_summary
from collateral.views.common import READ_ROLES, WRITE_ROLES, open_application, show_refusal
from core.errors import DomainError
from core.permissions import role_required
from core.privacy import identifier_for
from core.roles import has_role


def _takes_collateral(application: Application) -> bool:
    return application.stage in services.OPEN_STAGES


def _application_page(request, application: Application, guarantee_form=None, status=200):
    user = request.user
    can_write = has_role(user, WRITE_ROLES)
    is_open = _takes_collateral(application)
    context = application_summary(application, user=user)
    context.update(
        {
            "applicant_identifier": identifier_for(user, application.applicant.identifier),
            "can_write": can_write,
            "may_register": can_write and is_open and application.product.secured,
            "is_open": is_open,
            "guarantee_form": (guarantee_form or GuaranteeForm())
            if can_write and is_open
            else None,
            "stray_form": guarantee_form if guarantee_form and not is_open else None,
        }
    )
    return render(request, "collateral/application.html", context, status=status)


@role_required(*READ_ROLES)
def application_collateral(request, application_id: int):
    return _application_page(request, open_application(request, application_id))


@role_required(*WRITE_ROLES)
def item_create(request, application_id: int):
    application = open_application(request, application_id)
    form = CollateralItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.collateral_item_register(
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                data=form.item_data(),
                pledgor=form.pledgor_data(),
                by=request.user,
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The collateral item is registered."))
            return redirect("collateral:item", pk=item.pk)
    return render(
        request,
        "collateral/item_form.html",
        {
            "form": form,
            "application": application,
            "applicant_identifier": identifier_for(request.user, application.applicant.identifier),
            "is_open": _takes_collateral(application) and application.product.secured,
        },
        status=400 if form.is_bound else 200,
    )


@role_required(*WRITE_ROLES)
@require_POST
def guarantee_add(request, application_id: int):
    application = get_object_or_404(Application, pk=application_id)
    form = GuaranteeForm(request.POST)
    if form.is_valid():
        try:
            services.guarantee_add(
                application_id=application.pk, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The guarantee is registered."))
            return redirect("collateral:application", application_id=application.pk)
    application = open_application(request, application.pk)
    return _application_page(request, application, guarantee_form=form, status=400)
