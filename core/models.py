from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what to which object, when, with the data. Append-only: never edited or deleted."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), null=True, blank=True, on_delete=models.PROTECT
    )
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class CalendarDay(models.Model):
    """An administrator's exception to the Kazakhstan calendar of the `holidays` package.

    Transferred days off are announced by the government each year; this table carries them
    (and any correction) so that a change is data, not code.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class RegulatoryValue(models.Model):
    """A number set by regulation or by the MFO's rules, in force from a date (DOMAIN.md §12).

    A new year's MRP or a new GESV cap is a new row, never a code change; the value in force on
    a date is the row with the latest ``effective_from`` not after it.
    """

    class Key(models.TextChoices):
        MRP = "mrp", _("Monthly calculation index (MRP), KZT")
        GESV_CAP = "gesv_cap", _("GESV cap, % a year")
        GESV_CAP_DAILY = "gesv_cap_daily", _("GESV cap per day, %")
        PENALTY_DAILY_MAX = (
            "penalty_daily_max",
            # xgettext:no-python-format
            _("Penalty cap, % of the overdue amount a day"),
        )
        PENALTY_YEAR_SHARE_MAX = (
            "penalty_year_share_max",
            # xgettext:no-python-format
            _("Penalty cap per contract year, % of the loan amount"),
        )
        PENALTY_STOP_DAYS = "penalty_stop_days", _("No penalty or interest after days overdue")
        OVERDUE_STOP_SCOPE = (
            "overdue_stop_scope",
            _("What stops after those days: 1 penalties only, 2 penalties and all interest"),
        )
        DEBT_BURDEN_LIMIT = "debt_burden_limit", _("Debt-burden limit (ratio)")
        K1_OVERDUE90_LIMIT = "k1_overdue90_limit", _("k1 limit on loans overdue over 90 days, %")
        FIRST_PAYMENT_MAX_DAYS = "first_payment_max_days", _("First payment at most, days")
        PREPAYMENT_MIN_PAYMENTS = (
            "prepayment_min_payments",
            _("Partial prepayment at least, scheduled payments"),
        )
        ACCELERATION_DAY = "acceleration_day", _("Acceleration allowed from day of delay")
        MISUSE_FINE = "misuse_fine", _("Fine for misuse of a targeted loan, %")
        INSURANCE_EXCESS_DAYS = (
            "insurance_excess_days",
            _("Insurance excess paid to the pledgor within, business days"),
        )
        ACTION_PLAN_SUBMIT_DAYS = (
            "action_plan_submit_days",
            _("k1 action plan submitted within, business days"),
        )
        ACTION_PLAN_MIN_MONTHS = (
            "action_plan_min_months",
            _("k1 action plan covers at least, months"),
        )
        ACTION_PLAN_REPLY_DAYS = (
            "action_plan_reply_days",
            _("Regulator answers the plan within, business days"),
        )
        ACTION_PLAN_APPROVAL_DAYS = (
            "action_plan_approval_days",
            _("k1 action plan approved within, business days"),
        )
        RETURN_NOTICE_DAYS = "return_notice_days", _("Notice of return under the limit, days")
        MIN_CAPITAL = "min_capital", _("Minimum own capital, KZT")
        K1_CAPITAL_ADEQUACY_MIN = "k1_capital_adequacy_min", _("k1 capital adequacy at least")
        K2_SINGLE_BORROWER_MAX = "k2_single_borrower_max", _("k2 single-borrower risk at most")
        K3_LEVERAGE_MAX = "k3_leverage_max", _("k3 leverage at most")
        CREDIT_FILE_RETENTION_YEARS = (
            "credit_file_retention_years",
            _("Credit file kept after closure, years"),
        )

    class LoanClass(models.TextChoices):
        ANY = "", _("All loans")
        SHORT_SMALL = "short_small", _("Up to 45 days and up to 45 MRP")
        INDIVIDUAL = "individual", _("Loans to individuals (non-business)")
        OVERDUE_HISTORY = (
            "overdue_history",
            _("Borrower over 90 days overdue in the last 12 months"),
        )

    key = models.CharField(_("regulatory figure"), max_length=40, choices=Key.choices)
    loan_class = models.CharField(
        _("applies to"), max_length=30, choices=LoanClass.choices, blank=True, default=""
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    effective_from = models.DateField(_("in force from"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    needs_verification = models.BooleanField(
        _("to verify"), default=False, help_text=_("Only secondary public sources were found.")
    )

    class Meta:
        verbose_name = _("regulatory number")
        verbose_name_plural = _("regulatory numbers")
        ordering = ["key", "loan_class", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "loan_class", "effective_from"], name="regulatory_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} = {self.value} ({self.effective_from})"

    def clean(self) -> None:
        super().clean()
        if self.key == self.Key.OVERDUE_STOP_SCOPE and self.value not in OVERDUE_STOP_CODES:
            raise ValidationError(
                {"value": _("Enter 1 (penalties only) or 2 (penalties and all interest).")}
            )


class OverdueStop(models.TextChoices):
    """The two readings of the Law's stop after 90 days overdue (DOMAIN.md §12); the dated
    regulatory value ``overdue_stop_scope`` chooses one by its code, the contract keeps it."""

    PENALTY = "penalty", _("penalties stop; interest goes on")
    PENALTY_AND_INTEREST = "penalty_and_interest", _("penalties and all interest stop")


# The regulatory table holds numbers: the code of each reading.
OVERDUE_STOP_CODES = {1: OverdueStop.PENALTY, 2: OverdueStop.PENALTY_AND_INTEREST}


class Branch(models.Model):
    """A branch of the MFO; loans are booked at one and reported by it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        db_table = "loans_branch"  # began in the loans app; the table kept its name
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]

    def __str__(self) -> str:
        language = (get_language() or "ru")[:2]
        return {"kk": self.name_kk, "en": self.name_en}.get(language, self.name_ru)


class BranchStaff(models.Model):
    """A user who works at one branch and sees only its files (``core.branches``).

    A user without this row works at head office and sees every branch; an MFO that assigns
    nobody to a branch sees nothing change. Not an integration (branch-system) account: without
    this row it sees nothing unless granted all branches (``create_branch_token``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="branch_staff",
        verbose_name=_("user"),
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="staff", verbose_name=_("branch")
    )

    class Meta:
        db_table = "loans_branchstaff"
        verbose_name = _("branch staff member")
        verbose_name_plural = _("branch staff")

    def __str__(self) -> str:
        return f"{self.user} · {self.branch}"
