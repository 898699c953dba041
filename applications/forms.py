"""Browser input for applicants and applications; the services decide, the forms only parse."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Applicant,
    ApplicantKind,
    Conclusion,
    DocumentType,
    RefusalGround,
    Region,
    Stage,
)
from applications.selectors import applicant_list
from core.models import Branch
from lending.models import Product, Purpose, RepaymentMethod

TIYN = Decimal("0.01")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_AREA = forms.Textarea(attrs={"rows": 3})


class ApplicantForm(forms.Form):
    """An individual, an individual entrepreneur or a legal entity. The service checks the
    IIN/BIN (control digit, date of birth, registered once) and names the field it refuses."""

    kind = forms.ChoiceField(label=_("Type"), choices=ApplicantKind.choices)
    iin = forms.CharField(
        label=_("IIN"),
        max_length=12,
        required=False,
        help_text=_("12 digits; for an individual or an individual entrepreneur."),
    )
    bin = forms.CharField(
        label=_("BIN"), max_length=12, required=False, help_text=_("12 digits; for a legal entity.")
    )
    name = forms.CharField(label=_("Full name or company name"), max_length=300)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: taken from the IIN."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    legal_address = forms.CharField(label=_("Registered address"), max_length=400, required=False)
    actual_address = forms.CharField(label=_("Actual address"), max_length=400, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    tax_registration_date = forms.DateField(
        label=_("Registered with the tax authority on"), required=False, widget=DATE_INPUT
    )
    activity = forms.CharField(label=_("Activity"), max_length=300, required=False)
    activity_code = forms.CharField(label=_("Activity code (OKED)"), max_length=20, required=False)
    monthly_income = forms.DecimalField(
        label=_("Average monthly income, KZT"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal(0),
    )
    existing_monthly_payments = forms.DecimalField(
        label=_("Monthly payments on existing loans, KZT"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal(0),
    )
    overdue_90_last_12_months = forms.BooleanField(
        label=_("Over 90 days overdue in the last 12 months"), required=False
    )
    in_liquidation = forms.BooleanField(
        label=_("In liquidation, bankruptcy or under arrest"), required=False
    )
    offshore = forms.BooleanField(label=_("Registered offshore"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        # the form shows both numbers; only the one of the applicant's type is kept
        if data.get("kind") == ApplicantKind.LEGAL_ENTITY:
            data["iin"], data["birth_date"] = "", None
        elif data.get("kind"):
            data["bin"] = ""
        return data

    @classmethod
    def initial_from(cls, applicant: Applicant) -> dict:
        return {name: getattr(applicant, name) for name in cls.base_fields}


class ApplicantSearchForm(forms.Form):
    q = forms.CharField(
        label=_("IIN/BIN, name or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )


class ApplicationForm(forms.Form):
    applicant = forms.CharField(
        label=_("Applicant's IIN or BIN"),
        max_length=12,
        help_text=_("The applicant must be registered first."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    amount = forms.DecimalField(
        label=_("Requested amount, KZT"), max_digits=18, decimal_places=2, min_value=TIYN
    )
    term_months = forms.IntegerField(label=_("Term, months"), min_value=1, max_value=600)
    rate = forms.DecimalField(
        label=_("Rate, % a year"),
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(0),
    )
    method = forms.ChoiceField(label=_("Repayment method"), choices=RepaymentMethod.choices)
    repayment_sources = forms.CharField(
        label=_("Sources of repayment"), required=False, widget=TEXT_AREA
    )
    collateral_offered = forms.CharField(
        label=_("Collateral offered"),
        required=False,
        widget=TEXT_AREA,
        help_text=_("What is offered and its value; empty: none."),
    )
    # offered to head office only: a branch's staff register at their branch (core.branches)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.all(),
        required=False,
        help_text=_("Its staff prepare and see the application; empty: head office."),
    )

    def clean_applicant(self) -> Applicant:
        number = "".join(ch for ch in self.cleaned_data["applicant"] if ch.isdigit())
        applicant = (
            applicant_list(search=number).filter(Q(iin=number) | Q(bin=number)).first()
            if len(number) == 12
            else None
        )
        if applicant is None:
            raise forms.ValidationError(
                _("No applicant with this IIN or BIN; register the applicant first.")
            )
        return applicant


# --- actions on an application's page ------------------------------------------------------


class AdvanceForm(forms.Form):
    to = forms.ChoiceField(choices=Stage.choices)


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground"), choices=[("", _("Choose the ground")), *RefusalGround.choices]
    )
    comment = forms.CharField(
        label=_("Explanation to the applicant"), widget=TEXT_AREA, max_length=2000
    )


class WithdrawForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=TEXT_AREA, max_length=2000)


class AnswerForm(forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    answer = forms.ChoiceField(
        choices=[(ACCEPT, _("Accepts the approved terms")), (DECLINE, _("Declines them"))]
    )

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["answer"] == self.ACCEPT


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(choices=DocumentType.choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, JPEG or PNG. Without a file: the original was received on paper."),
    )


class DocumentMissingForm(forms.Form):
    document_type = forms.ChoiceField(choices=DocumentType.choices, widget=forms.HiddenInput)


class DebtBurdenForm(forms.Form):
    """No input: the service computes from the applicant's income and the requested terms."""


class ConclusionForm(forms.Form):
    kind = forms.ChoiceField(choices=Conclusion.Kind.choices, widget=forms.HiddenInput)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Conclusion.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 4}))


class RepresentativeForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=300)
    iin = forms.CharField(label=_("IIN"), max_length=12, min_length=12)
    authority = forms.CharField(label=_("Authority (document, number, date)"), max_length=300)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
