from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lending.domain.daycount import DayCount
from lending.domain.schedule import LoanTerms, Method
from lending.models import DayCount as DayCountChoice
from lending.models import Product

TIYN = Decimal("0.01")


class CalculatorForm(forms.Form):
    """The terms a credit administrator tries out; both methods are computed from them."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False
    )
    amount = forms.DecimalField(
        label=_("Amount, KZT"), max_digits=18, decimal_places=2, min_value=TIYN
    )
    annual_rate = forms.DecimalField(
        label=_("Rate, % a year"),
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(0),
        # the upper bound is the caps' in force on the date (lending.calculator.check_rate)
    )
    term_months = forms.IntegerField(label=_("Term, months"), min_value=1, max_value=600)
    day_count = forms.ChoiceField(label=_("Day count"), choices=DayCountChoice.choices)
    disbursement_date = forms.DateField(
        label=_("Disbursement date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    first_payment_date = forms.DateField(
        label=_("First payment date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: one month after disbursement; at most 45 days after it."),
    )
    grace_months = forms.IntegerField(
        label=_("Principal grace, months"), min_value=0, max_value=599, initial=0, required=False
    )
    payment_multiple = forms.DecimalField(
        label=_("Round payment to, KZT"),
        max_digits=9,
        decimal_places=2,
        min_value=TIYN,
        initial=TIYN,
        required=False,
    )
    fee = forms.DecimalField(
        label=_("Fee at disbursement, KZT"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        help_text=_("Paid by the borrower to the MFO; counted in the GESV."),
    )

    def terms(self, method: Method) -> LoanTerms:
        data = self.cleaned_data
        return LoanTerms(
            amount=data["amount"],
            annual_rate=data["annual_rate"],
            term_months=data["term_months"],
            method=method,
            day_count=DayCount(data["day_count"]),
            disbursement_date=data["disbursement_date"],
            first_payment_date=data.get("first_payment_date"),
            grace_months=data.get("grace_months") or 0,
            payment_multiple=data.get("payment_multiple") or TIYN,
        )

    def fees(self) -> list:
        fee = self.cleaned_data.get("fee")
        return [(self.cleaned_data["disbursement_date"], fee)] if fee else []
