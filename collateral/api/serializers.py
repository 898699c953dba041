"""Collateral and guarantees over the API: inputs check the shape, outputs say what a role sees.

As in ``applications.api``: choices are given back as plain codes, money as strings with two
decimals, and an IIN or BIN in full only to the roles with need-to-know (DOMAIN.md §14).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Application, Region
from collateral.domain.eligibility import REAL_ESTATE, CollateralKind
from collateral.messages import ineligibility_message
from collateral.models import (
    Appraisal,
    CollateralItem,
    Guarantee,
    Inspection,
    Insurance,
    InsurancePayout,
    Kind,
    NotPledgeableCategory,
    PledgeAgreement,
    Pledgor,
    TitleDocument,
)
from collateral.selectors import item_reasons
from core.api.fields import MONEY, choice_code, identifier_shown
from core.api.privacy import PersonalCharField
from core.privacy import Category

VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
COVERAGE = {"max_digits": 10, "decimal_places": 4}

# What identifies an item of each kind; every field not listed for a kind does not apply to it.
REAL_ESTATE_FIELDS = ("cadastral_number", "address", "region", "in_regional_centre",
                      "state_registered")  # fmt: skip
MACHINE_FIELDS = ("vin", "make", "make_country", "year_of_manufacture", "serial_numbers")
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    **{kind: ("cadastral_number", "address", "region") for kind in REAL_ESTATE},
    CollateralKind.VEHICLE: ("vin", "make", "make_country", "year_of_manufacture"),
    CollateralKind.SPECIAL_MACHINERY: ("make", "make_country", "year_of_manufacture"),
    CollateralKind.MACHINERY_PURCHASED: ("make",),
}


# --- inputs ---------------------------------------------------------------------------------


class PledgorInputSerializer(serializers.Serializer):
    is_borrower = serializers.BooleanField(
        default=True, help_text="The borrower pledges their own property; false for a third party."
    )
    is_legal_entity = serializers.BooleanField(default=False)
    name = serializers.CharField(max_length=300, allow_blank=True, default="")
    identifier = serializers.CharField(
        max_length=12,
        allow_blank=True,
        default="",
        help_text="IIN of a person, BIN of a legal entity; a third party's only.",
    )
    body_decision = serializers.CharField(
        max_length=300,
        allow_blank=True,
        default="",
        help_text="A legal entity's decision of its body to pledge: document, number and date.",
    )

    def validate(self, attrs):
        # the borrower's name and number come from the application: never a second version
        given = [f for f in ("is_legal_entity", "name", "identifier") if attrs[f]]
        if attrs["is_borrower"] and given:
            message = _("Leave out for the borrower: their data is taken from the application.")
            raise serializers.ValidationError({field: [message] for field in given})
        return attrs


class CollateralItemCreateSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    kind = serializers.ChoiceField(choices=Kind.choices)
    description = serializers.CharField(max_length=400)
    cadastral_number = serializers.CharField(
        max_length=40, required=False, help_text="Real estate."
    )
    address = serializers.CharField(max_length=400, required=False, help_text="Real estate.")
    region = serializers.ChoiceField(
        choices=Region.choices, required=False, help_text="Real estate."
    )
    in_regional_centre = serializers.BooleanField(required=False, help_text="Real estate.")
    state_registered = serializers.BooleanField(
        required=False, help_text="Real estate: the rights are registered with the state."
    )
    vin = serializers.CharField(
        max_length=17, required=False, help_text="Vehicles; special machinery may have one."
    )
    make = serializers.CharField(max_length=100, required=False, help_text="Machinery.")
    make_country = serializers.CharField(
        max_length=2, required=False, help_text="Machinery: ISO code of the make's country."
    )
    year_of_manufacture = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, help_text="Machinery."
    )
    serial_numbers = serializers.CharField(
        max_length=300, required=False, help_text="Machinery; special machinery without a VIN."
    )
    not_pledgeable = serializers.ChoiceField(
        choices=NotPledgeableCategory.choices,
        required=False,
        help_text="Only when the item falls into a category that may not be pledged.",
    )
    free_of_third_party_rights = serializers.BooleanField(
        default=False, help_text="The pledgor declares the item free of third-party rights."
    )
    free_of_budget_arrears = serializers.BooleanField(
        default=False, help_text="The pledgor declares no budget arrears on the item."
    )
    pledgor = PledgorInputSerializer(
        required=False, help_text="Left out: the borrower pledges their own property."
    )

    def validate_vin(self, value: str) -> str:
        value = value.strip().upper()
        if not VIN.fullmatch(value):
            raise serializers.ValidationError(
                _("A VIN is 17 letters and digits, without I, O and Q.")
            )
        return value

    def validate_make_country(self, value: str) -> str:
        value = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise serializers.ValidationError(_("Give the two-letter country code, e.g. JP."))
        return value

    def validate(self, attrs):
        kind = attrs["kind"]
        applies = REAL_ESTATE_FIELDS if kind in REAL_ESTATE else MACHINE_FIELDS
        errors = {
            field: [_("Does not apply to this type of collateral.")]
            for field in (*REAL_ESTATE_FIELDS, *MACHINE_FIELDS)
            if field not in applies and attrs.get(field) not in (None, "", False)
        }
        errors.update(
            (field, [_("Required for this type of collateral.")])
            for field in REQUIRED_BY_KIND[kind]
            if attrs.get(field) in (None, "") and field not in errors
        )
        if kind == CollateralKind.SPECIAL_MACHINERY and not (
            attrs.get("vin") or attrs.get("serial_numbers")
        ):
            errors["serial_numbers"] = [_("Give the serial numbers or the VIN.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TitleDocumentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300, help_text="E.g. certificate of registration.")
    number = serializers.CharField(max_length=100, allow_blank=True, default="")
    original_received = serializers.BooleanField(
        default=True, help_text="The MFO holds the original from now on."
    )


class AppraisalInputSerializer(serializers.Serializer):
    appraiser = serializers.CharField(max_length=300)
    licence = serializers.CharField(max_length=100, help_text="The appraiser's licence.")
    appraised_on = serializers.DateField(help_text="No more than 6 months before the application.")
    market_value = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), help_text="KZT")


class EncumbranceInputSerializer(serializers.Serializer):
    encumbrance = serializers.ChoiceField(choices=PledgeAgreement.Encumbrance.choices)
    authority = serializers.CharField(max_length=300, allow_blank=True, default="")
    registered_on = serializers.DateField(allow_null=True, default=None)
    registration_number = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="With `registered`: the authority, the date and the number are all required.",
    )
    signed_on = serializers.DateField(
        allow_null=True, default=None, help_text="The pledge agreement."
    )


class InsuranceInputSerializer(serializers.Serializer):
    insurer = serializers.CharField(max_length=300)
    policy_number = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    sum_insured = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), help_text="KZT")
    mfo_is_beneficiary = serializers.BooleanField(help_text="Must be true (DOMAIN.md §14).")


class InspectionInputSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    present = serializers.BooleanField(help_text="The item is in place.")
    condition = serializers.ChoiceField(choices=Inspection.Condition.choices)
    notes = serializers.CharField(allow_blank=True, default="")
    new_market_value = serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0.01"),
        allow_null=True,
        default=None,
        help_text="KZT; revalues the item: a coverage below the product's minimum is flagged.",
    )


class InsurancePayoutInputSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), help_text="KZT")
    secured_debt = serializers.DecimalField(
        **MONEY, min_value=Decimal(0), help_text="KZT: the debt the item secured that day."
    )


class GuaranteeInputSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    guarantor_name = serializers.CharField(max_length=300)
    identifier = serializers.CharField(
        max_length=12, help_text="IIN of a person, BIN of a legal entity."
    )
    is_legal_entity = serializers.BooleanField(default=False)
    body_decision = serializers.CharField(
        max_length=300,
        allow_blank=True,
        default="",
        help_text="A legal entity's decision of its body to guarantee.",
    )
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"), help_text="KZT")


class CoverageQuerySerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.select_related("product")
    )


# --- outputs --------------------------------------------------------------------------------


class PledgorSerializer(serializers.ModelSerializer):
    is_borrower = serializers.SerializerMethodField()
    identifier = serializers.SerializerMethodField(
        help_text="IIN or BIN; masked for roles without need-to-know."
    )

    class Meta:
        model = Pledgor
        fields = ["is_borrower", "applicant", "is_legal_entity", "name", "identifier",
                  "body_decision"]  # fmt: skip
        read_only_fields = fields

    def get_is_borrower(self, pledgor: Pledgor) -> bool:
        return pledgor.applicant_id is not None

    def get_identifier(self, pledgor: Pledgor) -> str:
        user = self.context["request"].user
        if pledgor.applicant is not None:  # the borrower: as the applicant is shown
            registered_by = pledgor.applicant.created_by_id
        else:  # a third party: as the user who registered the item gave it
            registered_by = self.context["registered_by"]
        return identifier_shown(user, pledgor.identifier, registered_by_id=registered_by)


class TitleDocumentSerializer(serializers.ModelSerializer):
    original_held = serializers.SerializerMethodField(
        help_text="The MFO holds the original: received and not yet returned."
    )

    class Meta:
        model = TitleDocument
        fields = ["id", "name", "number", "original_received_at", "original_returned_at",
                  "original_held"]  # fmt: skip
        read_only_fields = fields

    def get_original_held(self, document: TitleDocument) -> bool:
        return document.original_received_at is not None and document.original_returned_at is None


class AppraisalSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id", "appraiser", "licence", "appraised_on", "market_value",
            "liquidity_coefficient", "pledge_value", "recorded_by", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class PledgeAgreementSerializer(serializers.ModelSerializer):
    encumbrance = choice_code(PledgeAgreement.Encumbrance)

    class Meta:
        model = PledgeAgreement
        fields = ["number", "signed_on", "encumbrance", "authority", "registered_on",
                  "registration_number"]  # fmt: skip
        read_only_fields = fields


class InsuranceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Insurance
        fields = ["id", "insurer", "policy_number", "starts_on", "ends_on", "sum_insured",
                  "mfo_is_beneficiary"]  # fmt: skip
        read_only_fields = fields


class InsurancePayoutSerializer(serializers.ModelSerializer):
    excess = serializers.DecimalField(
        **MONEY, read_only=True, help_text="KZT above the secured debt, owed to the pledgor."
    )
    pay_excess_by = serializers.DateField(
        read_only=True, allow_null=True, help_text="3 business days after the receipt."
    )

    class Meta:
        model = InsurancePayout
        fields = ["id", "received_on", "amount", "secured_debt", "excess", "pay_excess_by",
                  "excess_paid_on"]  # fmt: skip
        read_only_fields = fields


class InspectionPhotoInputSerializer(serializers.Serializer):
    inspection = serializers.IntegerField(help_text="Id of an inspection of this item.")
    photo = serializers.FileField(help_text="JPEG or PNG, up to 10 MB.")


class InspectionSerializer(serializers.ModelSerializer):
    inspector = serializers.CharField(source="inspector.username", read_only=True)
    photos = serializers.SerializerMethodField()
    condition = choice_code(Inspection.Condition)
    coverage_after = serializers.DecimalField(
        **COVERAGE,
        read_only=True,
        allow_null=True,
        help_text="Pledge values over the secured amount after the visit (1.5 is 150 %).",
    )

    class Meta:
        model = Inspection
        fields = ["id", "inspected_on", "inspector", "present", "condition", "notes",
                  "new_market_value", "coverage_after", "below_required_coverage",
                  "photos"]  # fmt: skip
        read_only_fields = fields

    def get_photos(self, inspection: Inspection) -> list[str]:
        return [photo.file.name for photo in inspection.photos.all()]


class IneligibilitySerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The fact the reason concerns.")
    code = serializers.CharField()
    message = serializers.CharField()


class CollateralItemSummarySerializer(serializers.ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True)
    kind = choice_code(Kind)
    pledgor_name = serializers.CharField(source="pledgor.name", read_only=True)
    pledge_value = serializers.DecimalField(
        **MONEY,
        source="latest_pledge_value",
        read_only=True,
        allow_null=True,
        help_text="KZT, of the latest appraisal; null before the first.",
    )

    class Meta:
        model = CollateralItem
        fields = ["id", "application", "application_number", "kind", "description",
                  "pledgor_name", "pledge_value", "registered_at", "released_at"]  # fmt: skip
        read_only_fields = fields


class CollateralItemDetailSerializer(CollateralItemSummarySerializer):
    """The item with its pledgor, documents, valuations, pledge, insurance and monitoring."""

    region = choice_code(Region)
    # where the item is and its registry numbers lead to its owner: as the item page shows them
    cadastral_number = PersonalCharField(
        category=Category.PROPERTY, registered_by="registered_by_id"
    )
    address = PersonalCharField(category=Category.PROPERTY, registered_by="registered_by_id")
    vin = PersonalCharField(category=Category.PROPERTY, registered_by="registered_by_id")
    not_pledgeable = choice_code(NotPledgeableCategory)
    registered_by = serializers.CharField(source="registered_by.username", read_only=True)
    pledgor = serializers.SerializerMethodField()
    title_documents = TitleDocumentSerializer(many=True, read_only=True)
    appraisals = AppraisalSerializer(many=True, read_only=True)
    eligible = serializers.SerializerMethodField(
        help_text="No reason stands against accepting the item for its application."
    )
    reasons = serializers.SerializerMethodField(
        help_text="Why the item cannot be accepted, judged at the application's date."
    )
    pledge_agreement = serializers.SerializerMethodField()
    insurances = InsuranceSerializer(many=True, read_only=True)
    inspections = InspectionSerializer(many=True, read_only=True)
    insurance_payouts = InsurancePayoutSerializer(source="payouts", many=True, read_only=True)

    class Meta(CollateralItemSummarySerializer.Meta):
        fields = [
            *CollateralItemSummarySerializer.Meta.fields,
            "cadastral_number", "address", "region", "in_regional_centre", "state_registered",
            "vin", "make", "make_country", "year_of_manufacture", "serial_numbers",
            "not_pledgeable", "free_of_third_party_rights", "free_of_budget_arrears",
            "registered_by", "pledgor", "title_documents", "appraisals", "eligible", "reasons",
            "pledge_agreement", "insurances", "inspections", "insurance_payouts",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(PledgorSerializer)
    def get_pledgor(self, item: CollateralItem):
        context = {**self.context, "registered_by": item.registered_by_id}
        return PledgorSerializer(item.pledgor, context=context).data

    def _reasons(self, item: CollateralItem):
        # asked by two fields: judged once per item
        if not hasattr(item, "_api_reasons"):
            on = timezone.localdate(item.application.created_at)
            item._api_reasons = item_reasons(item, on=on)
        return item._api_reasons

    def get_eligible(self, item: CollateralItem) -> bool:
        return not self._reasons(item)

    @extend_schema_field(IneligibilitySerializer(many=True))
    def get_reasons(self, item: CollateralItem):
        return [
            {"field": reason.field, "code": reason.code, "message": ineligibility_message(reason)}
            for reason in self._reasons(item)
        ]

    @extend_schema_field(PledgeAgreementSerializer(allow_null=True))
    def get_pledge_agreement(self, item: CollateralItem):
        agreement = getattr(item, "pledge", None)  # the reverse one-to-one raises when absent
        return PledgeAgreementSerializer(agreement).data if agreement is not None else None


class GuaranteeSerializer(serializers.ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True)
    identifier = serializers.SerializerMethodField(
        help_text="IIN or BIN; masked for roles without need-to-know."
    )

    class Meta:
        model = Guarantee
        fields = ["id", "application", "application_number", "is_legal_entity",
                  "guarantor_name", "identifier", "body_decision", "amount",
                  "joint_and_several", "registered_at"]  # fmt: skip
        read_only_fields = fields

    def get_identifier(self, guarantee: Guarantee) -> str:
        user = self.context["request"].user
        value = guarantee.identifier
        return identifier_shown(user, value, registered_by_id=guarantee.registered_by_id)


class CollateralCoverageItemSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    kind = choice_code(Kind)
    description = serializers.CharField()
    appraised_on = serializers.DateField(allow_null=True)
    market_value = serializers.DecimalField(**MONEY, allow_null=True)
    pledge_value = serializers.DecimalField(**MONEY, allow_null=True)


class CollateralCoverageSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    application_number = serializers.CharField()
    product_code = serializers.CharField()
    amount = serializers.DecimalField(**MONEY, help_text="KZT: the amount the collateral secures.")
    amount_basis = serializers.CharField(
        help_text="`approved` once the committee has decided, else `requested`."
    )
    pledge_value = serializers.DecimalField(
        **MONEY, help_text="KZT: the latest pledge values of the items still pledged."
    )
    coverage = serializers.DecimalField(
        **COVERAGE, allow_null=True, help_text="Pledge value over the amount; null unappraised."
    )
    required_coverage = serializers.DecimalField(
        **COVERAGE, help_text="The product's minimum; 0 requires none."
    )
    meets_minimum = serializers.BooleanField()
    shortfall = serializers.DecimalField(
        **MONEY, help_text="KZT of pledge value still missing to reach the minimum."
    )
    items = CollateralCoverageItemSerializer(many=True)


class InspectionDueSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    application = serializers.IntegerField()
    application_number = serializers.CharField()
    kind = choice_code(Kind)
    description = serializers.CharField()
    due = serializers.DateField(help_text="When the inspection was due.")
    days_overdue = serializers.IntegerField()
