"""Browser input for contracts, disbursement, payments and collection contacts.

The forms only parse; the services decide and name the field they refuse (DOMAIN.md §8–§9).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loans.models import Branch, ContactRecord, Loan, Payment

TIYN = Decimal("0.01")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_AREA = forms.Textarea(attrs={"rows": 3})
MONEY = {"max_digits": 18, "decimal_places": 2}


def _today():
    return timezone.localdate()


class ContractForm(forms.Form):
    """The contract is drawn on the decided terms; only its dates and branch are chosen here."""

    contract_date = forms.DateField(label=_("Contract date"), initial=_today, widget=DATE_INPUT)
    planned_disbursement_date = forms.DateField(
        label=_("Planned disbursement date"),
        initial=_today,
        widget=DATE_INPUT,
        help_text=_("The draft schedule and the GESV are calculated from this date."),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.all(), empty_label=None
    )


class SignForm(forms.Form):
    signed_on = forms.DateField(
        label=_("Signed by both parties on"), initial=_today, widget=DATE_INPUT
    )


class DisburseForm(forms.Form):
    on = forms.DateField(
        label=_("Value date"),
        initial=_today,
        widget=DATE_INPUT,
        help_text=_("The schedule is fixed from this date."),
    )
    channel = forms.ChoiceField(
        label=_("Paid out"),
        choices=Loan.Channel.choices,
        initial=Loan.Channel.ACCOUNT,
        widget=forms.RadioSelect,
    )
    payee_account = forms.CharField(
        label=_("Payee account (IBAN) or card"),
        max_length=40,
        required=False,
        help_text=_("The borrower's IBAN or card, or the seller's IBAN."),
    )
    payee_name = forms.CharField(
        label=_("Payee"),
        max_length=300,
        required=False,
        help_text=_("Required for a payment to a seller of goods."),
    )
    payee_purpose = forms.CharField(
        label=_("Purpose of the transfer"),
        max_length=300,
        required=False,
        help_text=_("Required for a payment to a seller of goods."),
    )

    def clean_payee_account(self) -> str:
        return "".join(self.cleaned_data["payee_account"].split()).upper()


class PaymentForm(forms.Form):
    """A repayment at the desk; ``token`` is the idempotency key of this form (posts once)."""

    CHANNELS = [
        (Payment.Channel.CASH.value, Payment.Channel.CASH.label),
        (Payment.Channel.BANK_TRANSFER.value, Payment.Channel.BANK_TRANSFER.label),
    ]

    amount = forms.DecimalField(label=_("Amount, KZT"), min_value=TIYN, **MONEY)
    value_date = forms.DateField(
        label=_("Value date"),
        initial=_today,
        widget=DATE_INPUT,
        help_text=_("The day the money reached the MFO's cash desk or account."),
    )
    channel = forms.ChoiceField(
        label=_("Paid by"),
        choices=CHANNELS,
        initial=Payment.Channel.CASH,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(label=_("Payment document number"), max_length=100, required=False)
    payer = forms.CharField(
        label=_("Payer"),
        max_length=300,
        required=False,
        help_text=_("The borrower, or whoever paid on their behalf."),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactRecord.Channel.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ContactRecord.Outcome.choices]
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT_AREA)
    promised_amount = forms.DecimalField(
        label=_("Promised amount, KZT"),
        required=False,
        min_value=TIYN,
        help_text=_("For a promise to pay."),
        **MONEY,
    )
    promised_on = forms.DateField(
        label=_("Promised payment date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For a promise to pay."),
    )
