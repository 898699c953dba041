"""What each role sees in the menu and on its home page, written as data.

Later issues add their pages and queues here; the menu and the home page only render it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.roles import Role, user_roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class WorkQueue:
    title: str | Promise
    empty_text: str | Promise


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", frozenset(Role) - {Role.BRANCH_SYSTEM}),
    NavItem(
        _("Loan calculator"),
        "calculator",
        frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR}),
    ),
    NavItem(_("Audit trail"), "audit-list", frozenset({Role.ADMINISTRATOR, Role.RISK_MANAGER})),
    NavItem(
        _("API documentation"),
        "api-docs",
        frozenset({Role.ADMINISTRATOR, Role.RISK_MANAGER, Role.CREDIT_ADMINISTRATOR}),
    ),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMINISTRATOR})),
)

WORK_QUEUES: dict[Role, tuple[WorkQueue, ...]] = {
    Role.CREDIT_ADMINISTRATOR: (
        WorkQueue(_("Applications waiting for documents"), _("No applications are waiting.")),
        WorkQueue(_("Contracts to prepare"), _("No contracts to prepare.")),
    ),
    Role.COMMITTEE_MEMBER: (
        WorkQueue(_("Applications on the committee agenda"), _("The agenda is empty.")),
    ),
    Role.ACCOUNTANT: (
        WorkQueue(_("Signed contracts to disburse"), _("Nothing to disburse.")),
        WorkQueue(_("Payments to post"), _("No payments waiting.")),
    ),
    Role.MONITORING_MANAGER: (
        WorkQueue(_("Collateral inspections due"), _("No inspections are due.")),
    ),
    Role.RISK_MANAGER: (
        WorkQueue(_("Prudential alerts"), _("No alerts.")),
        WorkQueue(_("Action plan deadlines"), _("No open action plans.")),
    ),
    Role.ADMINISTRATOR: (WorkQueue(_("Users without a role"), _("Every user has a role.")),),
}


def navigation_for(user) -> list[NavItem]:
    roles = user_roles(user)
    return [item for item in NAVIGATION if item.roles & roles]


def work_queues_for(user) -> list[tuple[Role, tuple[WorkQueue, ...]]]:
    roles = user_roles(user)
    return [(role, queues) for role, queues in WORK_QUEUES.items() if role in roles]
