"""The inspection queue page: the items whose inspection is overdue."""

from __future__ import annotations

from django.shortcuts import render

from collateral.queues import inspections_due
from collateral.views.common import MONITOR_ROLES, QUEUE_ROLES
from core.permissions import role_required
from core.roles import has_role


@role_required(*QUEUE_ROLES)
def inspection_queue_page(request):
    return render(
        request,
        "collateral/inspection_queue.html",
        {
            "rows": inspections_due(request.user),
            "can_inspect": has_role(request.user, MONITOR_ROLES),
        },
    )
