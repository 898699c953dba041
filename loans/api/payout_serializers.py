"""Payout account changes over the API: a request by one person, decided by another."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import choice_code
from core.payout_accounts import normalise, validate_payout_account
from core.privacy import Category, shown
from loans.models import PayoutAccountChange, PayoutSource


class PayoutAccountChangeInputSerializer(serializers.Serializer):
    account = serializers.CharField(
        max_length=40,
        validators=[validate_payout_account],
        help_text="A Kazakhstan IBAN (ISO 13616, 20 characters), or a card's full number "
        "(Luhn-checked, kept masked: first 6 and last 4 digits).",
    )
    source = serializers.ChoiceField(
        choices=PayoutSource.choices, help_text="The document the account was taken from."
    )
    reason = serializers.CharField(help_text="Why the money goes to another account.")

    def validate_account(self, value: str) -> str:
        return normalise(value)


class PayoutAccountChangeSerializer(serializers.ModelSerializer):
    loan_number = serializers.CharField(source="loan.number", read_only=True)
    account = serializers.SerializerMethodField(
        help_text="A compact IBAN or a masked card; masked for roles without need-to-know."
    )
    source = choice_code(PayoutSource)
    state = choice_code(PayoutAccountChange.State)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PayoutAccountChange
        fields = ["id", "loan", "loan_number", "account", "source", "reason", "state",
                  "requested_by", "requested_at", "decided_by", "decided_at",
                  "used_at"]  # fmt: skip
        read_only_fields = fields

    def get_account(self, change: PayoutAccountChange) -> str:
        return shown(self.context["request"].user, Category.ACCOUNT, change.account)
