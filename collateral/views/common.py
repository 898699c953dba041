"""What the collateral pages share: who may do what, when an item may be released, a refusal
shown beside its field, and the application or item a URL names."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404

from applications.models import Application, Stage
from applications.selectors import credit_file_open
from collateral.models import CollateralItem
from core.errors import DomainError
from core.forms import add_domain_error
from core.roles import Role

WRITE_ROLES = (Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR)
MONITOR_ROLES = (Role.MONITORING_MANAGER, Role.ADMINISTRATOR)
READ_ROLES = (*WRITE_ROLES, Role.COMMITTEE_MEMBER, Role.MONITORING_MANAGER, Role.RISK_MANAGER)
QUEUE_ROLES = (*MONITOR_ROLES, Role.RISK_MANAGER)
# An application that ended without a loan gives its collateral back. An accepted one has a
# loan, whose closure (not built yet) releases it (DOMAIN.md §9).
RELEASABLE = frozenset({Stage.REFUSED, Stage.WITHDRAWN, Stage.DECLINED})


def releasable(application) -> bool:
    """The application ended without a loan, or its loan is closed (DOMAIN.md §9, §15)."""
    loan = getattr(application, "loan", None)
    if loan is not None:
        return loan.status == loan.Status.CLOSED
    return application.stage in RELEASABLE


def show_refusal(form: forms.Form, error: DomainError) -> None:
    """Beside its field: the services name nested fields ``pledgor.identifier``, forms ``_``."""
    if error.field:
        error.field = error.field.replace(".", "_")
    add_domain_error(form, error)


def open_application(request, application_id: int) -> Application:
    try:
        return credit_file_open(application_id=application_id, user=request.user)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def open_item(pk: int) -> CollateralItem:
    return get_object_or_404(
        CollateralItem.objects.select_related("pledgor", "registered_by", "application"), pk=pk
    )
