"""The product catalogue: what the MFO lends, in what amounts, terms, rates and purposes."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.money import MONEY, RATE


class AmountUnit(models.TextChoices):
    KZT = "KZT", _("KZT")
    MRP = "MRP", _("MRP")  # converted with the MRP of the decision's year


class DayCount(models.TextChoices):
    THIRTY_360 = "30/360", _("30/360 (30-day month, 360-day year)")
    ACTUAL_360 = "actual/360", _("Actual days, 360-day year")
    ACTUAL_365 = "actual/365", _("Actual days, 365-day year")


class RepaymentMethod(models.TextChoices):
    ANNUITY = "annuity", _("Annuity")
    DIFFERENTIATED = "differentiated", _("Differentiated")
    INTEREST_ONLY = "interest_only", _("Interest only, principal at maturity")


class Purpose(models.TextChoices):
    ANY_LAWFUL = "any_lawful", _("Any lawful purpose")
    FIXED_ASSETS = "fixed_assets", _("Fixed assets")
    WORKING_CAPITAL = "working_capital", _("Working capital")


class Product(models.Model):
    """A loan product and its limits (DOMAIN.md §5); outside them an application is refused."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    min_amount = models.DecimalField(_("minimum amount"), **MONEY)
    min_amount_unit = models.CharField(
        _("unit of the minimum"), max_length=3, choices=AmountUnit.choices, default=AmountUnit.KZT
    )
    max_amount = models.DecimalField(_("maximum amount"), **MONEY)
    max_amount_unit = models.CharField(
        _("unit of the maximum"), max_length=3, choices=AmountUnit.choices, default=AmountUnit.KZT
    )
    min_term_months = models.PositiveSmallIntegerField(
        _("minimum term, months"), validators=[MinValueValidator(1)]
    )
    max_term_months = models.PositiveSmallIntegerField(_("maximum term, months"))
    min_rate = models.DecimalField(_("minimum annual rate, %"), **RATE)
    max_rate = models.DecimalField(_("maximum annual rate, %"), **RATE)
    gesv_cap = models.DecimalField(_("GESV cap, %"), **RATE)
    secured = models.BooleanField(_("secured"), default=True)
    min_coverage = models.DecimalField(
        _("minimum collateral coverage"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("Pledge value over the loan amount required at the decision; 0: none."),
    )
    day_count = models.CharField(_("day count"), max_length=12, choices=DayCount.choices)
    methods = models.JSONField(_("allowed repayment methods"), default=list)
    payment_multiple = models.DecimalField(
        _("payment rounded to"), max_digits=9, decimal_places=2, default=Decimal("0.01")
    )
    debt_burden_applies = models.BooleanField(
        _("debt-burden limit applies to business borrowers"),
        default=True,
        help_text=_("Loans to individuals are always checked."),
    )
    penalty_rate_daily = models.DecimalField(
        # xgettext:no-python-format
        _("penalty, % of the overdue amount per day"),
        **RATE,
        default=Decimal("0"),
    )

    class Meta:
        db_table = "loans_product"  # the catalogue began in the loans app; the table kept its name
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_term_months__gte=F("min_term_months")), name="product_term_range"
            ),
            models.CheckConstraint(
                condition=Q(max_rate__gte=F("min_rate")), name="product_rate_range"
            ),
            # no fixed ceiling: a rate is bounded by the GESV caps in force on each date
            # (short loans may charge up to 0.3 % a day), checked where it is calculated
            models.CheckConstraint(condition=Q(min_rate__gte=0), name="product_rate_bounds"),
            models.CheckConstraint(
                condition=Q(payment_multiple__gt=0), name="product_multiple_pos"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "ru")[:2]
        return {"kk": self.name_kk, "en": self.name_en}.get(language, self.name_ru)


class ProductPurpose(models.Model):
    """A purpose the product finances, with its own longest term where the rules set one."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    max_term_months = models.PositiveSmallIntegerField(
        _("maximum term for this purpose, months"), null=True, blank=True
    )

    class Meta:
        db_table = "loans_productpurpose"
        verbose_name = _("product purpose")
        verbose_name_plural = _("product purposes")
        constraints = [
            models.UniqueConstraint(fields=["product", "purpose"], name="product_purpose_unique")
        ]

    def __str__(self) -> str:
        return self.get_purpose_display()
