"""``manage.py prudential_run --date D``: compute k1 for a closed date and print the verdict."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from prudential.services import k1_run


class Command(BaseCommand):
    help = "Compute the k1 overdue-90 share for a closed date (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="on", help="YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, on=None, **options):
        try:
            day = date.fromisoformat(on) if on else timezone.localdate() - timedelta(days=1)
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        try:
            run = k1_run(on=day)
        except DomainError as error:
            raise CommandError(f"--date: {error.message}") from error
        verdict = "BREACHED" if run.breached else "within the limit"
        kind = "reporting date" if run.official else "daily figure"
        self.stdout.write(
            f"k1 {run.on.isoformat()} ({kind}): MM90 {run.mm90} KZT / LP {run.portfolio} KZT "
            f"= {run.share:.4f} %, limit {run.limit:.2f} %: {verdict}"
        )
