"""The credit administrator's queue of open applications, overdue stages first."""

from __future__ import annotations

from collections import Counter

from django.shortcuts import render

from applications.models import Stage
from applications.queues import administrator_queue
from applications.roles import WRITE_ROLES
from core.permissions import role_required


@role_required(*WRITE_ROLES)
def queue(request):
    rows = administrator_queue(request.user)
    counts = Counter(application.stage for application, _overdue in rows)
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        stage = ""
    if stage:
        rows = [(a, overdue) for a, overdue in rows if a.stage == stage]
    return render(
        request,
        "applications/queue.html",
        {
            "rows": rows,
            "stages": [(s, counts[s.value]) for s in Stage if counts[s.value]],
            "selected_stage": stage,
            "overdue_count": sum(1 for _a, overdue in rows if overdue),
        },
    )
