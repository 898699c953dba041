"""The nightly k1 figures, their warnings, and the k1 action plan (DOMAIN.md §11, §12)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY

SHARE = {"max_digits": 12, "decimal_places": 8}  # percent, unrounded to 8 places


class RiskSettings(models.Model):
    """What the risk manager sets: the early-warning threshold and the reporting dates."""

    class ReportingDay(models.TextChoices):
        MONTH_END = "month_end", _("The last day of each month")
        FIRST_OF_MONTH = "first_of_month", _("The first day of each month")

    warning_share = models.DecimalField(
        # xgettext:no-python-format
        _("warn when the share reaches, % of the limit"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
    )
    reporting_day = models.CharField(
        _("reporting date"),
        max_length=20,
        choices=ReportingDay.choices,
        default=ReportingDay.MONTH_END,
    )
    # IFRS 9 provision rates by stage (days past due 0–30, 31–90, over 90): the MFO's own.
    provision_stage1 = models.DecimalField(
        _("provision, stage 1 (0–30 days), %"), max_digits=6, decimal_places=2, default=Decimal(1)
    )
    provision_stage2 = models.DecimalField(
        _("provision, stage 2 (31–90 days), %"), max_digits=6, decimal_places=2, default=Decimal(20)
    )
    provision_stage3 = models.DecimalField(
        _("provision, stage 3 (over 90 days), %"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(100),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class K1Run(models.Model):
    """The k1 overdue-90 share on a date, with its inputs; a re-run of the date replaces it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Computing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    on = models.DateField(_("date"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    official = models.BooleanField(_("reporting date"), default=False)
    mm90 = models.DecimalField(_("MM90, KZT"), **MONEY, default=0)
    portfolio = models.DecimalField(_("loan portfolio (LP), KZT"), **MONEY, default=0)
    share = models.DecimalField(_("share L, %"), **SHARE, default=0)
    limit = models.DecimalField(_("limit, %"), max_digits=7, decimal_places=4, default=0)
    breached = models.BooleanField(_("limit breached"), default=False)
    loans = models.PositiveIntegerField(_("loans in the portfolio"), default=0)
    loans_over_90 = models.PositiveIntegerField(_("loans over 90 days"), default=0)
    # Loans 61–90 days overdue: the share if they all crossed 90 days unpaid.
    exposure_61_90 = models.DecimalField(_("61–90 days overdue, KZT"), **MONEY, default=0)
    share_if_61_90_cross = models.DecimalField(
        _("share if they cross 90 days, %"), **SHARE, default=0
    )
    reading = models.TextField(_("how MM90 is counted"), blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("k1 run")
        verbose_name_plural = _("k1 runs")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"k1 {self.on}"


class K1Loan(models.Model):
    """A loan counted in MM90 on a run's date: the figures trace back to loans."""

    run = models.ForeignKey(K1Run, on_delete=models.CASCADE, related_name="mm90_loans")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="+")
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    days_past_due = models.PositiveIntegerField(_("days past due"))
    written_off = models.BooleanField(_("written off"), default=False)

    class Meta:
        verbose_name = _("loan in MM90")
        verbose_name_plural = _("loans in MM90")
        constraints = [models.UniqueConstraint(fields=["run", "loan"], name="k1_loan_once")]

    def __str__(self) -> str:
        return f"{self.run} {self.loan_id}"


class Alert(models.Model):
    """A prudential warning for the risk managers; each kind once per date."""

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("The share passed the warning threshold")
        WOULD_BREACH = "would_breach", _("Loans 61–90 days late would breach the limit")
        BREACH = "breach", _("The limit is breached on a reporting date")
        BACK_UNDER = "back_under", _("The share is back within the limit")
        DEADLINE_MISSED = "deadline_missed", _("An action-plan deadline was missed")
        NORM_BREACH = "norm_breach", _("An MFO norm is breached")

    on = models.DateField(_("date"))
    kind = models.CharField(_("alert"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message"))
    run = models.ForeignKey(K1Run, on_delete=models.SET_NULL, null=True, blank=True)
    plan = models.ForeignKey(
        "prudential.ActionPlan", on_delete=models.CASCADE, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("prudential alert")
        verbose_name_plural = _("prudential alerts")
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["on", "kind"], condition=Q(plan__isnull=True), name="alert_once_a_day"
            ),
            models.UniqueConstraint(
                fields=["on", "kind", "plan"],
                condition=Q(plan__isnull=False),
                name="plan_alert_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class ActionPlan(models.Model):
    """The plan to bring the overdue-90 share back within the limit after a breach (seed 001)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the regulator")
        REMARKS = "remarks", _("Remarks from the regulator")
        APPROVED = "approved", _("Approved by the regulator")

    run = models.OneToOneField(K1Run, on_delete=models.PROTECT, related_name="action_plan")
    reporting_date = models.DateField(_("reporting date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submit_by = models.DateField(_("submit to the regulator by"))
    approve_by = models.DateField(_("approved by the regulator by"))
    period_from = models.DateField(_("plan from"))
    period_to = models.DateField(_("plan to"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    reply_by = models.DateField(_("regulator answers by"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("k1 action plan")
        verbose_name_plural = _("k1 action plans")
        ordering = ["-reporting_date"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.reporting_date}"


class Measure(models.Model):
    """One measure of a plan: what, how, by when, and the one manager responsible."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="measures")
    what = models.TextField(_("measure"))
    how = models.TextField(_("how it is done"))
    deadline = models.DateField(_("deadline"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible manager"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.what[:60]


class PlanNote(models.Model):
    """The regulator's remarks on a plan and the MFO's objections to them."""

    class Kind(models.TextChoices):
        REMARK = "remark", _("Regulator's remark")
        OBJECTION = "objection", _("The MFO's objection")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    text = models.TextField(_("text"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan note")
        verbose_name_plural = _("plan notes")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


class ReturnNotice(models.Model):
    """The notice to the regulator that the share is back within the limit (seed 001)."""

    run = models.OneToOneField(K1Run, on_delete=models.PROTECT, related_name="return_notice")
    reporting_date = models.DateField(_("reporting date"))
    due_by = models.DateField(_("send by"))
    text = models.TextField(_("notice"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("notice of return within the limit")
        verbose_name_plural = _("notices of return within the limit")
        ordering = ["-reporting_date"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.reporting_date}"
