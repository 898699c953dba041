"""Browser input for contracts, disbursement, payments and collection contacts.

The forms only parse; the services decide and name the field they refuse (DOMAIN.md §8–§9).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Branch
from core.money import MONEY
from core.payout_accounts import normalise, validate_payout_account, validate_payout_reference
from loans.models import ContactRecord, Loan, Payment, PayoutSource

TIYN = Decimal("0.01")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_AREA = forms.Textarea(attrs={"rows": 3})


def today_in_almaty():
    return timezone.localdate()


class ContractForm(forms.Form):
    """The contract is drawn on the decided terms; its dates, branch and payout account are
    chosen here."""

    contract_date = forms.DateField(
        label=_("Contract date"), initial=today_in_almaty, widget=DATE_INPUT
    )
    planned_disbursement_date = forms.DateField(
        label=_("Planned disbursement date"),
        initial=today_in_almaty,
        widget=DATE_INPUT,
        help_text=_("The draft schedule and the GESV are calculated from this date."),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.all(), empty_label=None
    )
    payout_account = forms.CharField(
        label=_("Payout account (IBAN) or card"),
        max_length=40,
        validators=[validate_payout_account],
        help_text=_(
            "Where the loan is paid: a Kazakhstan IBAN, or the card's full number (only its first "
            "six and last four digits are kept)."
        ),
    )
    payout_account_source = forms.ChoiceField(
        label=_("Account taken from"),
        choices=PayoutSource.choices,
        initial=PayoutSource.BORROWER_FILE,
        widget=forms.RadioSelect,
    )

    def clean_payout_account(self) -> str:
        return normalise(self.cleaned_data["payout_account"])


class SignForm(forms.Form):
    signed_on = forms.DateField(
        label=_("Signed by both parties on"), initial=today_in_almaty, widget=DATE_INPUT
    )


class DisburseForm(forms.Form):
    on = forms.DateField(
        label=_("Value date"),
        initial=today_in_almaty,
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
        label=_("Pay to another account"),
        max_length=40,
        required=False,
        validators=[validate_payout_reference],
        help_text=_(
            "Leave empty to pay to the contract's account. Another account must be approved "
            "by a second person first."
        ),
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
        return normalise(self.cleaned_data["payee_account"])


class PaymentForm(forms.Form):
    """A repayment at the desk; ``token`` is the idempotency key of this form (posts once)."""

    CHANNELS = [
        (Payment.Channel.CASH.value, Payment.Channel.CASH.label),
        (Payment.Channel.BANK_TRANSFER.value, Payment.Channel.BANK_TRANSFER.label),
    ]

    amount = forms.DecimalField(label=_("Amount, KZT"), min_value=TIYN, **MONEY)
    value_date = forms.DateField(
        label=_("Value date"),
        initial=today_in_almaty,
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


class PayoutAccountChangeForm(forms.Form):
    """A request to pay a loan to an account other than the contract's (a second person
    approves it)."""

    account = forms.CharField(
        label=_("Account (IBAN) or card"),
        max_length=40,
        validators=[validate_payout_account],
        help_text=_("A Kazakhstan IBAN, or the card's full number (kept masked)."),
    )
    source = forms.ChoiceField(
        label=_("Account taken from"),
        choices=PayoutSource.choices,
        initial=PayoutSource.BORROWER_FILE,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=TEXT_AREA)

    def clean_account(self) -> str:
        return normalise(self.cleaned_data["account"])
