"""``manage.py close_day --date D``: close a business date (catching up, or re-running)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loans.services import close_day


class Command(BaseCommand):
    help = (
        "Run the daily close for a date (default: yesterday). Missed dates before it are "
        "closed first; a date already closed is re-run with every later closed date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="on", help="YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, on=None, **options):
        try:
            day = date.fromisoformat(on) if on else timezone.localdate() - timedelta(days=1)
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        if day >= timezone.localdate():
            raise CommandError("--date: only a day that has ended can be closed.")
        result = close_day(on=day)
        for closed in result.dates:
            self.stdout.write(f"closed {closed.isoformat()}")
        self.stdout.write(f"{result.loans} loans, {result.entries_posted} entries posted")
