"""Browser forms of the credit committee; the rules themselves live in applications.committee."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, RefusalGround, Vote
from core.errors import DomainError
from core.forms import add_domain_error
from core.roles import Role
from lending.models import RepaymentMethod

TIYN = Decimal("0.01")

# The services name a few fields differently from these forms (the pure domain says annual_rate).
SERVICE_FIELDS = {"annual_rate": "rate"}


def form_field_for(error: DomainError) -> str | None:
    return SERVICE_FIELDS.get(error.field or "", error.field)


def show_domain_error(form: forms.Form, error: DomainError) -> None:
    """``add_domain_error`` after translating the service's field name to the form's."""
    add_domain_error(form, DomainError(error.message, field=form_field_for(error), code=error.code))


def committee_members():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.COMMITTEE_MEMBER.value)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label=_("Date of the meeting"),
        # ISO, the only value a date input takes: the localised 10.02.2026 shows it empty
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    members = MemberChoiceField(
        label=_("Members present"),
        queryset=committee_members(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Active credit committee members; at least the quorum."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = committee_members()
        self.fields["held_on"].initial = timezone.localdate()


class AgendaItemForm(forms.Form):
    """The terms put to the vote; they start as the request and must stay within the product."""

    amount = forms.DecimalField(
        label=_("Amount, KZT"), max_digits=18, decimal_places=2, min_value=TIYN
    )
    term_months = forms.IntegerField(label=_("Term, months"), min_value=1, max_value=600)
    rate = forms.DecimalField(
        label=_("Rate, % a year"),
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(0),
    )
    method = forms.ChoiceField(label=_("Repayment method"), choices=RepaymentMethod.choices)
    grace_months = forms.IntegerField(
        label=_("Principal grace, months"), min_value=0, max_value=599, initial=0
    )

    def __init__(self, *args, application: Application, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "amount": application.requested_amount,
                "term_months": application.requested_term_months,
                "rate": Decimal(format(application.requested_rate.normalize(), "f")),
                "method": application.method,
                "grace_months": 0,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        term, grace = data.get("term_months"), data.get("grace_months")
        if term is not None and grace is not None and grace >= term:
            self.add_error("grace_months", _("The grace period must be shorter than the term."))
        return data


class PackageForm(forms.Form):
    """The package page holds several forms: each keeps its own element ids."""

    id_prefix = "package"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class VoteForm(PackageForm):
    id_prefix = "vote"
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you vote against."),
    )


class ConflictForm(PackageForm):
    id_prefix = "conflict"
    reason = forms.CharField(
        label=_("Conflict of interest"),
        max_length=300,
        help_text=_("For example: a relative of the applicant. You will not vote on it."),
    )


class DecisionForm(PackageForm):
    id_prefix = "decision"
    refusal_ground = forms.ChoiceField(
        label=_("Ground of refusal"),
        choices=[("", "—"), *RefusalGround.choices],
        required=False,
        help_text=_("Needed when the vote does not approve."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
