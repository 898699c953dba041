"""What each role sees in the menu and on its home page, written as data.

Later issues add their pages and queues here; the menu and the home page only render it. The
shell holds it because it spans the apps: a queue names its app's ``rows(user)`` function by
its public dotted path, imported when the home page is shown (each row a
``core.navigation.QueueRow``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.navigation import QueueRow
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
    # dotted path of ``rows(user) -> Sequence[QueueRow]``; empty: the queue has no rows yet
    rows: str = ""

    def for_user(self, user) -> FilledQueue:
        rows = tuple(import_string(self.rows)(user)) if self.rows else ()
        return FilledQueue(self.title, self.empty_text, rows)


@dataclass(frozen=True)
class FilledQueue:
    """A queue with its rows for one user."""

    title: str | Promise
    empty_text: str | Promise
    rows: Sequence[QueueRow]


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Home"), "home", frozenset(Role) - {Role.BRANCH_SYSTEM}),
    NavItem(
        _("Loan calculator"),
        "calculator",
        frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Applicants"),
        "applications:applicant-list",
        frozenset(
            {
                Role.CREDIT_ADMINISTRATOR,
                Role.ADMINISTRATOR,
                Role.COMMITTEE_MEMBER,
                Role.MONITORING_MANAGER,
                Role.RISK_MANAGER,
            }
        ),
    ),
    NavItem(
        _("My applications"),
        "applications:queue",
        frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Contracts to draw"),
        "servicing:contracts-to-draw",
        frozenset({Role.CREDIT_ADMINISTRATOR, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Disbursements"),
        "servicing:disbursement-queue",
        frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Payout accounts"),
        "servicing:payout-account-changes",
        frozenset({Role.ACCOUNTANT, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Portfolio"),
        "portfolio:list",
        frozenset(
            {
                Role.CREDIT_ADMINISTRATOR,
                Role.ACCOUNTANT,
                Role.MONITORING_MANAGER,
                Role.RISK_MANAGER,
                Role.COLLECTOR,
                Role.ADMINISTRATOR,
            }
        ),
    ),
    NavItem(
        _("Collection"),
        "servicing:collection-queue",
        frozenset({Role.COLLECTOR, Role.MONITORING_MANAGER, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Write-offs and recoveries"),
        "loan-changes:write-offs",
        frozenset({Role.RISK_MANAGER, Role.ACCOUNTANT, Role.ADMINISTRATOR}),
    ),
    NavItem(_("My agenda"), "committee:agenda", frozenset({Role.COMMITTEE_MEMBER})),
    NavItem(
        _("Corrections of identity"),
        "applications:identity-correction-queue",
        frozenset({Role.CREDIT_ADMINISTRATOR, Role.MONITORING_MANAGER, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("Inspections due"),
        "collateral:inspection-queue",
        frozenset({Role.MONITORING_MANAGER, Role.ADMINISTRATOR, Role.RISK_MANAGER}),
    ),
    NavItem(
        _("Credit committee"),
        "committee:meetings",
        frozenset({Role.COMMITTEE_MEMBER, Role.ADMINISTRATOR, Role.RISK_MANAGER}),
    ),
    NavItem(_("Risk: k1"), "risk:dashboard", frozenset({Role.RISK_MANAGER, Role.ADMINISTRATOR})),
    NavItem(
        _("Risk: portfolio figures"),
        "risk-figures:page",
        frozenset({Role.RISK_MANAGER, Role.ADMINISTRATOR}),
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
        WorkQueue(
            _("My open applications, overdue stages first"),
            _("You have no open applications."),
            rows="applications.queues.home_queue_rows",
        ),
        WorkQueue(
            _("Contracts to prepare"),
            _("No contracts to prepare."),
            rows="loans.queues.contracts_to_prepare_rows",
        ),
        WorkQueue(
            _("Contracts awaiting signature"),
            _("No contracts await signature."),
            rows="loans.queues.contracts_to_sign_rows",
        ),
        WorkQueue(
            _("Changes of terms approved, to sign"),
            _("No approved change of terms waits for its additional agreement."),
            rows="loans.queues.restructurings_to_sign_rows",
        ),
    ),
    Role.COMMITTEE_MEMBER: (
        WorkQueue(
            _("Applications on the committee agenda"),
            _("The agenda is empty."),
            rows="applications.queues.home_agenda_rows",
        ),
    ),
    Role.ACCOUNTANT: (
        WorkQueue(
            _("Signed contracts to disburse"),
            _("Nothing to disburse."),
            rows="loans.queues.disbursement_rows",
        ),
        WorkQueue(
            _("Instalments due today"),
            _("No instalment falls due today."),
            rows="loans.queues.payments_due_rows",
        ),
    ),
    Role.MONITORING_MANAGER: (
        WorkQueue(
            _("Collateral inspections due"),
            _("No inspections are due."),
            rows="collateral.queues.home_inspection_rows",
        ),
        WorkQueue(
            _("Corrections of identity to decide"),
            _("No correction of identity awaits your decision."),
            rows="applications.identity_views.home_correction_rows",
        ),
    ),
    Role.COLLECTOR: (
        WorkQueue(
            _("Promises to pay due today"),
            _("No promises fall due today."),
            rows="loans.queues.promises_due_rows",
        ),
        WorkQueue(
            _("The latest loans"),
            _("No loan is late."),
            rows="loans.queues.most_late_rows",
        ),
    ),
    Role.RISK_MANAGER: (
        WorkQueue(
            _("Prudential alerts"), _("No alerts."), rows="prudential.queues.home_alert_rows"
        ),
        WorkQueue(
            _("Action plan deadlines"),
            _("No open action plans."),
            rows="prudential.queues.home_plan_rows",
        ),
    ),
    Role.ADMINISTRATOR: (WorkQueue(_("Users without a role"), _("Every user has a role.")),),
}


def _reverses(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def navigation_for(user) -> list[NavItem]:
    """The user's menu; an item whose page is not installed (yet) is left out, not an error."""
    roles = user_roles(user)
    return [item for item in NAVIGATION if item.roles & roles and _reverses(item.url_name)]


def work_queues_for(user) -> list[tuple[Role, tuple[FilledQueue, ...]]]:
    roles = user_roles(user)
    return [
        (role, tuple(queue.for_user(user) for queue in queues))
        for role, queues in WORK_QUEUES.items()
        if role in roles
    ]
