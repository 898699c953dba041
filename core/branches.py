"""Whose files a user may see when the MFO works through branches (issue 9, item 4).

The one place that decides it. A user assigned to a branch (``core.BranchStaff``, set in the
admin) sees only that branch's files, whatever the role; a user with no branch works at head
office and sees every branch, so an MFO that assigns nobody sees nothing change. A branch
system's API token acts as its user, so a token's user with a branch is scoped the same way.
An integration account (the branch-system role) is the exception (issue 15, item 4): with no
branch it sees nothing at all, unless it holds the all-branches grant (the group
``ALL_BRANCHES_GROUP``) that ``manage.py create_branch_token --all-branches`` gives the head
office's own integration, on the record of the audit trail.

What a branch B sees:

- a **loan** booked at B (``Loan.branch``, chosen when the contract is drawn);
- an **application** registered at B (``Application.branch``, the registering user's branch)
  or whose loan is booked at B;
- an **applicant** registered at B (``Applicant.branch``), or with an application or a loan B
  sees: a borrower known at several branches is seen by each of them;
- a **correction of an applicant's identity** through its applicant;
- a **collateral item** or a **guarantee** through its application, a committee **agenda item**
  through its application; a **payment**, **demand** or **change of terms** through its loan.

This module is generic: each app says what a branch sees of its own files (the ``visible_*``
functions of ``applications.branches``, ``collateral.branches`` and ``loans.branches``, built
on ``scoped``), and the shell registers them by kind (``register_kinds``, from
``shell.branches.KINDS``). Lists show only what the user sees (``visible_*``); a page or an
endpoint that opens one file by its id answers 404 for a file of another branch, as if it did
not exist (``shell.branches.ROUTES``, checked for every page by its ``BranchScopeMiddleware``
and for every API call by its ``BranchScope``); an API input naming another branch's file by
its id is refused as an unknown id (``require_visible``).

New applicants and applications are registered at the user's branch (head office may choose
one for an application). A borrower known at another branch is taken on by registering an
application for them by their whole IIN/BIN on the page, which one who does not know it cannot
do; the API names the applicant by id, so there only an applicant the user already sees.

Not scoped, on purpose (``shell.branches.UNSCOPED``): the committee's meetings and minutes (the
committee decides for the whole MFO), the prudential and risk pages (figures of the whole MFO)
and the audit trail (administrators).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.relations import PrimaryKeyRelatedField

from core.errors import NotPermittedError
from core.roles import Role, has_role

_UNSET = object()

# The grant that lets an integration account with no branch see every branch: a group, not a
# role (it widens what the branch-system role sees, it allows nothing more).
ALL_BRANCHES_GROUP = "integration_all_branches"


def user_branch(user):
    """The branch the user works at, or None at head office (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_mfo_branch", _UNSET)
    if cached is _UNSET:
        from core.models import BranchStaff

        staff = BranchStaff.objects.select_related("branch").filter(user=user).first()
        cached = staff.branch if staff else None
        user._mfo_branch = cached
    return cached


def holds_all_branches_grant(user) -> bool:
    """Whether the user holds ``ALL_BRANCHES_GROUP`` (cached on the user object)."""
    cached = getattr(user, "_mfo_all_branches", None)
    if cached is None:
        cached = user.groups.filter(name=ALL_BRANCHES_GROUP).exists()
        user._mfo_all_branches = cached
    return cached


def sees_every_branch(user) -> bool:
    """Head office: a user with no branch, but an integration account only with the grant."""
    if user_branch(user) is not None:
        return False
    if not has_role(user, {Role.BRANCH_SYSTEM}):
        return True
    return holds_all_branches_grant(user)


def sees_no_branch(user) -> bool:
    """An integration account with neither a branch nor the all-branches grant."""
    return user_branch(user) is None and not sees_every_branch(user)


def default_branch(user):
    """The branch a new applicant or application of this user is registered at."""
    if sees_no_branch(user):  # it would register files that nobody's branch owns
        raise NotPermittedError(
            _("This integration account has no branch: ask an administrator to assign one."),
            code="no_branch",
        )
    return user_branch(user)


# --- what a branch sees: a condition on a model reached through ``prefix`` --------------------


def scoped(user, queryset: QuerySet, condition: Callable[..., Q], prefix: str = "") -> QuerySet:
    """The rows of ``queryset`` the user sees: ``condition(branch, prefix)`` at a branch, all
    of them at head office, none for an integration account without a scope."""
    branch = user_branch(user)
    if branch is not None:
        return queryset.filter(condition(branch, prefix))
    return queryset if sees_every_branch(user) else queryset.none()


def choices_seen_by(visible: Callable[..., QuerySet]) -> Callable:
    """The ``queryset`` of a list filter naming a file by id (django-filter calls it with the
    request): only what the user sees, so another branch's id is as unknown as a wrong one."""

    def queryset(request) -> QuerySet:
        user = getattr(request, "user", None)
        return visible(user) if user is not None else visible(None).none()

    return queryset


# --- the kinds of file a URL or an API input may name, each with what a user sees of it --------

# Filled by the shell (``shell.branches.KINDS``) when the apps are ready.
KINDS: dict[str, Callable[[object], QuerySet]] = {}


def register_kinds(kinds: Mapping[str, Callable[[object], QuerySet]]) -> None:
    KINDS.update(kinds)


def is_visible(user, kind: str, pk) -> bool:
    if sees_every_branch(user):
        return True
    return KINDS[kind](user).filter(pk=pk).exists()


def get_visible_or_404(user, kind: str, pk) -> None:
    if not is_visible(user, kind, pk):
        raise Http404


def require_visible(user, kind: str, obj, *, field: str) -> None:
    """For an API input naming a file by its id: another branch's answers as a missing id."""
    if obj is not None and not is_visible(user, kind, obj.pk):
        message = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
        raise ValidationError(
            {field: [ErrorDetail(str(message).format(pk_value=obj.pk), code="does_not_exist")]}
        )
