"""Browser input for corrections of identity; ``applications.identity`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import IDENTITY_FIELDS, Applicant, ApplicantKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNCHANGED = _("Empty: unchanged.")


class IdentityCorrectionForm(forms.Form):
    """Only the corrected values; a person's date of birth follows a corrected IIN."""

    iin = forms.CharField(label=_("Corrected IIN"), max_length=12, required=False)
    bin = forms.CharField(label=_("Corrected BIN"), max_length=12, required=False)
    name = forms.CharField(
        label=_("Corrected full name or company name"),
        max_length=300,
        required=False,
        help_text=UNCHANGED,
    )
    birth_date = forms.DateField(
        label=_("Corrected date of birth"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: unchanged, or taken from a corrected IIN."),
    )
    reason = forms.CharField(
        label=_("Reason and the document showing the correct data"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, applicant: Applicant, **kwargs):
        super().__init__(*args, **kwargs)
        # only the identifier of the applicant's type
        if applicant.kind == ApplicantKind.LEGAL_ENTITY:
            del self.fields["iin"], self.fields["birth_date"]
            self.fields["bin"].help_text = UNCHANGED
        else:
            del self.fields["bin"]
            self.fields["iin"].help_text = UNCHANGED

    def changes(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in IDENTITY_FIELDS}


class CorrectionRejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Why it is rejected"), max_length=1000, widget=forms.TextInput()
    )


def mark_identity_fixed(form: forms.Form) -> None:
    """On the edit page of a party to a signed contract: the identity is read-only there."""
    for field in IDENTITY_FIELDS:
        if field in form.fields:
            form.fields[field].widget.attrs["readonly"] = True
            form.fields[field].help_text = _(
                "Fixed by a signed contract: request a correction on the applicant's page."
            )
