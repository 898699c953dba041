from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models.applicants import Applicant, ApplicantKind
from core.models import Branch
from core.money import MONEY, RATE
from lending.models import Product, Purpose, RepaymentMethod


class DocumentType(models.TextChoices):
    APPLICATION_FORM = "application_form", _("Application with purpose and collateral")
    IDENTITY = "identity", _("Identity document")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney of the representative")
    TITLE_DOCUMENTS = "title_documents", _("Title documents of the collateral")
    PLEDGE_REGISTRATION = "pledge_registration", _("Pledge registration certificate")
    INCOME = "income", _("Documents for the debt-burden calculation")
    BUREAU_CONSENT = "bureau_consent", _("Consent to query credit bureaus")
    GOV_CONSENT = "gov_consent", _("Consent to query Government for Citizens")
    BORROWING_DECISION = "borrowing_decision", _("Decision of the entity's body to borrow")
    CHARTER = "charter", _("Charter documents")
    PLEDGE_DECISION = "pledge_decision", _("Decision of the entity's body to pledge")
    BUSINESS_PLAN = "business_plan", _("Business plan with monthly cash flow")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements for two years")


class RequiredDocument(models.Model):
    """The checklist of a product for one type of applicant (DOMAIN.md §3, seeds 003 3.3–3.4)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="required_documents"
    )
    applicant_kind = models.CharField(
        _("applicant type"), max_length=30, choices=ApplicantKind.choices
    )
    document_type = models.CharField(_("document"), max_length=40, choices=DocumentType.choices)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "applicant_kind", "document_type"],
                name="required_document_unique",
            )
        ]

    def __str__(self) -> str:
        return self.get_document_type_display()


class Stage(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    PREQUALIFICATION = "prequalification", _("Pre-qualification")
    APPLICATION = "application", _("Application")
    DOCUMENTS = "documents", _("Documents")
    COLLATERAL_APPRAISAL = "collateral_appraisal", _("Collateral appraisal")
    ASSESSMENT = "assessment", _("Assessment")
    COMMITTEE = "committee", _("Credit committee")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ACCEPTED = "accepted", _("Accepted by the applicant")
    DECLINED = "declined", _("Declined by the applicant")


class RefusalGround(models.TextChoices):
    """Grounds for refusal (seed 004 §4, DOMAIN.md §3)."""

    CONDITIONS_NOT_MET = "conditions_not_met", _("Lending conditions not met")
    REQUIREMENTS_NOT_MET = "requirements_not_met", _("Applicant does not meet the requirements")
    DOCUMENTS_MISSING = "documents_missing", _("Documents missing")
    FALSE_INFORMATION = "false_information", _("Incomplete or false information")
    CONVICTION_OR_COURT = "conviction_or_court", _("Unexpunged conviction or pending court case")
    INSUFFICIENT_SOLVENCY = "insufficient_solvency", _("Insufficient solvency")
    NEGATIVE_EXPERTISE = "negative_expertise", _("Negative information found in the expertise")
    AML_CFT = "aml_cft", _("Mandatory refusal under AML/CFT law")


class Application(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="applications")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    requested_amount = models.DecimalField(_("requested amount, KZT"), **MONEY)
    requested_term_months = models.PositiveSmallIntegerField(_("requested term, months"))
    requested_rate = models.DecimalField(_("rate, % a year"), **RATE)
    method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    repayment_sources = models.TextField(_("sources of repayment"), blank=True)
    collateral_offered = models.TextField(_("collateral offered"), blank=True)
    stage = models.CharField(
        _("stage"), max_length=30, choices=Stage.choices, default=Stage.CONSULTATION
    )
    stage_changed_at = models.DateTimeField(_("stage since"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    # the branch whose staff prepare it; empty at head office (who sees it: core.branches)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("branch"),
    )
    provisional_amount = models.DecimalField(
        _("provisional amount"), **MONEY, null=True, blank=True
    )
    provisional_term_months = models.PositiveSmallIntegerField(
        _("provisional term"), null=True, blank=True
    )
    provisional_payment = models.DecimalField(
        _("provisional monthly payment"), **MONEY, null=True, blank=True
    )
    refusal_ground = models.CharField(
        _("refusal ground"), max_length=30, choices=RefusalGround.choices, blank=True
    )
    refusal_comment = models.TextField(_("refusal explained to the applicant"), blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["stage", "stage_changed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gt=0), name="application_amount_pos"
            ),
            models.CheckConstraint(
                condition=~Q(stage="refused") | ~Q(refusal_ground=""), name="refusal_has_ground"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationDocument(models.Model):
    """One item of the checklist: received (with its file) or missing."""

    class Status(models.TextChoices):
        MISSING = "missing", _("Missing")
        RECEIVED = "received", _("Received")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document"), max_length=40, choices=DocumentType.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.MISSING
    )
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "document_type"], name="application_document_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_document_type_display()


class DebtBurdenAssessment(models.Model):
    """The debt-burden coefficient with the inputs it was computed from (DOMAIN.md §10)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="debt_burden"
    )
    monthly_income = models.DecimalField(_("average monthly income"), **MONEY)
    existing_payments = models.DecimalField(_("payments on existing loans"), **MONEY)
    new_loan_payment = models.DecimalField(_("monthly payment of the requested loan"), **MONEY)
    coefficient = models.DecimalField(_("debt-burden coefficient"), max_digits=12, decimal_places=4)
    limit = models.DecimalField(_("limit"), max_digits=6, decimal_places=4)
    passes = models.BooleanField(_("within the limit"))
    applies = models.BooleanField(_("the limit applies"), default=True)
    computed_at = models.DateTimeField(auto_now=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("debt-burden assessment")
        verbose_name_plural = _("debt-burden assessments")

    def __str__(self) -> str:
        return f"{self.coefficient} / {self.limit}"


class Conclusion(models.Model):
    """An analyst's conclusion attached to the credit package."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("Credit analysis")
        LEGAL = "legal", _("Legal")
        SECURITY = "security", _("Security")
        RISK = "risk", _("Risk")

    class Recommendation(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conclusions"
    )
    kind = models.CharField(_("conclusion"), max_length=20, choices=Kind.choices)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="conclusion_unique")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
