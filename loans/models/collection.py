"""Collection work on late loans: every contact with its outcome (DOMAIN.md §8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loans.models.loans import Loan


class ContactRecord(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")

    class Outcome(models.TextChoices):
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        REACHED = "reached", _("Reached the borrower")
        NOT_REACHED = "not_reached", _("Could not reach")
        PROMISE = "promise", _("Promise to pay")
        REFUSED = "refused", _("Refuses to pay")
        WRONG_CONTACT = "wrong_contact", _("Wrong contact details")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    promised_amount = models.DecimalField(
        _("promised amount, KZT"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    promised_on = models.DateField(_("promised payment date"), null=True, blank=True)
    # For an automatic reminder: the instalment due date it reminds of (sent once).
    reminder_for = models.DateField(null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        ordering = ["-contacted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="promise")
                | (Q(promised_amount__gt=0) & Q(promised_on__isnull=False)),
                name="promise_has_amount_and_date",
            ),
            models.UniqueConstraint(
                fields=["loan", "reminder_for"],
                condition=Q(reminder_for__isnull=False),
                name="one_reminder_per_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.get_channel_display()} {self.contacted_at:%Y-%m-%d}"
