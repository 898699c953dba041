from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from core.audit import audit
from core.roles import Role


class Command(BaseCommand):
    help = (
        "Create (or rotate with --rotate) the API token of a branch-system user, creating the user."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="replace an existing token")

    @transaction.atomic
    def handle(self, *args, username: str, rotate: bool, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()  # a branch system never logs in with a password
            user.save()
            user.groups.add(Group.objects.get(name=Role.BRANCH_SYSTEM.value))
        elif not user.groups.filter(name=Role.BRANCH_SYSTEM.value).exists():
            raise CommandError(
                f"{username} is not a branch-system user; tokens are for those only."
            )
        if rotate:
            Token.objects.filter(user=user).delete()
        token, token_created = Token.objects.get_or_create(user=user)
        audit(user, "api.token_issued" if token_created else "api.token_shown", by=None)
        self.stdout.write(token.key)
