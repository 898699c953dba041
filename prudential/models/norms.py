"""The other MFO norms of res. 192: the monthly balance-sheet figures they read, the groups of
related borrowers k2 counts as one, and each date's verdicts (DOMAIN.md §12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import MONEY

# A ratio at 8 places; wide enough for liabilities over a capital of one tiyn.
RATIO = {"max_digits": 28, "decimal_places": 8}


class MonthlyFinancials(models.Model):
    """Own capital, assets and liabilities of a month, as the accountant reports them."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CSV = "csv", _("Imported from a CSV file")

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    own_capital = models.DecimalField(_("own capital, KZT"), **MONEY)
    assets = models.DecimalField(_("assets, KZT"), **MONEY)
    liabilities = models.DecimalField(_("liabilities, KZT"), **MONEY)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly financial figures")
        verbose_name_plural = _("monthly financial figures")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="financials_month_first_day"),
            models.CheckConstraint(condition=Q(assets__gt=0), name="financials_assets_positive"),
            models.CheckConstraint(
                condition=Q(liabilities__gte=0), name="financials_liabilities_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m.%Y}"


class BorrowerGroup(models.Model):
    """Related borrowers whose debts k2 adds up as one risk; a borrower is in one group at most."""

    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        "applications.Applicant",
        through="BorrowerGroupMember",
        related_name="borrower_groups",
        verbose_name=_("borrowers"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("group of related borrowers")
        verbose_name_plural = _("groups of related borrowers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class BorrowerGroupMember(models.Model):
    """A borrower's place in its group; one row per borrower, so one group at most."""

    group = models.ForeignKey(BorrowerGroup, on_delete=models.CASCADE, related_name="memberships")
    applicant = models.OneToOneField(
        "applications.Applicant", on_delete=models.PROTECT, related_name="borrower_group_membership"
    )

    class Meta:
        verbose_name = _("member of a group of related borrowers")
        verbose_name_plural = _("members of groups of related borrowers")

    def __str__(self) -> str:
        return f"{self.group} {self.applicant_id}"


class NormsRun(models.Model):
    """The norms on a date, with the figures they were computed from; a re-run replaces it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Computing")
        DONE = "done", _("Done")

    on = models.DateField(_("date"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    financials = models.ForeignKey(
        MonthlyFinancials,
        on_delete=models.PROTECT,
        related_name="runs",
        null=True,
        blank=True,
        verbose_name=_("monthly figures used"),
    )
    own_capital = models.DecimalField(_("own capital, KZT"), **MONEY, default=0)
    assets = models.DecimalField(_("assets, KZT"), **MONEY, default=0)
    liabilities = models.DecimalField(_("liabilities, KZT"), **MONEY, default=0)
    min_capital = models.DecimalField(_("minimum capital, KZT"), **MONEY, default=0)
    min_capital_breached = models.BooleanField(_("minimum capital breached"), default=False)
    k1a = models.DecimalField(_("k1 capital adequacy"), **RATIO, null=True, blank=True)
    k1a_min = models.DecimalField(_("k1 at least"), **RATIO, default=0)
    k1a_breached = models.BooleanField(_("k1 breached"), default=False)
    k2 = models.DecimalField(_("k2 single-borrower risk"), **RATIO, null=True, blank=True)
    k2_max = models.DecimalField(_("k2 at most"), **RATIO, default=0)
    k2_breached = models.BooleanField(_("k2 breached"), default=False)
    # Whom k2 concerns: a group of related borrowers, or one borrower outside any group.
    k2_group = models.ForeignKey(
        BorrowerGroup,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("group of related borrowers"),
    )
    k2_borrower = models.ForeignKey(
        "applications.Applicant",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("borrower"),
    )
    k2_subject = models.CharField(_("largest exposure, to"), max_length=300, blank=True)
    k2_exposure = models.DecimalField(_("largest exposure, KZT"), **MONEY, default=0)
    k2_limit_amount = models.DecimalField(_("k2 limit, KZT"), **MONEY, default=0)
    k3 = models.DecimalField(_("k3 leverage"), **RATIO, null=True, blank=True)
    k3_max = models.DecimalField(_("k3 at most"), **RATIO, default=0)
    k3_breached = models.BooleanField(_("k3 breached"), default=False)
    breached = models.BooleanField(_("a norm is breached"), default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("MFO norms run")
        verbose_name_plural = _("MFO norms runs")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"norms {self.on}"
