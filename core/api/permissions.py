from __future__ import annotations

from rest_framework.permissions import BasePermission

from core.roles import Role, has_role

ALL_ROLES = frozenset(Role)


class HasRole(BasePermission):
    """The one permission class: a view lists ``allowed_roles``; a view that lists none is closed.

    A view may narrow it per action with ``allowed_roles_by_action = {"vote": {...}}``.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        by_action = getattr(view, "allowed_roles_by_action", {})
        roles = by_action.get(getattr(view, "action", None), getattr(view, "allowed_roles", ()))
        return bool(
            request.user and request.user.is_authenticated and has_role(request.user, roles)
        )
