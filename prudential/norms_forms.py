"""Forms of the MFO norms pages; the services in prudential.norms check the rules."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Applicant
from core.forms import add_domain_error
from core.privacy import identifier_for

MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = {"max_digits": 18, "decimal_places": 2}
IDENTIFIER = re.compile(r"\d{12}")

show_error = add_domain_error  # a service's refusal beside the field it names


def yesterday():
    return timezone.localdate() - timedelta(days=1)


class FinancialsForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MONTH_INPUT)
    own_capital = forms.DecimalField(
        label=_("Own capital, KZT"),
        **AMOUNT,
        help_text=_("As reported to the regulator; negative when losses exceed the capital."),
    )
    assets = forms.DecimalField(label=_("Assets, KZT"), **AMOUNT)
    liabilities = forms.DecimalField(label=_("Liabilities, KZT"), **AMOUNT)


class FinancialsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns month,own_capital,assets,liabilities; one month a row, e.g. "
            "2026-03,150000000.00,900000000.00,750000000.00. A month already entered is replaced."
        ),
    )


class NormsRunForm(forms.Form):
    on = forms.DateField(label=_("Date"), initial=yesterday, widget=DATE_INPUT)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on >= timezone.localdate():
            raise forms.ValidationError(_("Only a day that has ended and been closed."))
        return on


class BorrowerGroupForm(forms.Form):
    """The group's name, the members to keep, and borrowers to add by IIN or BIN."""

    name = forms.CharField(label=_("Name"), max_length=200)
    keep = forms.MultipleChoiceField(
        label=_("Borrowers in the group"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a borrower to take them out of the group."),
    )
    add = forms.CharField(
        label=_("Add borrowers by IIN or BIN"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Twelve digits each, separated by spaces, commas or new lines."),
    )

    def __init__(self, *args, group=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = list(group.members.order_by("name")) if group else []
        if group is not None and not self.is_bound:
            self.initial.setdefault("name", group.name)
            self.initial.setdefault("keep", [str(member.pk) for member in members])
        if not members:
            del self.fields["keep"]
            return
        self.fields["keep"].choices = [
            (str(member.pk), f"{member.name} · {identifier_for(user, member.iin or member.bin)}")
            for member in members
        ]

    def clean_add(self) -> list[int]:
        tokens = [token for token in re.split(r"[\s,;]+", self.cleaned_data["add"]) if token]
        wrong = [token for token in tokens if not IDENTIFIER.fullmatch(token)]
        if wrong:
            raise forms.ValidationError(
                _("Not an IIN or BIN: %(values)s.") % {"values": ", ".join(wrong)}
            )
        found = {}
        for pk, iin, bin_ in Applicant.objects.filter(
            Q(iin__in=tokens) | Q(bin__in=tokens)
        ).values_list("pk", "iin", "bin"):
            found.update({identifier: pk for identifier in (iin, bin_) if identifier})
        unknown = [token for token in tokens if token not in found]
        if unknown:
            raise forms.ValidationError(
                _("No borrower with IIN or BIN %(values)s.") % {"values": ", ".join(unknown)}
            )
        return [found[token] for token in tokens]

    def member_ids(self) -> list[int]:
        kept = {int(pk) for pk in self.cleaned_data.get("keep", [])}
        return sorted(kept | set(self.cleaned_data["add"]))
