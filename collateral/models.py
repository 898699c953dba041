from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import Applicant, Application, Region
from collateral.domain.eligibility import CollateralKind, NotPledgeable
from core.money import MONEY


class Kind(models.TextChoices):
    LAND = CollateralKind.LAND, _("Land")
    HOUSING = CollateralKind.HOUSING, _("Housing")
    NON_RESIDENTIAL = CollateralKind.NON_RESIDENTIAL, _("Non-residential real estate")
    VEHICLE = CollateralKind.VEHICLE, _("Vehicle")
    SPECIAL_MACHINERY = CollateralKind.SPECIAL_MACHINERY, _("Special machinery")
    MACHINERY_PURCHASED = CollateralKind.MACHINERY_PURCHASED, _("Machinery being bought")


class NotPledgeableCategory(models.TextChoices):
    ESSENTIAL_PERSONAL = NotPledgeable.ESSENTIAL_PERSONAL, _("Essential personal items")
    CULTURAL_HISTORIC = NotPledgeable.CULTURAL_HISTORIC, _("Of cultural or historic value")
    ART = NotPledgeable.ART, _("Work of art")
    ANTIQUE = NotPledgeable.ANTIQUE, _("Antique")
    RESTRICTED_CIRCULATION = NotPledgeable.RESTRICTED_CIRCULATION, _("Restricted in circulation")


class CollateralType(models.Model):
    """What the MFO takes a kind of collateral for: its liquidity coefficient and inspections."""

    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices, unique=True)
    liquidity_coefficient = models.DecimalField(
        _("liquidity coefficient"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Pledge value = market value × this coefficient."),
    )
    inspection_months = models.PositiveSmallIntegerField(
        _("inspect every, months"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("collateral type")
        verbose_name_plural = _("collateral types")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Pledgor(models.Model):
    """Who pledges: the borrower or a third party, a person or an entity (with its decision)."""

    applicant = models.ForeignKey(
        Applicant, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Set when the pledgor is a registered applicant, e.g. the borrower."),
    )  # fmt: skip
    is_legal_entity = models.BooleanField(_("legal entity"), default=False)
    name = models.CharField(_("name"), max_length=300)
    identifier = models.CharField(_("IIN or BIN"), max_length=12)
    body_decision = models.CharField(
        _("decision of the entity's body to pledge"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("pledgor")
        verbose_name_plural = _("pledgors")

    def __str__(self) -> str:
        return self.name


class CollateralItem(models.Model):
    """An item offered as security for an application (and later its loan)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="collateral"
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    pledgor = models.ForeignKey(Pledgor, on_delete=models.PROTECT, related_name="items")
    description = models.CharField(_("description"), max_length=400)
    # real estate
    cadastral_number = models.CharField(_("cadastral number"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=400, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    in_regional_centre = models.BooleanField(_("in the regional centre"), default=False)
    state_registered = models.BooleanField(_("rights registered with the state"), default=False)
    # vehicles and machinery
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    make = models.CharField(_("make"), max_length=100, blank=True)
    make_country = models.CharField(_("country of the make (ISO code)"), max_length=2, blank=True)
    year_of_manufacture = models.PositiveSmallIntegerField(
        _("year of manufacture"), null=True, blank=True
    )
    serial_numbers = models.CharField(_("serial numbers"), max_length=300, blank=True)
    # what may not be pledged, and the pledgor's declarations (seed 004 ch. 2 §3 p.2)
    not_pledgeable = models.CharField(
        _("cannot be pledged as"), max_length=30, choices=NotPledgeableCategory.choices, blank=True
    )
    free_of_third_party_rights = models.BooleanField(
        _("free of third-party rights (declared)"), default=False
    )
    free_of_budget_arrears = models.BooleanField(
        _("no budget arrears on it (declared)"), default=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("collateral item")
        verbose_name_plural = _("collateral items")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class TitleDocument(models.Model):
    """A title document of an item; the MFO holds the original until the release."""

    item = models.ForeignKey(
        CollateralItem, on_delete=models.CASCADE, related_name="title_documents"
    )
    name = models.CharField(_("document"), max_length=300)
    number = models.CharField(_("number"), max_length=100, blank=True)
    original_received_at = models.DateTimeField(_("original received"), null=True, blank=True)
    original_returned_at = models.DateTimeField(_("original returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("title document")
        verbose_name_plural = _("title documents")

    def __str__(self) -> str:
        return self.name


class Appraisal(models.Model):
    item = models.ForeignKey(CollateralItem, on_delete=models.CASCADE, related_name="appraisals")
    from_inspection = models.BooleanField(
        _("revaluation at an inspection"),
        default=False,
        help_text=_("Counts for coverage, not as the licensed appraisal the item needs."),
    )
    appraiser = models.CharField(_("appraiser"), max_length=300)
    licence = models.CharField(_("appraiser's licence"), max_length=100, blank=True)
    appraised_on = models.DateField(_("date of the appraisal"))
    market_value = models.DecimalField(_("market value, KZT"), **MONEY)
    liquidity_coefficient = models.DecimalField(
        _("liquidity coefficient"), max_digits=5, decimal_places=4
    )
    pledge_value = models.DecimalField(_("pledge value, KZT"), **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["item", "-appraised_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(market_value__gt=0), name="appraisal_value_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.appraised_on}"


class Guarantee(models.Model):
    """A guarantor jointly and severally liable with the borrower for up to an amount."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="guarantees"
    )
    is_legal_entity = models.BooleanField(_("legal entity"), default=False)
    guarantor_name = models.CharField(_("guarantor"), max_length=300)
    identifier = models.CharField(_("IIN or BIN"), max_length=12)
    body_decision = models.CharField(
        _("decision of the entity's body to guarantee"), max_length=300, blank=True
    )
    amount = models.DecimalField(_("amount guaranteed, KZT"), **MONEY)
    joint_and_several = models.BooleanField(_("joint and several liability"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="guarantee_amount_positive")
        ]

    def __str__(self) -> str:
        return self.guarantor_name


class PledgeAgreement(models.Model):
    """The pledge of one item for one loan, and the registration of its encumbrance."""

    class Encumbrance(models.TextChoices):
        NOT_REGISTERED = "not_registered", _("Not registered")
        SUBMITTED = "submitted", _("Submitted for registration")
        REGISTERED = "registered", _("Registered")
        LIFTED = "lifted", _("Lifted")

    item = models.OneToOneField(CollateralItem, on_delete=models.PROTECT, related_name="pledge")
    number = models.CharField(_("number"), max_length=40, unique=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    encumbrance = models.CharField(
        _("encumbrance"),
        max_length=20,
        choices=Encumbrance.choices,
        default=Encumbrance.NOT_REGISTERED,
    )
    authority = models.CharField(_("registering authority"), max_length=300, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("pledge agreement")
        verbose_name_plural = _("pledge agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(encumbrance="registered")
                | (Q(registered_on__isnull=False) & ~Q(registration_number="")),
                name="registered_encumbrance_has_date_and_number",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Insurance(models.Model):
    """Insurance of an item; the MFO must be the beneficiary (DOMAIN.md §14)."""

    item = models.ForeignKey(CollateralItem, on_delete=models.PROTECT, related_name="insurances")
    insurer = models.CharField(_("insurer"), max_length=300)
    policy_number = models.CharField(_("policy"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    sum_insured = models.DecimalField(_("sum insured, KZT"), **MONEY)
    mfo_is_beneficiary = models.BooleanField(_("the MFO is the beneficiary"), default=True)

    class Meta:
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        ordering = ["item", "-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="insurance_period"
            ),
            models.CheckConstraint(
                condition=Q(mfo_is_beneficiary=True), name="insurance_mfo_beneficiary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"


class InsurancePayout(models.Model):
    """A payout; the part above the secured debt goes to the pledgor within 3 business days."""

    item = models.ForeignKey(CollateralItem, on_delete=models.PROTECT, related_name="payouts")
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("payout, KZT"), **MONEY)
    secured_debt = models.DecimalField(_("secured debt on that day, KZT"), **MONEY)
    excess = models.DecimalField(_("excess due to the pledgor, KZT"), **MONEY)
    pay_excess_by = models.DateField(_("pay the excess by"), null=True, blank=True)
    excess_paid_on = models.DateField(_("excess paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("insurance payout")
        verbose_name_plural = _("insurance payouts")

    def __str__(self) -> str:
        return f"{self.item} · {self.received_on}"


class Inspection(models.Model):
    """A monitoring visit: is the item there, in what condition, and what is it worth now."""

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        SATISFACTORY = "satisfactory", _("Satisfactory")
        POOR = "poor", _("Poor")

    item = models.ForeignKey(CollateralItem, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(_("the item is in place"))
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    notes = models.TextField(_("notes"), blank=True)
    new_market_value = models.DecimalField(
        _("market value now, KZT"), **MONEY, null=True, blank=True
    )
    coverage_after = models.DecimalField(
        _("coverage after the inspection"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    below_required_coverage = models.BooleanField(_("below the required coverage"), default=False)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["item", "-inspected_on"]

    def __str__(self) -> str:
        return f"{self.item} · {self.inspected_on}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="inspections/%Y/%m/")

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.file.name
