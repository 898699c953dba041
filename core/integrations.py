"""Integration accounts (the branch-system role) and their API tokens (issue 15, item 4).

An integration is issued a token for a scope, always named: one branch (it then works on that
branch's files only, ``core.branches``), or all branches for the head office's own integration,
a grant that the audit trail records with the operator who gave it. Without either it sees
nothing. ``manage.py create_branch_token`` is the only caller; it runs without a request user,
so the operator is the account that ran it (the OS user), kept in the audit event's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.audit import audit
from core.branches import ALL_BRANCHES_GROUP
from core.errors import DomainError
from core.roles import Role

ALL_BRANCHES = "all_branches"
NO_SCOPE = "none"


@dataclass(frozen=True)
class IssuedToken:
    key: str
    created: bool  # a new key (a new account, or --rotate); else the existing one, shown again
    scope: str  # "branch:<code>" or ALL_BRANCHES


def _branch(reference: str):
    """A branch by its code, else by its id."""
    from core.models import Branch

    reference = str(reference).strip()
    branch = Branch.objects.filter(code=reference).first()
    if branch is None and reference.isdigit():
        branch = Branch.objects.filter(pk=int(reference)).first()
    if branch is None:
        raise DomainError(
            _("There is no branch %(branch)s: give a branch's code or id.")
            % {"branch": repr(reference)},
            field="branch",
            code="unknown_branch",
        )
    return branch


def _scope_of(user) -> str:
    from core.models import BranchStaff

    staff = BranchStaff.objects.select_related("branch").filter(user=user).first()
    if staff is not None:
        return f"branch:{staff.branch.code}"
    return ALL_BRANCHES if user.groups.filter(name=ALL_BRANCHES_GROUP).exists() else NO_SCOPE


@transaction.atomic
def integration_token_issue(
    *, username: str, branch: str | None, all_branches: bool, rotate: bool, operator: str
) -> IssuedToken:
    """Create the integration account if new, set its scope, and issue (or show) its token.

    Exactly one of ``branch`` (a code or an id) and ``all_branches``. The account's row is
    locked, so two runs for one account apply one after the other.
    """
    from core.models import BranchStaff

    if (branch is None) == (not all_branches):
        raise DomainError(
            _("Name the integration's branch, or grant it all branches: one of the two."),
            field="branch",
            code="scope_required",
        )
    target = _branch(branch) if branch is not None else None
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    user = User.objects.select_for_update().get(pk=user.pk)
    if created:
        user.set_unusable_password()  # an integration never logs in with a password
        user.save()
        user.groups.add(Group.objects.get(name=Role.BRANCH_SYSTEM.value))
    elif not user.groups.filter(name=Role.BRANCH_SYSTEM.value).exists():
        raise DomainError(
            _("%(username)s is not a branch-system user; tokens are for those only.")
            % {"username": username},
            field="username",
            code="not_an_integration",
        )

    before = NO_SCOPE if created else _scope_of(user)
    grant, _group_created = Group.objects.get_or_create(name=ALL_BRANCHES_GROUP)
    if target is not None:
        BranchStaff.objects.update_or_create(user=user, defaults={"branch": target})
        user.groups.remove(grant)
        scope = f"branch:{target.code}"
    else:
        BranchStaff.objects.filter(user=user).delete()
        user.groups.add(grant)
        scope = ALL_BRANCHES
    if scope != before:
        audit(
            user,
            "api.integration_scope_set",
            by=None,
            data={"operator": operator, "from": before, "to": scope},
        )

    if rotate:
        Token.objects.filter(user=user).delete()
    token, token_created = Token.objects.get_or_create(user=user)
    audit(
        user,
        "api.token_issued" if token_created else "api.token_shown",
        by=None,
        data={"operator": operator, "scope": scope},
    )
    return IssuedToken(key=token.key, created=token_created, scope=scope)
