"""A loan after disbursement over the API: quotes, prepayments, schedule versions, changes of
terms, demands, write-off, closure and refunds (DOMAIN.md §7–§9, §11).

Inputs check the shape only; the services judge the rules and name the field they concern.
Outputs follow ``loans.api.servicing.serializers``: codes for choices, money as strings with two
decimals.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Meeting
from core.api.fields import MONEY, RATE, choice_code, money, rate
from core.money import TIYN
from core.payout_accounts import normalise, validate_payout_reference
from core.privacy import Category, shown
from lending.models import RepaymentMethod
from loans.api.servicing.serializers import PAYMENT_CHANNELS
from loans.models import (
    Demand,
    Installment,
    Prepayment,
    Refund,
    Restructuring,
    ScheduleVersion,
    WriteOff,
)
from loans.selectors import version_lines

GESV = {"max_digits": 7, "decimal_places": 1}
MAX_TERM_MONTHS = 600  # as the service allows; the column is a small integer
# The payment's channels with their labels: a choice set of its own in the schema, named after
# this serializer (the payment's set, shared by two components, would collide with the others).
PREPAYMENT_CHANNELS = [(channel.value, channel.label) for channel in PAYMENT_CHANNELS]


def gesv(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        **GESV, read_only=True, help_text="Annual effective rate, %.", **kwargs
    )


def username(source: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(source=f"{source}.username", read_only=True, **kwargs)


# --- inputs ---------------------------------------------------------------------------------


class OnQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Left out: today.")


class PrepaymentPreviewInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **MONEY, min_value=TIYN,
        help_text="KZT: pays what is due first, then at least three scheduled payments.",
    )  # fmt: skip
    on = serializers.DateField(
        help_text="The prepayment date: today or a day not yet closed for the loan."
    )
    mode = serializers.ChoiceField(choices=Prepayment.Mode.choices)


class PrepaymentInputSerializer(PrepaymentPreviewInputSerializer):
    channel = serializers.ChoiceField(choices=PREPAYMENT_CHANNELS)
    applied_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="The borrower's application date; left out: the prepayment date.",
    )  # fmt: skip
    application_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text="The payment document's number.",
    )  # fmt: skip
    payer = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RestructuringInputSerializer(serializers.Serializer):
    """The borrower's written request; at least one of the new terms is asked for."""

    requested_on = serializers.DateField(help_text="The request's date: not in the future.")
    reason = serializers.CharField(help_text="Why the borrower asks for new terms.")
    annual_rate = serializers.DecimalField(
        **RATE, required=False, allow_null=True, default=None,
        help_text="% a year; above the current rate only with `consent_to_higher_rate`.",
    )  # fmt: skip
    term_months = serializers.IntegerField(
        min_value=1, max_value=MAX_TERM_MONTHS, required=False, allow_null=True, default=None,
        help_text="Instalments from the change; left out: those left.",
    )  # fmt: skip
    grace_months = serializers.IntegerField(
        min_value=0, max_value=MAX_TERM_MONTHS, required=False, allow_null=True, default=None,
        help_text="Months without principal, shorter than the term.",
    )  # fmt: skip
    method = serializers.ChoiceField(
        choices=RepaymentMethod.values, required=False, allow_blank=True, default="",
        help_text="Left out: unchanged.",
    )  # fmt: skip
    consent_to_higher_rate = serializers.BooleanField(required=False, default=False)


class RestructuringAgendaSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), help_text="A committee meeting not yet closed."
    )


class EffectiveOnSerializer(serializers.Serializer):
    on = serializers.DateField(
        help_text="Takes effect on: today or a day not yet closed for the loan."
    )


class DemandInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Demand.Kind.choices)
    on = serializers.DateField(help_text="The demand's date: today or a day not yet closed.")
    pay_by = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Left out: 30 days after `on`."
    )
    misused_amount = serializers.DecimalField(
        **MONEY, min_value=TIYN, required=False, allow_null=True, default=None,
        help_text="KZT; with `misuse` only, and then required.",
    )  # fmt: skip
    details = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="What the inspection found; with `misuse` only, and then required.",
    )  # fmt: skip

    def validate(self, attrs):
        if attrs["kind"] == Demand.Kind.MISUSE:
            if attrs["misused_amount"] is None:
                raise serializers.ValidationError(
                    {"misused_amount": [_("Give the amount spent on something else.")]}
                )
            return attrs
        for field in ("misused_amount", "details"):
            if attrs[field] not in (None, ""):
                raise serializers.ValidationError({field: [_("Only for a misuse demand.")]})
        return attrs


class WriteOffInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="Written off on: today or a day not yet closed.")
    decision_number = serializers.CharField(max_length=50)
    decided_on = serializers.DateField(help_text="On or before `on`.")
    decided_by_body = serializers.CharField(max_length=200, help_text="The body that decided.")
    reason = serializers.CharField()


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **MONEY, min_value=TIYN, help_text="KZT, at most what is held for the borrower."
    )
    on = serializers.DateField(help_text="Paid on: from the closure to today.")
    applied_on = serializers.DateField(help_text="The borrower's application: on or before `on`.")
    account = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_payout_reference],
        help_text="Left out: the contract's payout account if it is the borrower's. Another "
        "account must match an approved payout account change, else 400 naming `account`.",
    )

    def validate_account(self, value: str) -> str:
        return normalise(value)


# --- outputs: quotes and schedules ----------------------------------------------------------


class PayoffQuoteSerializer(serializers.Serializer):
    loan = serializers.IntegerField()
    on = serializers.DateField()
    principal = money(help_text="Principal not yet due.")
    interest = money(help_text="Interest accrued on it since the last due date.")
    overdue = money(help_text="Principal and interest already due and unpaid.")
    penalties = money()
    held = money(help_text="The borrower's money already held, counted towards the payoff.")
    total = money(help_text="Everything owed on `on`.")
    to_pay = money(help_text="What closes the loan when paid on `on`: the total less held.")


class ScheduleLineSerializer(serializers.Serializer):
    """A line of a schedule worked out, not stored."""

    number = serializers.IntegerField()
    due_date = serializers.DateField()
    principal = money()
    interest = money()
    total = money()
    balance = money(help_text="Principal left after the instalment.")


class PrepaymentPreviewSerializer(serializers.Serializer):
    loan = serializers.IntegerField()
    on = serializers.DateField()
    amount = money()
    mode = serializers.CharField()
    due_paid = money(help_text="Paid first: what was due on `on`.")
    interest_paid = money(help_text="Then the interest accrued since the last due date.")
    principal_paid = money(help_text="The rest: principal prepaid.")
    principal_before = money(help_text="Principal not yet due, before the prepayment.")
    old_payment = money(help_text="The largest remaining instalment before.")
    new_payment = money(help_text="The largest instalment after.")
    gesv = gesv()
    installments = ScheduleLineSerializer(many=True, help_text="The schedule after `on`.")


class VersionLineSerializer(serializers.ModelSerializer):
    status = choice_code(Installment.Status)

    class Meta:
        model = Installment
        fields = ["number", "due_date", "grace_date", "principal", "interest", "total", "balance",
                  "status"]  # fmt: skip
        read_only_fields = fields


class ScheduleVersionSerializer(serializers.ModelSerializer):
    reason = choice_code(ScheduleVersion.Reason)
    method = choice_code(RepaymentMethod)
    history_lines = serializers.IntegerField(
        read_only=True, help_text="Its first lines repeat what was due before `effective_on`."
    )
    gesv = gesv(allow_null=True)
    created_by = username("created_by", allow_null=True, help_text="Null when made by the system.")

    class Meta:
        model = ScheduleVersion
        fields = ["version", "reason", "effective_on", "history_lines", "amount", "start_date",
                  "annual_rate", "method", "grace_months", "payment", "gesv", "created_by",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class ScheduleVersionDetailSerializer(ScheduleVersionSerializer):
    installments = serializers.SerializerMethodField()

    class Meta(ScheduleVersionSerializer.Meta):
        fields = [*ScheduleVersionSerializer.Meta.fields, "installments"]
        read_only_fields = fields

    @extend_schema_field(VersionLineSerializer(many=True))
    def get_installments(self, version: ScheduleVersion):
        return VersionLineSerializer(version_lines(version.loan, version.version), many=True).data


# --- outputs: records -----------------------------------------------------------------------


class PrepaymentSerializer(serializers.ModelSerializer):
    mode = choice_code(Prepayment.Mode)
    version = serializers.IntegerField(
        source="version.version", read_only=True, help_text="The schedule version it made."
    )
    gesv = gesv(source="version.gesv", allow_null=True)
    recorded_by = username("recorded_by")

    class Meta:
        model = Prepayment
        fields = ["id", "loan", "application_number", "applied_on", "on", "amount", "mode",
                  "due_paid", "interest_paid", "principal_paid", "payment", "version", "gesv",
                  "recorded_by", "recorded_at"]  # fmt: skip
        read_only_fields = fields


class RestructuringSerializer(serializers.ModelSerializer):
    method = choice_code(RepaymentMethod)  # blank: unchanged
    status = choice_code(Restructuring.Status)
    registered_by = username("registered_by")
    meeting = serializers.SerializerMethodField(
        help_text="The committee meeting it was put before; null before."
    )
    version = serializers.IntegerField(
        source="version.version",
        read_only=True,
        allow_null=True,
        help_text="The schedule version the signed change made; null before.",
    )

    class Meta:
        model = Restructuring
        fields = ["id", "loan", "number", "requested_on", "reason", "annual_rate", "term_months",
                  "grace_months", "method", "consent_to_higher_rate", "status", "registered_by",
                  "registered_at", "meeting", "votes_for", "votes_against", "votes_abstain",
                  "decision_comment", "decided_at", "applied_on", "version"]  # fmt: skip
        read_only_fields = fields

    def get_meeting(self, request: Restructuring) -> int | None:
        items = sorted(request.agenda_items.all(), key=lambda item: item.pk)
        return items[-1].meeting_id if items else None


class RestructuringPreviewSerializer(serializers.Serializer):
    restructuring = serializers.IntegerField()
    on = serializers.DateField()
    principal = money(help_text="All the principal outstanding, late principal included.")
    annual_rate = rate()
    term_months = serializers.IntegerField()
    method = serializers.CharField()
    grace_months = serializers.IntegerField()
    payment = money(allow_null=True, help_text="The level payment; null without one.")
    gesv = gesv()
    installments = ScheduleLineSerializer(many=True)


class DemandSerializer(serializers.ModelSerializer):
    kind = choice_code(Demand.Kind)
    total = money(help_text="Principal, interest, penalty and fine demanded.")
    issued_by = username("issued_by")

    class Meta:
        model = Demand
        fields = ["id", "loan", "number", "kind", "issued_on", "pay_by", "days_past_due",
                  "principal", "interest", "penalty", "misused_amount", "fine", "total",
                  "details", "issued_by", "issued_at"]  # fmt: skip
        read_only_fields = fields


class WriteOffSerializer(serializers.ModelSerializer):
    recorded_by = username("recorded_by")

    class Meta:
        model = WriteOff
        fields = ["id", "loan", "on", "decision_number", "decided_on", "decided_by_body",
                  "reason", "principal", "interest", "penalty", "days_past_due", "recorded_by",
                  "recorded_at"]  # fmt: skip
        read_only_fields = fields


class WriteOffReportSerializer(serializers.ModelSerializer):
    """A row of the write-off report: what was written off, and recovered since."""

    loan_number = serializers.CharField(source="loan.number", read_only=True)
    borrower_name = serializers.CharField(source="loan.borrower.name", read_only=True)
    product_code = serializers.CharField(source="loan.product.code", read_only=True)
    branch_code = serializers.CharField(source="loan.branch.code", read_only=True)
    recovered = money(help_text="Payments from the write-off date on, reversals left out.")

    class Meta:
        model = WriteOff
        fields = ["id", "loan", "loan_number", "borrower_name", "product_code", "branch_code",
                  "on", "decision_number", "principal", "interest", "penalty", "days_past_due",
                  "recovered"]  # fmt: skip
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    account = serializers.SerializerMethodField(
        help_text="Masked for roles that neither pay refunds nor have need-to-know."
    )
    recorded_by = username("recorded_by")

    class Meta:
        model = Refund
        fields = ["id", "loan", "amount", "on", "applied_on", "account", "recorded_by",
                  "recorded_at"]  # fmt: skip
        read_only_fields = fields

    def get_account(self, refund: Refund) -> str:
        # core.privacy: in clear to the accountant who pays the refund, masked for the others
        return shown(self.context["request"].user, Category.ACCOUNT, refund.account)
