from __future__ import annotations

from celery import current_app as celery_app
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.audit import audit, audit_data_shown
from core.filters import AuditEventFilter
from core.permissions import role_required
from core.roles import Role
from core.selectors import audit_event_list


@role_required(Role.ADMINISTRATOR, Role.RISK_MANAGER)
def audit_list(request):
    event_filter = AuditEventFilter(request.GET, queryset=audit_event_list())
    page = Paginator(event_filter.qs, 50).get_page(request.GET.get("page"))
    for event in page:  # old and new values of personal data only for who may see them
        event.shown_data = audit_data_shown(request.user, event.data)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"filter": event_filter, "page": page, "query": query.urlencode()},
    )


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "down"; the type is reported, not raised
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # same: report, do not raise
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = state["database"] == "ok" and state["broker"] in {"ok", "eager"}
    return JsonResponse(
        {"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit(self.request.user, "auth.password_changed", by=self.request.user)
        return response
