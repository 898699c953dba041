"""Browser input for collateral, guarantees and inspections: forms parse, the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Region
from collateral.domain.eligibility import AGE_LIMITED, REAL_ESTATE
from collateral.models import Inspection, Kind, NotPledgeableCategory, PledgeAgreement
from core.money import MONEY

TIYN = Decimal("0.01")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_AREA = forms.Textarea(attrs={"rows": 3})

REAL_ESTATE_FIELDS = (
    "cadastral_number",
    "address",
    "region",
    "in_regional_centre",
    "state_registered",
)
VEHICLE_FIELDS = ("vin", "make", "make_country", "year_of_manufacture")
PLEDGOR_BORROWER, PLEDGOR_THIRD_PARTY = "borrower", "third_party"


def _compact(value: str) -> str:
    return "".join(value.split())


class CollateralItemForm(forms.Form):
    """An item and its pledgor. Fields of another type than the chosen one are dropped."""

    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Choose the type")), *Kind.choices])
    description = forms.CharField(
        label=_("Description"),
        max_length=400,
        help_text=_("What it is, as the title documents name it."),
    )
    # real estate
    cadastral_number = forms.CharField(label=_("Cadastral number"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=400, required=False)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", "—"), *Region.choices], required=False
    )
    in_regional_centre = forms.BooleanField(label=_("In the regional centre"), required=False)
    state_registered = forms.BooleanField(
        label=_("Rights registered with the state"), required=False
    )
    # vehicles and machinery
    vin = forms.CharField(label=_("VIN"), max_length=17, required=False)
    make = forms.CharField(label=_("Make"), max_length=100, required=False)
    make_country = forms.CharField(
        label=_("Country of the make"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code of the brand's country: JP, DE, KZ, CN…"),
    )
    year_of_manufacture = forms.IntegerField(
        label=_("Year of manufacture"), min_value=1900, max_value=2100, required=False
    )
    serial_numbers = forms.CharField(
        label=_("Serial numbers"),
        max_length=300,
        required=False,
        help_text=_("Of machinery and its units, comma-separated."),
    )
    # what may not be pledged, and the pledgor's declarations
    not_pledgeable = forms.ChoiceField(
        label=_("Cannot be pledged as"),
        choices=[("", _("None of these")), *NotPledgeableCategory.choices],
        required=False,
    )
    free_of_third_party_rights = forms.BooleanField(
        label=_("The pledgor declares it free of third-party rights"), required=False
    )
    free_of_budget_arrears = forms.BooleanField(
        label=_("The pledgor declares no budget arrears on it"), required=False
    )
    # the pledgor
    pledgor = forms.ChoiceField(
        label=_("Pledgor"),
        choices=[
            (PLEDGOR_BORROWER, _("The borrower")),
            (PLEDGOR_THIRD_PARTY, _("A third party")),
        ],
        initial=PLEDGOR_BORROWER,
        widget=forms.RadioSelect,
    )
    pledgor_is_legal_entity = forms.BooleanField(
        label=_("The third party is a legal entity"), required=False
    )
    pledgor_name = forms.CharField(label=_("Third party's name"), max_length=300, required=False)
    pledgor_identifier = forms.CharField(
        label=_("Third party's IIN or BIN"),
        max_length=20,
        required=False,
        help_text=_("12 digits: IIN of a person, BIN of a legal entity."),
    )
    pledgor_body_decision = forms.CharField(
        label=_("Decision of the entity's body to pledge"),
        max_length=300,
        required=False,
        help_text=_("Body, number and date; when the pledgor is a legal entity."),
    )

    def clean_make_country(self) -> str:
        return self.cleaned_data["make_country"].strip().upper()

    def clean_vin(self) -> str:
        return _compact(self.cleaned_data["vin"]).upper()

    def clean_pledgor_identifier(self) -> str:
        return _compact(self.cleaned_data["pledgor_identifier"])

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        # the form shows every group; only the one of the chosen type is kept
        if kind not in REAL_ESTATE:
            for name in REAL_ESTATE_FIELDS:
                data[name] = False if name in ("in_regional_centre", "state_registered") else ""
        else:
            if not data.get("cadastral_number"):
                self.add_error("cadastral_number", _("Give the cadastral number of real estate."))
            if not data.get("region"):
                self.add_error("region", _("Choose the region where the real estate is."))
        if kind not in AGE_LIMITED | {Kind.MACHINERY_PURCHASED}:
            for name in VEHICLE_FIELDS:
                data[name] = None if name == "year_of_manufacture" else ""
        elif kind == Kind.VEHICLE and not data.get("vin"):
            self.add_error("vin", _("Give the VIN of the vehicle."))
        return data

    def item_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "description",
                *REAL_ESTATE_FIELDS,
                *VEHICLE_FIELDS,
                "serial_numbers",
                "not_pledgeable",
                "free_of_third_party_rights",
                "free_of_budget_arrears",
            )
        }

    def pledgor_data(self) -> dict:
        data = self.cleaned_data
        if data["pledgor"] == PLEDGOR_BORROWER:
            return {"is_borrower": True, "body_decision": data["pledgor_body_decision"]}
        return {
            "is_borrower": False,
            "is_legal_entity": data["pledgor_is_legal_entity"],
            "name": data["pledgor_name"],
            "identifier": data["pledgor_identifier"],
            "body_decision": data["pledgor_body_decision"],
        }


class TitleDocumentForm(forms.Form):
    name = forms.CharField(
        label=_("Document"),
        max_length=300,
        help_text=_("E.g. certificate of registration of the vehicle, deed of purchase."),
    )
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    original_received = forms.BooleanField(
        label=_("The original is handed over to the MFO"), required=False, initial=True
    )


class AppraisalForm(forms.Form):
    appraiser = forms.CharField(label=_("Appraiser"), max_length=300)
    licence = forms.CharField(label=_("Appraiser's licence"), max_length=100)
    appraised_on = forms.DateField(label=_("Date of the appraisal"), widget=DATE_INPUT)
    market_value = forms.DecimalField(label=_("Market value, KZT"), **MONEY)


class PledgeAgreementForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE_INPUT)
    encumbrance = forms.ChoiceField(
        label=_("Encumbrance"), choices=PledgeAgreement.Encumbrance.choices
    )
    authority = forms.CharField(label=_("Registering authority"), max_length=300, required=False)
    registered_on = forms.DateField(label=_("Registered on"), required=False, widget=DATE_INPUT)
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=100, required=False
    )

    @classmethod
    def for_agreement(cls, agreement: PledgeAgreement | None, **kwargs) -> PledgeAgreementForm:
        if agreement is None:
            return cls(**kwargs)
        return cls(initial={name: getattr(agreement, name) for name in cls.base_fields}, **kwargs)


class InsuranceForm(forms.Form):
    insurer = forms.CharField(label=_("Insurer"), max_length=300)
    policy_number = forms.CharField(label=_("Policy number"), max_length=100)
    starts_on = forms.DateField(label=_("Cover from"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Cover to"), widget=DATE_INPUT)
    sum_insured = forms.DecimalField(label=_("Sum insured, KZT"), min_value=TIYN, **MONEY)
    mfo_is_beneficiary = forms.BooleanField(
        label=_("The MFO is the beneficiary"), required=False, initial=True
    )


class GuaranteeForm(forms.Form):
    guarantor_name = forms.CharField(label=_("Guarantor"), max_length=300)
    is_legal_entity = forms.BooleanField(label=_("The guarantor is a legal entity"), required=False)
    identifier = forms.CharField(
        label=_("IIN or BIN"),
        max_length=20,
        help_text=_("12 digits: IIN of a person, BIN of a legal entity."),
    )
    body_decision = forms.CharField(
        label=_("Decision of the entity's body to guarantee"),
        max_length=300,
        required=False,
        help_text=_("Body, number and date; when the guarantor is a legal entity."),
    )
    amount = forms.DecimalField(label=_("Amount guaranteed, KZT"), **MONEY)

    def clean_identifier(self) -> str:
        return _compact(self.cleaned_data["identifier"])


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(
        label=_("Date of the inspection"), widget=DATE_INPUT, initial=timezone.localdate
    )
    present = forms.TypedChoiceField(
        label=_("Is the item in place?"),
        choices=[("yes", _("Yes, in place")), ("no", _("No, not found"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    condition = forms.ChoiceField(
        label=_("Condition"), choices=Inspection.Condition.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXT_AREA, max_length=4000)
    new_market_value = forms.DecimalField(
        label=_("Market value now, KZT"),
        required=False,
        min_value=TIYN,
        help_text=_("Empty: the value has not changed. A new value is recorded as an appraisal."),
        **MONEY,
    )
    photo = forms.FileField(
        label=_("Photo"), required=False, help_text=_("JPEG or PNG, up to 10 MB.")
    )


class InsurancePayoutForm(forms.Form):
    received_on = forms.DateField(
        label=_("Payout received on"), widget=DATE_INPUT, initial=timezone.localdate
    )
    amount = forms.DecimalField(label=_("Payout, KZT"), min_value=TIYN, **MONEY)
    secured_debt = forms.DecimalField(
        label=_("Secured debt on that day, KZT"),
        min_value=Decimal(0),
        help_text=_("Principal, interest and penalties owed on the loan the item secures."),
        **MONEY,
    )


class ReleaseForm(forms.Form):
    """No input: the service returns the originals and asks to lift the encumbrance."""
