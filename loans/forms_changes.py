"""Browser input for what happens to a loan after disbursement: prepayment, change of terms,
demands, write-off, closure and refunds (DOMAIN.md §7–§9, §11).

The forms only parse; the services decide and name the field they refuse.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Meeting
from core.money import MONEY, RATE
from core.payout_accounts import normalise, validate_payout_reference
from lending.models import RepaymentMethod
from loans.forms_operations import DATE_INPUT, TEXT_AREA, TIYN, PaymentForm, today_in_almaty
from loans.models import Prepayment


class PayoffForm(forms.Form):
    """The date of a payoff quote on the loan page (a GET form)."""

    prefix = "payoff"
    on = forms.DateField(label=_("Payoff date"), initial=today_in_almaty, widget=DATE_INPUT)


class PrepaymentForm(forms.Form):
    """A partial prepayment on the borrower's application; ``token`` posts it once."""

    PREVIEW, POST = "preview", "post"

    amount = forms.DecimalField(
        label=_("Amount, KZT"),
        min_value=TIYN,
        help_text=_("At least three scheduled payments; nothing may be overdue."),
        **MONEY,
    )
    on = forms.DateField(label=_("Prepayment date"), initial=today_in_almaty, widget=DATE_INPUT)
    mode = forms.ChoiceField(
        label=_("Rebuild the schedule"),
        choices=Prepayment.Mode.choices,
        initial=Prepayment.Mode.SHORTEN_TERM,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=_("Paid by"),
        choices=PaymentForm.CHANNELS,
        initial=PaymentForm.CHANNELS[0][0],
        widget=forms.RadioSelect,
    )
    application_number = forms.CharField(
        label=_("Application number"), max_length=50, required=False
    )
    applied_on = forms.DateField(
        label=_("Application date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("The prepayment date if left empty."),
    )
    reference = forms.CharField(label=_("Payment document number"), max_length=100, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput)


class RestructuringRequestForm(forms.Form):
    """The borrower's written request for new terms; an empty field keeps the current term."""

    requested_on = forms.DateField(
        label=_("Request date"), initial=today_in_almaty, widget=DATE_INPUT
    )
    reason = forms.CharField(label=_("Reason for the change"), widget=TEXT_AREA)
    annual_rate = forms.DecimalField(
        label=_("New rate, % a year"),
        required=False,
        min_value=0,
        **RATE,  # at most the loan's GESV cap: the service says so beside the field
    )
    term_months = forms.IntegerField(
        label=_("Instalments from the change"), required=False, min_value=1, max_value=600
    )
    grace_months = forms.IntegerField(
        label=_("Principal grace, months"), required=False, min_value=0, max_value=599
    )
    method = forms.ChoiceField(
        label=_("Repayment method"),
        choices=[("", _("Unchanged")), *RepaymentMethod.choices],
        required=False,
    )
    consent_to_higher_rate = forms.BooleanField(
        label=_("The borrower agrees in writing to a higher rate"), required=False
    )


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} · {obj.held_on:%d.%m.%Y}"


class AgendaForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Committee meeting"),
        queryset=Meeting.objects.none(),
        empty_label=None,
        help_text=_("Only open meetings are listed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED
        ).order_by("held_on", "id")


class RestructuringApplyForm(forms.Form):
    """The additional agreement's date: the new schedule runs from it."""

    PREVIEW, APPLY = "preview", "apply"

    on = forms.DateField(
        label=_("Additional agreement signed on"), initial=today_in_almaty, widget=DATE_INPUT
    )


class AccelerationForm(forms.Form):
    on = forms.DateField(label=_("Demand date"), initial=today_in_almaty, widget=DATE_INPUT)
    pay_by = forms.DateField(
        label=_("To be repaid by"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("30 days after the demand if left empty."),
    )


class MisuseForm(forms.Form):
    on = forms.DateField(label=_("Demand date"), initial=today_in_almaty, widget=DATE_INPUT)
    misused_amount = forms.DecimalField(
        label=_("Misused amount, KZT"),
        min_value=TIYN,
        # xgettext:no-python-format
        help_text=_("A fine of 10 % of it is charged, due at once."),
        **MONEY,
    )
    details = forms.CharField(label=_("Facts found"), widget=TEXT_AREA)
    pay_by = forms.DateField(
        label=_("To be repaid by"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("30 days after the demand if left empty."),
    )


class WriteOffForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    decided_on = forms.DateField(
        label=_("Decision date"), initial=today_in_almaty, widget=DATE_INPUT
    )
    decided_by_body = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        help_text=_("The body that decided, e.g. the board."),
    )
    reason = forms.CharField(label=_("Reason"), widget=TEXT_AREA)
    on = forms.DateField(label=_("Written off on"), initial=today_in_almaty, widget=DATE_INPUT)


class CloseForm(forms.Form):
    on = forms.DateField(label=_("Closed on"), initial=today_in_almaty, widget=DATE_INPUT)


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount, KZT"), min_value=TIYN, **MONEY)
    on = forms.DateField(label=_("Paid on"), initial=today_in_almaty, widget=DATE_INPUT)
    applied_on = forms.DateField(
        label=_("Application date"), initial=today_in_almaty, widget=DATE_INPUT
    )
    account = forms.CharField(
        label=_("Pay to another account"),
        max_length=40,
        required=False,
        validators=[validate_payout_reference],
        help_text=_(
            "Leave empty to pay to the borrower's account under the contract. Another account "
            "must be approved by a second person first."
        ),
    )

    def clean_account(self) -> str:
        return normalise(self.cleaned_data["account"])
