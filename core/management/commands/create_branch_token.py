from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.integrations import integration_token_issue


def _operator() -> str:
    """Who ran the command, for the audit trail: the OS account, else "system"."""
    try:
        return getpass.getuser() or "system"
    except (KeyError, OSError):  # no such account in a container's passwd, no LOGNAME
        return "system"


class Command(BaseCommand):
    help = (
        "Create (or rotate with --rotate) the API token of a branch-system user, creating the "
        "user, scoped to one branch (--branch) or, for the head office's own integration, to "
        "all branches (--all-branches)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument(
            "--branch", help="the code or id of the only branch whose files the token reaches"
        )
        scope.add_argument(
            "--all-branches",
            action="store_true",
            help="every branch: the head office's own integration (recorded in the audit)",
        )
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    def handle(self, *args, username: str, branch, all_branches: bool, rotate: bool, **options):
        try:
            issued = integration_token_issue(
                username=username,
                branch=branch,
                all_branches=all_branches,
                rotate=rotate,
                operator=_operator(),
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(issued.key)
        self.stderr.write(f"{username}: {issued.scope.replace('_', ' ')}")
