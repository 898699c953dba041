"""Money movements of loans, the payments behind them, the nightly snapshots (DOMAIN.md §8–§9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY
from loans.domain.ledger import Component, Kind
from loans.models.loans import Loan

EXACT = {"max_digits": 30, "decimal_places": 12}  # accumulators rounded only when posted


class Payment(models.Model):
    """Money received for a loan; its ledger entries say where it went."""

    class Channel(models.TextChoices):
        CASH = "cash", _("Cash at the MFO's desk")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        TRANSFER = "transfer", _("Moved from the borrower's closed contract")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount, KZT"), **MONEY)
    value_date = models.DateField(_("value date"))
    channel = models.CharField(_("paid by"), max_length=20, choices=Channel.choices)
    reference = models.CharField(_("payment document number"), max_length=100, blank=True)
    payer = models.CharField(_("payer"), max_length=300, blank=True)
    # The client's key: the same key twice posts once (per user who sent it).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True)
    moved_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="moved_to"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-value_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["received_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="payment_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.amount} {self.value_date}"


class LedgerEntry(models.Model):
    """An immutable, dated movement of one component of a loan's debt (signed, see domain.ledger).

    Nothing updates or deletes a row: ``save`` refuses, and on PostgreSQL a trigger refuses
    even raw SQL. A correction is a ``REVERSAL`` entry pointing at the entry it cancels.
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="entries")
    value_date = models.DateField(_("value date"))
    kind = models.CharField(_("kind"), max_length=30, choices=[(k.value, k.value) for k in Kind])
    component = models.CharField(
        _("component"), max_length=12, choices=[(c.value, c.value) for c in Component]
    )
    amount = models.DecimalField(_("amount, KZT"), **MONEY)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["value_date", "id"]
        indexes = [models.Index(fields=["loan", "value_date"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_reversal_points_at_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value_date} {self.kind} {self.component} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are immutable; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are immutable; post a reversal instead.")


class DayClose(models.Model):
    """A business date the daily close has run for; a re-run updates its counts."""

    business_date = models.DateField(_("business date"), unique=True)
    loans = models.PositiveIntegerField(_("loans"), default=0)
    entries_posted = models.PositiveIntegerField(_("entries posted"), default=0)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    finished_at = models.DateTimeField(_("finished at"), auto_now=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("daily close")
        verbose_name_plural = _("daily closes")
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return str(self.business_date)


class ReclosedDay(models.Model):
    """A closed date some loan's figures were re-run for after the night (a backdated
    posting): what was computed from that date's snapshots (k1, the norms) is due again."""

    on = models.DateField(unique=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("re-closed date")
        verbose_name_plural = _("re-closed dates")

    def __str__(self) -> str:
        return str(self.on)


class LoanSnapshot(models.Model):
    """A loan at the end of a business date, as the daily close left it; reports read these.

    Derived data: a re-run of the date replaces the row. The accumulators carry the exact
    accruals from one day to the next.
    """

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="snapshots")
    on = models.DateField(_("date"))
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest due"), **MONEY)
    penalty = models.DecimalField(_("penalty"), **MONEY)
    held = models.DecimalField(_("held for the next instalment"), **MONEY)
    overdue_principal = models.DecimalField(_("overdue principal"), **MONEY)
    overdue_interest = models.DecimalField(_("overdue interest"), **MONEY)
    accrued_interest = models.DecimalField(_("interest accrued, not yet due"), **MONEY)
    days_past_due = models.PositiveIntegerField(_("days past due"))
    late_since = models.DateField(null=True, blank=True)
    interest_accrued_total = models.DecimalField(**MONEY)
    # The schedule's cumulative totals on this date.
    principal_due = models.DecimalField(**MONEY)
    interest_due = models.DecimalField(**MONEY)
    principal_late = models.DecimalField(**MONEY)
    interest_late = models.DecimalField(**MONEY)
    last_due_date = models.DateField(null=True, blank=True)
    # Accruals, cumulative since disbursement.
    scheduled_interest_posted = models.DecimalField(**MONEY)
    late_principal_days = models.DecimalField(**MONEY)
    overdue_interest_base = models.DecimalField(**EXACT, default=0)
    overdue_interest_posted = models.DecimalField(**MONEY)
    penalty_exact = models.DecimalField(**EXACT)
    penalty_exact_this_year = models.DecimalField(**EXACT)
    penalty_posted = models.DecimalField(**MONEY)
    # The full stop after days overdue (DOMAIN.md §12): scheduled interest not charged so far,
    # and the days of the current period on which no interest accrued.
    interest_waived = models.DecimalField(**MONEY, default=0)
    period_stopped_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("loan snapshot")
        verbose_name_plural = _("loan snapshots")
        ordering = ["loan", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["on", "loan"], name="snapshot_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.on}"
