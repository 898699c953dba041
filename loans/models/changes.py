"""What changes a loan after disbursement, and how it ends (DOMAIN.md §7–§9).

Each schedule the loan ever had is kept (``ScheduleVersion`` with its instalment rows); the
borrower's applications and the MFO's decisions that changed it are recorded with who and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY, RATE
from lending.models import RepaymentMethod
from loans.models.ledger import Payment
from loans.models.loans import Loan


class ScheduleVersion(models.Model):
    """One version of a loan's schedule; its rows are ``Installment``s of the same version.

    The first ``history_lines`` rows repeat what was already due (or paid early) when the
    version took effect, so cumulative totals run from disbursement; the rest are the new
    schedule, which amortises ``amount`` from ``start_date``.
    """

    class Reason(models.TextChoices):
        CONTRACT = "contract", _("Draft schedule of the contract")
        DISBURSEMENT = "disbursement", _("Schedule fixed at disbursement")
        PARTIAL_PREPAYMENT = "partial_prepayment", _("Partial prepayment")
        FULL_PREPAYMENT = "full_prepayment", _("Full prepayment")
        RESTRUCTURING = "restructuring", _("Change of terms")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="schedule_versions")
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    effective_on = models.DateField(_("effective from"))
    history_lines = models.PositiveSmallIntegerField(default=0)
    amount = models.DecimalField(_("principal scheduled, KZT"), **MONEY)
    start_date = models.DateField(_("interest from"))
    annual_rate = models.DecimalField(_("rate, % a year"), **RATE)
    method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    grace_months = models.PositiveSmallIntegerField(_("principal grace, months"), default=0)
    payment = models.DecimalField(_("level payment"), **MONEY, null=True, blank=True)
    principal_part = models.DecimalField(_("level principal part"), **MONEY, null=True, blank=True)
    gesv = models.DecimalField(_("GESV, %"), max_digits=7, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        ordering = ["loan", "version"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "version"], name="schedule_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.loan} v{self.version}"


class Prepayment(models.Model):
    """A borrower's written application for a partial prepayment, and its execution."""

    class Mode(models.TextChoices):
        SHORTEN_TERM = "shorten_term", _("Shorter term, same payment")
        REDUCE_PAYMENT = "reduce_payment", _("Same term, smaller payment")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="prepayments")
    application_number = models.CharField(_("application number"), max_length=50, blank=True)
    applied_on = models.DateField(_("application date"))
    on = models.DateField(_("prepayment date"))
    amount = models.DecimalField(_("amount paid, KZT"), **MONEY)
    mode = models.CharField(_("rebuild"), max_length=20, choices=Mode.choices)
    due_paid = models.DecimalField(_("paid of what was due"), **MONEY)
    interest_paid = models.DecimalField(_("interest accrued to the date"), **MONEY)
    principal_paid = models.DecimalField(_("principal prepaid"), **MONEY)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="prepayment", null=True, blank=True
    )
    version = models.OneToOneField(
        ScheduleVersion, on_delete=models.PROTECT, related_name="prepayment"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partial prepayment")
        verbose_name_plural = _("partial prepayments")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.loan} {self.on} {self.amount}"


class Restructuring(models.Model):
    """The borrower's written request to change the terms, decided by the committee."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ON_AGENDA = "on_agenda", _("On the committee's agenda")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        APPLIED = "applied", _("Additional agreement signed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="restructurings")
    number = models.CharField(_("number"), max_length=40, unique=True)
    requested_on = models.DateField(_("request date"))
    reason = models.TextField(_("reason for the change"))
    annual_rate = models.DecimalField(_("new rate, % a year"), **RATE, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(
        _("instalments from the change"), null=True, blank=True
    )
    grace_months = models.PositiveSmallIntegerField(
        _("principal grace, months"), null=True, blank=True
    )
    method = models.CharField(
        _("repayment method"), max_length=20, choices=RepaymentMethod.choices, blank=True
    )
    consent_to_higher_rate = models.BooleanField(
        _("the borrower agrees in writing to a higher rate"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    votes_abstain = models.PositiveSmallIntegerField(default=0)
    decision_comment = models.TextField(_("committee's comment"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    applied_on = models.DateField(_("effective from"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version = models.OneToOneField(
        ScheduleVersion,
        on_delete=models.PROTECT,
        related_name="restructuring",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("change of terms")
        verbose_name_plural = _("changes of terms")
        ordering = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return self.number


class Demand(models.Model):
    """A written demand to the borrower: early repayment of the whole debt (more than 40 days
    late) or of the misused part of a targeted loan with the 10 % fine (DOMAIN.md §8)."""

    class Kind(models.TextChoices):
        ACCELERATION = "acceleration", _("Early repayment of the whole debt")
        MISUSE = "misuse", _("Misuse of a targeted loan")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="demands")
    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("demand"), max_length=20, choices=Kind.choices)
    issued_on = models.DateField(_("issued on"))
    pay_by = models.DateField(_("to be repaid by"))
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    principal = models.DecimalField(_("principal demanded"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY, default=0)
    penalty = models.DecimalField(_("penalty"), **MONEY, default=0)
    misused_amount = models.DecimalField(_("misused amount"), **MONEY, default=0)
    fine = models.DecimalField(_("fine"), **MONEY, default=0)
    details = models.TextField(_("facts found"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self):
        return self.principal + self.interest + self.penalty + self.fine


class WriteOff(models.Model):
    """The decision to move a loan off the balance sheet; the borrower still owes it."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="write_off")
    on = models.DateField(_("written off on"))
    decision_number = models.CharField(_("decision number"), max_length=50)
    decided_on = models.DateField(_("decision date"))
    decided_by_body = models.CharField(_("decided by"), max_length=200)
    reason = models.TextField(_("reason"))
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    penalty = models.DecimalField(_("penalty"), **MONEY)
    days_past_due = models.PositiveIntegerField(_("days past due"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.loan} {self.on}"


class Refund(models.Model):
    """Held money paid back to the borrower on their written application."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount, KZT"), **MONEY)
    on = models.DateField(_("paid on"))
    applied_on = models.DateField(_("application date"))
    account = models.CharField(_("borrower's account (IBAN)"), max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive")]

    def __str__(self) -> str:
        return f"{self.loan} {self.amount}"


class ArchivedFile(models.Model):
    """The credit file of a closed loan, in the archive until its retention period ends."""

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="archive")
    archived_on = models.DateField(_("archived on"))
    keep_until = models.DateField(_("kept until"))
    archived_by = models.ForeignKey(  # none when the daily close closed a repaid loan
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("archived credit file")
        verbose_name_plural = _("archived credit files")
        ordering = ["-archived_on"]

    def __str__(self) -> str:
        return f"{self.loan} → {self.keep_until}"
