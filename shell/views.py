from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.roles import BROWSER_ROLES, has_role
from shell.navigation import work_queues_for


@login_required
def home(request):
    if not has_role(request.user, BROWSER_ROLES):
        raise PermissionDenied
    return render(request, "core/home.html", {"queues": work_queues_for(request.user)})
