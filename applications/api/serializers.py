"""Input serializers check the shape of a request; output serializers say what a role may see.

Outputs give a choice as its plain code and money as a string with two decimals, with the
fields every app's API shares (``core.api.fields``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import (
    Applicant,
    ApplicantKind,
    Application,
    ApplicationDocument,
    Conclusion,
    DebtBurdenAssessment,
    Decision,
    DocumentType,
    RefusalGround,
    Region,
    Representative,
    Stage,
)
from applications.selectors import next_stages
from core.api.fields import MONEY, RATE, choice_code, identifier_shown
from core.api.privacy import (
    PersonalCharField,
    PersonalDateField,
    PersonalDecimalField,
    PersonalEmailField,
)
from core.identifiers import validate_bin, validate_iin
from core.models import Branch
from core.privacy import Category
from lending.models import Product, Purpose, RepaymentMethod

PHONE_SEPARATORS = re.compile(r"[\s()\-]")
STAGE_ORDER = list(Stage)


# --- applicants -----------------------------------------------------------------------------


class ApplicantInputSerializer(serializers.Serializer):
    """Create, or with ``partial=True`` and the instance, update an applicant."""

    kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    iin = serializers.CharField(
        max_length=12, required=False, allow_blank=True, validators=[validate_iin]
    )
    bin = serializers.CharField(
        max_length=12, required=False, allow_blank=True, validators=[validate_bin]
    )
    name = serializers.CharField(max_length=300)
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text="Derived from the IIN when left out."
    )
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="Stored as + and digits."
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    legal_address = serializers.CharField(max_length=400, required=False, allow_blank=True)
    actual_address = serializers.CharField(max_length=400, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=Region.choices)
    tax_registration_date = serializers.DateField(required=False, allow_null=True)
    activity = serializers.CharField(max_length=300, required=False, allow_blank=True)
    activity_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    monthly_income = serializers.DecimalField(**MONEY, min_value=Decimal(0), required=False)
    existing_monthly_payments = serializers.DecimalField(
        **MONEY, min_value=Decimal(0), required=False
    )
    overdue_90_last_12_months = serializers.BooleanField(required=False)
    in_liquidation = serializers.BooleanField(required=False)
    offshore = serializers.BooleanField(required=False)

    def validate_phone(self, value: str) -> str:
        # one format, so that the selector's search by the digits of a phone finds it
        phone = PHONE_SEPARATORS.sub("", value)
        if phone and not re.fullmatch(r"\+?\d{10,15}", phone):
            raise serializers.ValidationError(
                _("Enter a phone number of 10 to 15 digits, e.g. +7 701 123 45 67.")
            )
        return phone

    def validate(self, attrs):
        # the identifier the kind requires, named as a field (the database only says "violated")
        state = {
            field: attrs.get(field, getattr(self.instance, field, ""))
            for field in ("kind", "iin", "bin")
        }
        if state["kind"] == ApplicantKind.LEGAL_ENTITY and not state["bin"]:
            raise serializers.ValidationError({"bin": [_("A legal entity needs its BIN.")]})
        if state["kind"] != ApplicantKind.LEGAL_ENTITY and not state["iin"]:
            raise serializers.ValidationError({"iin": [_("A person needs their IIN.")]})
        return attrs


class RepresentativeInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=300)
    iin = serializers.CharField(max_length=12, validators=[validate_iin])
    authority = serializers.CharField(max_length=300, help_text="Document, number and date.")
    valid_until = serializers.DateField(required=False, allow_null=True)


class RepresentativeSerializer(serializers.ModelSerializer):
    iin = serializers.SerializerMethodField(help_text="Masked for roles without need-to-know.")

    class Meta:
        model = Representative
        fields = ["id", "full_name", "iin", "authority", "valid_until"]
        read_only_fields = fields

    def get_iin(self, representative: Representative) -> str:
        user = self.context["request"].user
        registered_by = representative.applicant.created_by_id
        return identifier_shown(user, representative.iin, registered_by_id=registered_by)


class ApplicantSerializer(serializers.ModelSerializer):
    kind = choice_code(ApplicantKind)
    iin = serializers.SerializerMethodField(help_text="Masked for roles without need-to-know.")
    bin = serializers.SerializerMethodField(help_text="Masked for roles without need-to-know.")
    region = choice_code(Region)
    representatives = RepresentativeSerializer(many=True, read_only=True)
    # personal data: as core.privacy shows it to the request's user, as the applicant page does
    birth_date = PersonalDateField(category=Category.BIRTH_DATE, registered_by="created_by_id")
    phone = PersonalCharField(category=Category.CONTACTS, registered_by="created_by_id")
    # declared with `allow_blank`: the schema says "an e-mail" that may be empty
    email = PersonalEmailField(
        allow_blank=True, category=Category.CONTACTS, registered_by="created_by_id"
    )
    legal_address = PersonalCharField(category=Category.CONTACTS, registered_by="created_by_id")
    actual_address = PersonalCharField(category=Category.CONTACTS, registered_by="created_by_id")
    monthly_income = PersonalDecimalField(
        **MONEY, category=Category.INCOME, registered_by="created_by_id"
    )
    existing_monthly_payments = PersonalDecimalField(
        **MONEY, category=Category.INCOME, registered_by="created_by_id"
    )

    class Meta:
        model = Applicant
        fields = [
            "id", "kind", "iin", "bin", "name", "birth_date", "phone", "email", "legal_address",
            "actual_address", "region", "tax_registration_date", "activity", "activity_code",
            "monthly_income", "existing_monthly_payments", "overdue_90_last_12_months",
            "in_liquidation", "offshore", "representatives", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_iin(self, applicant: Applicant) -> str:
        user = self.context["request"].user
        return identifier_shown(user, applicant.iin, registered_by_id=applicant.created_by_id)

    def get_bin(self, applicant: Applicant) -> str:
        user = self.context["request"].user
        return identifier_shown(user, applicant.bin, registered_by_id=applicant.created_by_id)


# --- applications: input --------------------------------------------------------------------


class ApplicationCreateSerializer(serializers.Serializer):
    applicant = serializers.PrimaryKeyRelatedField(queryset=Applicant.objects.all())
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.filter(is_active=True))
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), help_text="KZT")
    term_months = serializers.IntegerField(min_value=1, max_value=600)
    rate = serializers.DecimalField(
        **RATE,
        min_value=Decimal(0),
        help_text="% a year",
    )
    # the codes only, as in the calculator: one choice set, one name in the schema
    method = serializers.ChoiceField(choices=RepaymentMethod.values)
    repayment_sources = serializers.CharField(required=False, allow_blank=True, default="")
    collateral_offered = serializers.CharField(required=False, allow_blank=True, default="")
    branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(),
        required=False,
        allow_null=True,
        help_text="Left out: the user's branch (none at head office). A branch's user may name "
        "only its own.",
    )


class ApplicationAdvanceSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Stage.choices, help_text="The stage to move to.")


class ApplicationRefuseSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=RefusalGround.choices)
    comment = serializers.CharField(
        allow_blank=True, help_text="The refusal as explained to the applicant."
    )


class ApplicationWithdrawSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationAnswerSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="The applicant accepts the approved terms.")


class DocumentReceiveSerializer(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    file = serializers.FileField(
        required=False, help_text="PDF, JPEG or PNG; without a file the original was seen."
    )


class ConclusionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Conclusion.Kind.choices)
    recommendation = serializers.ChoiceField(choices=Conclusion.Recommendation.choices)
    text = serializers.CharField(allow_blank=True)


# --- applications: output -------------------------------------------------------------------


class ChecklistDocumentSerializer(serializers.ModelSerializer):
    document_type = choice_code(DocumentType)
    label = serializers.CharField(source="get_document_type_display", read_only=True)
    status = choice_code(ApplicationDocument.Status)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationDocument
        fields = [
            "document_type", "label", "status", "has_file", "original_name", "content_type",
            "size", "received_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_file(self, document: ApplicationDocument) -> bool:
        return bool(document.file)


class DebtBurdenSerializer(serializers.ModelSerializer):
    monthly_income = PersonalDecimalField(
        **MONEY, category=Category.INCOME, registered_by="application.applicant.created_by_id"
    )
    existing_payments = PersonalDecimalField(
        **MONEY, category=Category.INCOME, registered_by="application.applicant.created_by_id"
    )

    class Meta:
        model = DebtBurdenAssessment
        fields = [
            "monthly_income", "existing_payments", "new_loan_payment", "coefficient", "limit",
            "passes", "applies", "computed_at",
        ]  # fmt: skip
        read_only_fields = fields


class ConclusionSerializer(serializers.ModelSerializer):
    kind = choice_code(Conclusion.Kind)
    recommendation = choice_code(Conclusion.Recommendation)
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Conclusion
        fields = ["kind", "recommendation", "text", "author", "created_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    outcome = choice_code(Decision.Outcome)
    method = choice_code(RepaymentMethod)
    refusal_ground = choice_code(RefusalGround)

    class Meta:
        model = Decision
        fields = [
            "outcome", "amount", "term_months", "rate", "method", "grace_months",
            "refusal_ground", "comment", "votes_for", "votes_against", "votes_abstain",
            "decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class ApplicationSummarySerializer(serializers.ModelSerializer):
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)
    purpose = choice_code(Purpose)
    method = choice_code(RepaymentMethod)
    stage = choice_code(Stage)

    class Meta:
        model = Application
        fields = [
            "id", "number", "applicant", "applicant_name", "product", "product_code", "purpose",
            "requested_amount", "requested_term_months", "requested_rate", "method", "stage",
            "stage_changed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    """The credit file: checklist, debt burden with its inputs, conclusions, decision."""

    applicant_identifier = serializers.SerializerMethodField(
        help_text="IIN or BIN; masked for roles without need-to-know."
    )
    prepared_by = serializers.CharField(source="prepared_by.username", read_only=True)
    refusal_ground = choice_code(RefusalGround)
    documents = serializers.SerializerMethodField()
    debt_burden = DebtBurdenSerializer(read_only=True, allow_null=True)
    conclusions = serializers.SerializerMethodField()
    decision = DecisionSerializer(read_only=True, allow_null=True)
    next_stages = serializers.SerializerMethodField(
        help_text="Stages `advance` may move to; refusal, withdrawal and decisions are separate."
    )

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "applicant_identifier", "repayment_sources", "collateral_offered", "prepared_by",
            "provisional_amount", "provisional_term_months", "provisional_payment",
            "refusal_ground", "refusal_comment", "documents", "debt_burden", "conclusions",
            "decision", "next_stages",
        ]  # fmt: skip
        read_only_fields = fields

    def get_applicant_identifier(self, application: Application) -> str:
        applicant = application.applicant
        user = self.context["request"].user
        value = applicant.identifier
        return identifier_shown(user, value, registered_by_id=applicant.created_by_id)

    @extend_schema_field(ChecklistDocumentSerializer(many=True))
    def get_documents(self, application: Application):
        documents = application.documents.order_by("id")  # the checklist's own order
        return ChecklistDocumentSerializer(documents, many=True, context=self.context).data

    @extend_schema_field(ConclusionSerializer(many=True))
    def get_conclusions(self, application: Application):
        conclusions = application.conclusions.select_related("author").order_by("kind")
        return ConclusionSerializer(conclusions, many=True, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_stages(self, application: Application) -> list[str]:
        # the transition table holds sets: give the stages in the order of the lifecycle
        return [stage.value for stage in sorted(next_stages(application), key=STAGE_ORDER.index)]
