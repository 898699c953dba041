"""Roles are Django groups with stable names; what a role may do is decided here and in views."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CREDIT_ADMINISTRATOR = "credit_administrator", _("Credit administrator")
    COMMITTEE_MEMBER = "committee_member", _("Credit committee member")
    ACCOUNTANT = "accountant", _("Accountant")
    MONITORING_MANAGER = "monitoring_manager", _("Monitoring manager")
    RISK_MANAGER = "risk_manager", _("Risk manager")
    COLLECTOR = "collector", _("Collector")
    BRANCH_SYSTEM = "branch_system", _("Branch system (API only)")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that work in the browser; a branch system only talks to the API.
BROWSER_ROLES = frozenset(Role) - {Role.BRANCH_SYSTEM}
# Roles that may see a borrower's personal data unmasked (DOMAIN.md §14: need to know).
PERSONAL_DATA_ROLES = frozenset(
    {Role.CREDIT_ADMINISTRATOR, Role.COMMITTEE_MEMBER, Role.MONITORING_MANAGER, Role.ADMINISTRATOR}
)


def user_roles(user) -> frozenset[Role]:
    """The roles of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_mfo_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        if user.is_superuser:
            cached |= {Role.ADMINISTRATOR}
        user._mfo_roles = cached
    return cached


def has_role(user, roles: Iterable[Role]) -> bool:
    return bool(user_roles(user) & set(roles))
