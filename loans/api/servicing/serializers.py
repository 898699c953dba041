"""Loans over the API: inputs check the shape, outputs say what a role sees (DOMAIN.md §8–§9, §14).

As in ``applications.api``: choices go back as plain codes, money as strings with two decimals,
and the borrower's IIN or BIN in full only to the roles with need-to-know.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Application
from core.api.fields import MONEY, choice_code, enum_code, identifier_shown, money
from core.models import Branch, OverdueStop
from core.money import TIYN
from core.payout_accounts import normalise, validate_payout_account, validate_payout_reference
from core.privacy import Category, shown
from lending.models import DayCount, Purpose, RepaymentMethod
from loans.domain.ledger import Component, Kind
from loans.domain.servicing import Bucket, LineState, bucket_of
from loans.models import (
    ContactRecord,
    DayClose,
    LedgerEntry,
    Loan,
    LoanSnapshot,
    Payment,
    PayoutSource,
)
from loans.selectors import latest_snapshot, loan_position

# Money is taken at the API only in cash or by transfer; ``transfer`` is the system's own move.
PAYMENT_CHANNELS = [Payment.Channel.CASH, Payment.Channel.BANK_TRANSFER]


# --- inputs ---------------------------------------------------------------------------------


class LoanListQuerySerializer(serializers.Serializer):
    """The portfolio's filters; figures are those of the last closed business date."""

    status = serializers.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (Loan.Status.ACTIVE, Loan.Status.WRITTEN_OFF, Loan.Status.CLOSED)
        ],
        required=False,
        help_text="The list holds disbursed loans; a draft or signed contract is read by its id.",
    )
    product = serializers.IntegerField(min_value=1, required=False)
    branch = serializers.IntegerField(min_value=1, required=False)
    officer = serializers.IntegerField(min_value=1, required=False, help_text="A user id.")
    min_dpd = serializers.IntegerField(min_value=0, required=False, help_text="Days past due.")
    max_dpd = serializers.IntegerField(min_value=0, required=False, help_text="Days past due.")

    def validate(self, attrs):
        low, high = attrs.get("min_dpd"), attrs.get("max_dpd")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_dpd": [_("Must not be below min_dpd.")]})
        return attrs


class LoanCreateSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.all(), help_text="Accepted by the borrower, no contract yet."
    )
    planned_disbursement_date = serializers.DateField()
    branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(), required=False, help_text="Left out: the first branch."
    )
    contract_date = serializers.DateField(required=False, help_text="Left out: today.")
    payout_account = serializers.CharField(
        max_length=40,
        validators=[validate_payout_account],
        help_text="Where the loan is paid: a Kazakhstan IBAN (ISO 13616, 20 characters), or a "
        "card's full number, Luhn-checked and kept masked (first 6 and last 4 digits).",
    )
    payout_account_source = serializers.ChoiceField(
        choices=PayoutSource.choices, help_text="The document the account was taken from."
    )

    def validate_payout_account(self, value: str) -> str:
        return normalise(value)


class LoanSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(help_text="From the contract date to today.")


class LoanDisburseSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The value date: in the current month, not in the future.")
    channel = serializers.ChoiceField(choices=Loan.Channel.choices)
    payee_name = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Third party."
    )
    payee_account = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_payout_reference],
        help_text="Left out: the contract's payout account. Another account (an IBAN, a card's "
        "full number, or the masked card as approved) must match an approved payout account "
        "change, else 400 naming `payee_account`.",
    )
    payee_purpose = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Third party."
    )

    def validate_payee_account(self, value: str) -> str:
        return normalise(value)


class PaymentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=TIYN, help_text="KZT, in whole tiyn.")
    value_date = serializers.DateField(help_text="The day the money reached the MFO; not later.")
    channel = serializers.ChoiceField(choices=PAYMENT_CHANNELS)
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text="The payment document's number.",
    )  # fmt: skip
    payer = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ContactInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactRecord.Channel.choices)
    outcome = serializers.ChoiceField(choices=ContactRecord.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    promised_amount = serializers.DecimalField(
        **MONEY, min_value=TIYN, required=False, allow_null=True, default=None,
        help_text="KZT; with the outcome `promise` only, and then required.",
    )  # fmt: skip
    promised_on = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="With the outcome `promise` only, and then required: today or later.",
    )  # fmt: skip


class SnapshotQuerySerializer(serializers.Serializer):
    """``from`` is a Python keyword: declared as ``from_`` and published under its own name."""

    from_ = serializers.DateField(required=False, help_text="The first date, inclusive.")
    to = serializers.DateField(required=False, help_text="The last date, inclusive.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first is not None and last is not None and first > last:
            raise serializers.ValidationError({"to": [_("Must not precede `from`.")]})
        return attrs


# --- loans: output --------------------------------------------------------------------------


class BorrowerFieldsMixin(serializers.Serializer):
    borrower_name = serializers.CharField(source="borrower.name", read_only=True)
    borrower_identifier = serializers.SerializerMethodField(
        help_text="IIN or BIN; masked for roles without need-to-know."
    )

    def get_borrower_identifier(self, loan: Loan) -> str:
        borrower = loan.borrower
        user = self.context["request"].user
        return identifier_shown(user, borrower.identifier, registered_by_id=borrower.created_by_id)


class LoanSummarySerializer(BorrowerFieldsMixin, serializers.ModelSerializer):
    """A row of the portfolio, with the figures of the last closed business date."""

    product_code = serializers.CharField(source="product.code", read_only=True)
    branch_code = serializers.CharField(source="branch.code", read_only=True)
    officer_username = serializers.CharField(source="officer.username", read_only=True)
    status = choice_code(Loan.Status)
    principal = money(source="snap_principal", allow_null=True)
    interest = money(source="snap_interest", allow_null=True)
    penalty = money(source="snap_penalty", allow_null=True)
    held = money(source="snap_held", allow_null=True)
    overdue_principal = money(source="snap_overdue_principal", allow_null=True)
    overdue_interest = money(source="snap_overdue_interest", allow_null=True)
    days_past_due = serializers.IntegerField(
        source="snap_days_past_due",
        read_only=True,
        allow_null=True,
        help_text="At the last closed date; null before the loan's first close.",
    )
    bucket = serializers.SerializerMethodField(help_text=enum_code(Bucket).help_text)

    class Meta:
        model = Loan
        fields = [
            "id", "number", "borrower", "borrower_name", "borrower_identifier", "product",
            "product_code", "branch", "branch_code", "officer", "officer_username", "status",
            "amount", "disbursed_on", "closed_on", "principal", "interest", "penalty", "held",
            "overdue_principal", "overdue_interest", "days_past_due", "bucket",
        ]  # fmt: skip
        read_only_fields = fields

    def get_bucket(self, loan: Loan) -> str | None:
        days = getattr(loan, "snap_days_past_due", None)
        return None if days is None else bucket_of(days).value


class BalancesSerializer(serializers.Serializer):
    """What the ledger holds now, including postings after the last close."""

    principal = money()
    interest = money()
    penalty = money()
    held = money(help_text="The borrower's money held for the next instalment.")


class LatestSnapshotSerializer(serializers.ModelSerializer):
    bucket = serializers.SerializerMethodField(help_text=enum_code(Bucket).help_text)

    class Meta:
        model = LoanSnapshot
        fields = ["on", "days_past_due", "bucket", "overdue_principal", "overdue_interest",
                  "penalty", "accrued_interest"]  # fmt: skip
        read_only_fields = fields

    def get_bucket(self, snapshot: LoanSnapshot) -> str:
        return bucket_of(snapshot.days_past_due).value


class LoanDetailSerializer(BorrowerFieldsMixin, serializers.ModelSerializer):
    """The contract's terms, its dates, the balances now and the last night's snapshot."""

    product_code = serializers.CharField(source="product.code", read_only=True)
    branch_code = serializers.CharField(source="branch.code", read_only=True)
    officer_username = serializers.CharField(source="officer.username", read_only=True)
    status = choice_code(Loan.Status)
    purpose = choice_code(Purpose)
    method = choice_code(RepaymentMethod)
    day_count = choice_code(DayCount)
    disbursement_channel = choice_code(Loan.Channel)
    # what stops after penalty_stop_days overdue (DOMAIN.md §12); empty where no stop applies
    overdue_stop_scope = choice_code(OverdueStop)
    payee_account = serializers.SerializerMethodField(
        help_text="Masked for roles that neither pay out nor have need-to-know."
    )
    payout_account = serializers.SerializerMethodField(
        help_text="The contract's payout account (a card masked); masked for roles that "
        "neither pay out nor have need-to-know."
    )
    payout_account_source = choice_code(PayoutSource)
    balances = serializers.SerializerMethodField()
    latest_snapshot = serializers.SerializerMethodField(
        help_text="The loan's latest daily snapshot; null before the first."
    )

    class Meta:
        model = Loan
        fields = [
            "id", "number", "application", "borrower", "borrower_name", "borrower_identifier",
            "product", "product_code", "branch", "branch_code", "officer", "officer_username",
            "status", "purpose", "amount", "annual_rate", "term_months", "method",
            "grace_months", "day_count", "payment_multiple", "penalty_rate_daily",
            "penalty_year_cap", "penalty_stop_days", "overdue_stop_scope", "gesv", "gesv_cap",
            "contract_date",
            "planned_disbursement_date", "signed_on", "disbursed_on", "disbursement_channel",
            "payee_name", "payee_account", "payee_purpose", "payout_account",
            "payout_account_source", "schedule_version",
            "acceleration_flagged_on", "closed_on", "balances", "latest_snapshot",
        ]  # fmt: skip
        read_only_fields = fields

    def get_payee_account(self, loan: Loan) -> str:
        # core.privacy: in clear to the accountant who pays it out, masked for the other roles
        return shown(self.context["request"].user, Category.ACCOUNT, loan.payee_account)

    def get_payout_account(self, loan: Loan) -> str:
        return shown(self.context["request"].user, Category.ACCOUNT, loan.payout_account)

    @extend_schema_field(BalancesSerializer)
    def get_balances(self, loan: Loan):
        return BalancesSerializer(loan_position(loan)).data

    @extend_schema_field(LatestSnapshotSerializer(allow_null=True))
    def get_latest_snapshot(self, loan: Loan):
        snapshot = latest_snapshot(loan)
        return None if snapshot is None else LatestSnapshotSerializer(snapshot).data


# --- schedule, ledger, snapshots ------------------------------------------------------------


class ScheduleLineProgressSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    grace_date = serializers.DateField(help_text="Paid by then, the instalment is on time.")
    days = serializers.IntegerField()
    principal = money()
    interest = money()
    total = money()
    balance = money(help_text="Principal left after the instalment.")
    principal_paid = money()
    interest_paid = money()
    state = enum_code(LineState)


class ScheduleProgressTotalsSerializer(serializers.Serializer):
    principal = money()
    interest = money()
    total = money()
    principal_paid = money()
    interest_paid = money()


class LoanScheduleSerializer(serializers.Serializer):
    loan = serializers.IntegerField()
    version = serializers.IntegerField(help_text="0: the contract's draft; 1: from disbursement.")
    on = serializers.DateField(help_text="The date the states are judged at: today.")
    installments = ScheduleLineProgressSerializer(many=True)
    totals = ScheduleProgressTotalsSerializer()


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = enum_code(Kind)
    component = enum_code(Component)
    amount = money(help_text="Signed: positive raises the debt, negative lowers it.")

    class Meta:
        model = LedgerEntry
        fields = ["id", "value_date", "kind", "component", "amount", "payment", "reverses",
                  "reason", "posted_at"]  # fmt: skip
        read_only_fields = fields


class LoanSnapshotSerializer(serializers.ModelSerializer):
    bucket = serializers.SerializerMethodField(help_text=enum_code(Bucket).help_text)

    class Meta:
        model = LoanSnapshot
        fields = ["on", "principal", "interest", "penalty", "held", "overdue_principal",
                  "overdue_interest", "accrued_interest", "days_past_due", "bucket"]  # fmt: skip
        read_only_fields = fields

    def get_bucket(self, snapshot: LoanSnapshot) -> str:
        return bucket_of(snapshot.days_past_due).value


# --- payments, contacts, day closes ---------------------------------------------------------


class AllocationSerializer(serializers.Serializer):
    """Where the money went, each part positive."""

    principal = money()
    interest = money()
    penalty = money()
    held = money(help_text="Above what was due: held for the next instalment.")


class LoanPaymentSerializer(serializers.ModelSerializer):
    channel = choice_code(Payment.Channel)
    received_by = serializers.CharField(source="received_by.username", read_only=True)
    allocation = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "loan", "amount", "value_date", "channel", "reference", "payer",
                  "moved_from", "received_by", "received_at", "allocation",
                  "reversed_at", "reversal_reason"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(AllocationSerializer)
    def get_allocation(self, payment: Payment):
        # the repayment entries only: a move to another contract is not where the money went
        parts = dict.fromkeys(Component, Decimal(0))
        for entry in payment.entries.all():
            if entry.kind == Kind.REPAYMENT:
                parts[Component(entry.component)] -= entry.amount
        return AllocationSerializer(
            {component.value: part for component, part in parts.items()}
        ).data


class ContactRecordSerializer(serializers.ModelSerializer):
    channel = choice_code(ContactRecord.Channel)
    outcome = choice_code(ContactRecord.Outcome)
    recorded_by = serializers.CharField(
        source="recorded_by.username",
        read_only=True,
        allow_null=True,
        help_text="Null for an automatic reminder.",
    )

    class Meta:
        model = ContactRecord
        fields = ["id", "loan", "channel", "outcome", "note", "promised_amount", "promised_on",
                  "reminder_for", "contacted_at", "recorded_by"]  # fmt: skip
        read_only_fields = fields


class DayCloseSerializer(serializers.ModelSerializer):
    class Meta:
        model = DayClose
        fields = ["business_date", "loans", "entries_posted", "runs", "finished_at"]
        read_only_fields = fields


class PaymentReversalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the payment is undone.")
