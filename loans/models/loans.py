"""The loan contract and its schedule (DOMAIN.md §6, §14)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Branch, OverdueStop
from core.money import MONEY, RATE
from lending.models import DayCount, Product, Purpose, RepaymentMethod

HALF_TIYN = Decimal("0.005")


class PayoutSource(models.TextChoices):
    """The document a payout account was taken from."""

    BORROWER_FILE = "borrower_file", _("The borrower's file (bank statement, card)")
    SELLER_INVOICE = "seller_invoice", _("The seller's invoice")


class Loan(models.Model):
    """A loan contract from its draft to its closure; its terms are the committee's decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft contract")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        WRITTEN_OFF = "written_off", _("Written off (off-balance)")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        ACCOUNT = "account", _("To the borrower's bank account")
        CARD = "card", _("To the borrower's card")
        THIRD_PARTY = "third_party", _("To a seller of goods (third party)")

    number = models.CharField(_("contract number"), max_length=30, unique=True)
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="loan"
    )
    borrower = models.ForeignKey(
        "applications.Applicant", on_delete=models.PROTECT, related_name="loans"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="loans")
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="loans", verbose_name=_("branch")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="loans_managed",
        verbose_name=_("credit officer"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    amount = models.DecimalField(_("amount, KZT"), **MONEY)
    annual_rate = models.DecimalField(_("rate, % a year"), **RATE)
    term_months = models.PositiveSmallIntegerField(_("term, months"))
    method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    grace_months = models.PositiveSmallIntegerField(_("principal grace, months"), default=0)
    day_count = models.CharField(_("day count"), max_length=12, choices=DayCount.choices)
    payment_multiple = models.DecimalField(
        _("payment rounded to"), max_digits=9, decimal_places=2, default=Decimal("0.01")
    )
    # The penalty terms in force on the contract date, after the legal caps (DOMAIN.md §12).
    penalty_rate_daily = models.DecimalField(_("penalty, % a day"), **RATE)
    penalty_year_cap = models.DecimalField(
        _("penalty cap per contract year, KZT"), **MONEY, null=True, blank=True
    )
    penalty_stop_days = models.PositiveSmallIntegerField(
        _("no penalty or overdue interest after days late"), null=True, blank=True
    )
    # What stops after those days, as the regulation read on the contract date (DOMAIN.md §12).
    overdue_stop_scope = models.CharField(
        _("what stops after those days"),
        max_length=30,
        choices=OverdueStop.choices,
        blank=True,
        default=OverdueStop.PENALTY_AND_INTEREST,
    )
    gesv = models.DecimalField(_("GESV, %"), max_digits=7, decimal_places=1)
    gesv_cap = models.DecimalField(_("GESV cap, %"), **RATE)
    contract_date = models.DateField(_("contract date"))
    planned_disbursement_date = models.DateField(_("planned disbursement date"))
    schedule_version = models.PositiveSmallIntegerField(default=0)
    # The date the current schedule version took effect: nothing may be posted before it.
    schedule_changed_on = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    disbursement_channel = models.CharField(
        _("paid out"), max_length=20, choices=Channel.choices, blank=True
    )
    payee_name = models.CharField(_("payee"), max_length=300, blank=True)
    payee_account = models.CharField(_("payee account (IBAN) or card"), max_length=40, blank=True)
    payee_purpose = models.CharField(_("purpose of the transfer"), max_length=300, blank=True)
    # Where the money goes, verified when the contract is drawn (core.payout_accounts): a
    # compact KZ IBAN or a masked card. Any other account needs a second person's approval.
    payout_account = models.CharField(
        _("payout account under the contract"), max_length=34, blank=True
    )
    payout_account_source = models.CharField(
        _("payout account taken from"), max_length=20, choices=PayoutSource.choices, blank=True
    )
    acceleration_flagged_on = models.DateField(
        _("more than 40 days late since"), null=True, blank=True
    )
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "disbursed_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "written_off", "closed"])
                | Q(disbursed_on__isnull=False),
                name="disbursed_loan_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False),
                name="signed_loan_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_secured(self) -> bool:
        return self.product.secured

    @property
    def is_serviced(self) -> bool:
        """Disbursed and not closed: payments, changes and demands apply to it."""
        return self.status in (self.Status.ACTIVE, self.Status.WRITTEN_OFF)


class Installment(models.Model):
    """One line of a schedule version; cumulative totals make paid/late a comparison."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet due")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    version = models.PositiveSmallIntegerField(default=0)
    number = models.PositiveSmallIntegerField(_("no."))
    due_date = models.DateField(_("due date"))
    # The due date, or the next business day: paid by then it is on time (DOMAIN.md §6).
    grace_date = models.DateField(_("payable without penalty until"))
    days = models.PositiveSmallIntegerField(_("days"))
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    total = models.DecimalField(_("payment"), **MONEY)
    balance = models.DecimalField(_("balance after"), **MONEY)
    cumulative_principal = models.DecimalField(**MONEY)
    cumulative_interest = models.DecimalField(**MONEY)
    # Scheduled interest of this and earlier lines not charged under the full stop after days
    # overdue (DOMAIN.md §12), set by the daily close when the line falls due.
    cumulative_interest_waived = models.DecimalField(**MONEY, default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["loan", "version", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "version", "number"], name="installment_unique"
            ),
            # total = principal + interest. Written as "within half a tiyn", which for amounts
            # in whole tiyn is the same as equal, because SQLite (the demo database) keeps
            # decimals as binary floats and 70951.93 + 733.17 is not 71685.10 there.
            models.CheckConstraint(
                condition=Q(total__gt=models.F("principal") + models.F("interest") - HALF_TIYN)
                & Q(total__lt=models.F("principal") + models.F("interest") + HALF_TIYN),
                name="installment_total",
            ),
        ]
        indexes = [
            models.Index(fields=["due_date"]),
            models.Index(fields=["grace_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.loan} #{self.number}"
