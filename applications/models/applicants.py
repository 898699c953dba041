from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.identifiers import validate_bin, validate_iin
from core.money import MONEY


class ApplicantKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ENTREPRENEUR = "individual_entrepreneur", _("Individual entrepreneur")
    LEGAL_ENTITY = "legal_entity", _("Legal entity")


class Region(models.TextChoices):
    ASTANA = "astana", _("Astana")
    ALMATY_CITY = "almaty_city", _("Almaty")
    SHYMKENT = "shymkent", _("Shymkent")
    ABAI = "abai", _("Abai region")
    AKMOLA = "akmola", _("Akmola region")
    AKTOBE = "aktobe", _("Aktobe region")
    ALMATY = "almaty", _("Almaty region")
    ATYRAU = "atyrau", _("Atyrau region")
    EAST_KAZAKHSTAN = "east_kazakhstan", _("East Kazakhstan region")
    JAMBYL = "jambyl", _("Jambyl region")
    JETISU = "jetisu", _("Jetisu region")
    WEST_KAZAKHSTAN = "west_kazakhstan", _("West Kazakhstan region")
    KARAGANDA = "karaganda", _("Karaganda region")
    KOSTANAY = "kostanay", _("Kostanay region")
    KYZYLORDA = "kyzylorda", _("Kyzylorda region")
    MANGYSTAU = "mangystau", _("Mangystau region")
    PAVLODAR = "pavlodar", _("Pavlodar region")
    NORTH_KAZAKHSTAN = "north_kazakhstan", _("North Kazakhstan region")
    TURKISTAN = "turkistan", _("Turkistan region")
    ULYTAU = "ulytau", _("Ulytau region")


class LendingPolicy(models.Model):
    """The MFO's own settings for who it lends to and how its committee decides (one row)."""

    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age of an entrepreneur"), default=65)
    served_regions = models.JSONField(
        _("regions served"), default=list, blank=True, help_text=_("Empty: every region.")
    )
    excluded_activities = models.JSONField(
        _("activity codes not financed"),
        default=list,
        blank=True,
        help_text=_("Codes of the activity classifier (OKED); a code excludes its sub-codes."),
    )
    committee_quorum = models.PositiveSmallIntegerField(
        _("committee quorum, members voting"), default=3, validators=[MinValueValidator(2)]
    )
    committee_majority = models.DecimalField(
        _("share of votes for needed to approve"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(1))],
        help_text=_("Approval needs more than this share of the votes cast."),
    )
    max_upload_mb = models.PositiveSmallIntegerField(_("largest document upload, MB"), default=10)

    class Meta:
        verbose_name = _("lending policy")
        verbose_name_plural = _("lending policy")
        constraints = [
            # nobody approves alone: a committee of one is not a committee
            models.CheckConstraint(condition=Q(committee_quorum__gte=2), name="policy_quorum_2")
        ]

    def __str__(self) -> str:
        return str(_("Lending policy"))


class Applicant(models.Model):
    kind = models.CharField(_("type"), max_length=30, choices=ApplicantKind.choices)
    iin = models.CharField(_("IIN"), max_length=12, blank=True, validators=[validate_iin])
    bin = models.CharField(_("BIN"), max_length=12, blank=True, validators=[validate_bin])
    name = models.CharField(_("full name or company name"), max_length=300)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    legal_address = models.CharField(_("registered address"), max_length=400, blank=True)
    actual_address = models.CharField(_("actual address"), max_length=400, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices)
    tax_registration_date = models.DateField(
        _("registered with the tax authority on"), null=True, blank=True
    )
    activity = models.CharField(_("activity"), max_length=300, blank=True)
    activity_code = models.CharField(_("activity code (OKED)"), max_length=20, blank=True)
    monthly_income = models.DecimalField(
        _("average monthly income, KZT"),
        **MONEY,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    existing_monthly_payments = models.DecimalField(
        _("monthly payments on existing loans, KZT"),
        **MONEY,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    overdue_90_last_12_months = models.BooleanField(
        _("over 90 days overdue in the last 12 months"), default=False
    )
    in_liquidation = models.BooleanField(
        _("in liquidation, bankruptcy or under arrest"), default=False
    )
    offshore = models.BooleanField(_("registered offshore"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    # where the applicant was registered; empty at head office (who sees it: core.branches)
    branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iin"], condition=~Q(iin=""), name="applicant_iin_unique"
            ),
            models.UniqueConstraint(
                fields=["bin"], condition=~Q(bin=""), name="applicant_bin_unique"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ApplicantKind.LEGAL_ENTITY) & ~Q(bin=""))
                | (~Q(kind=ApplicantKind.LEGAL_ENTITY) & ~Q(iin="")),
                name="applicant_identifier_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.bin if self.kind == ApplicantKind.LEGAL_ENTITY else self.iin


class Representative(models.Model):
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="representatives"
    )
    full_name = models.CharField(_("full name"), max_length=300)
    iin = models.CharField(_("IIN"), max_length=12, validators=[validate_iin])
    authority = models.CharField(_("authority (document, number, date)"), max_length=300)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return self.full_name
