from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from core.money import MONEY, RATE, TIYN
from lending.domain.daycount import DayCount
from lending.domain.errors import InvalidLoanTerms
from lending.domain.schedule import LoanTerms, Method
from lending.domain.terms import validate_terms
from lending.models import Product

CALCULATOR_METHODS = [Method.ANNUITY, Method.DIFFERENTIATED, Method.INTEREST_ONLY]


class CashFlowSerializer(serializers.Serializer):
    date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY, min_value=TIYN)


class ScheduleRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=TIYN)
    annual_rate = serializers.DecimalField(
        **RATE,
        min_value=Decimal(0),
        help_text="% a year; at most the highest rate the caps in force on the disbursement "
        "date allow a loan of this class (its GESV cap; loans up to 45 days and 45 MRP: "
        "also under the daily cap).",
    )
    term_months = serializers.IntegerField(min_value=1, max_value=600)
    method = serializers.ChoiceField(choices=[m.value for m in CALCULATOR_METHODS])
    day_count = serializers.ChoiceField(choices=[d.value for d in DayCount])
    disbursement_date = serializers.DateField()
    first_payment_date = serializers.DateField(required=False, allow_null=True, default=None)
    grace_months = serializers.IntegerField(min_value=0, max_value=599, default=0)
    payment_multiple = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=TIYN, default=TIYN
    )
    fees = CashFlowSerializer(many=True, required=False, default=list)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True), required=False, allow_null=True
    )

    def validate(self, data):
        terms = LoanTerms(
            amount=data["amount"],
            annual_rate=data["annual_rate"],
            term_months=data["term_months"],
            method=data["method"],
            day_count=data["day_count"],
            disbursement_date=data["disbursement_date"],
            first_payment_date=data["first_payment_date"],
            grace_months=data["grace_months"],
            payment_multiple=data["payment_multiple"],
        )
        try:
            validate_terms(terms)
        except InvalidLoanTerms as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from exc
        for index, fee in enumerate(data["fees"]):
            if fee["date"] < terms.disbursement_date:
                raise serializers.ValidationError(
                    {f"fees.{index}.date": ["A fee cannot be paid before the disbursement."]}
                )
        data["terms"] = terms
        return data


class InstallmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    total = serializers.CharField()
    balance = serializers.CharField()


class TotalsSerializer(serializers.Serializer):
    principal = serializers.CharField()
    interest = serializers.CharField()
    payments = serializers.CharField()


class LimitViolationSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ScheduleResponseSerializer(serializers.Serializer):
    installments = InstallmentSerializer(many=True)
    totals = TotalsSerializer()
    gesv = serializers.CharField(help_text="percent, one decimal")
    gesv_cap = serializers.CharField(help_text="percent")
    gesv_within_cap = serializers.BooleanField()
    limit_violations = LimitViolationSerializer(many=True)


class GesvRequestSerializer(serializers.Serializer):
    payouts = CashFlowSerializer(many=True, allow_empty=False)
    payments = CashFlowSerializer(many=True, allow_empty=False)


class GesvResponseSerializer(serializers.Serializer):
    gesv = serializers.CharField(help_text="percent, one decimal")
