from __future__ import annotations

from core.roles import user_roles
from shell.navigation import navigation_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    return {"nav_items": navigation_for(user), "user_roles": sorted(user_roles(user))}
