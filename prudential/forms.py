"""Forms of the risk manager's k1 pages; the services check the rules, these the input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.forms import add_domain_error
from prudential.models import PlanNote, RiskSettings

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def show_error(form: forms.Form, error: DomainError) -> None:
    """A service's refusal beside the field it names (at the top of the form if none)."""
    add_domain_error(form, error)


class K1RunForm(forms.Form):
    on = forms.DateField(label=_("Date"), initial=yesterday, widget=DATE_INPUT)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on >= timezone.localdate():
            raise forms.ValidationError(_("Only a day that has ended and been closed."))
        return on


class ResponsibleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class MeasureForm(forms.Form):
    what = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 2}))
    how = forms.CharField(label=_("How it is done"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)
    responsible = ResponsibleChoiceField(
        label=_("Responsible manager"),
        queryset=get_user_model().objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__isnull=False)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )


class PlanNoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanNote.Kind.choices)
    on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_INPUT)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kinds: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds:
            # the plan's state opens one kind: remarks on a submitted plan, objections to them
            self.fields["kind"].choices = [c for c in PlanNote.Kind.choices if c[0] in kinds]


class PlanDateForm(forms.Form):
    """The date the plan was sent to the regulator, or the date it approved it."""

    on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_INPUT)


class PlanPeriodForm(forms.Form):
    period_to = forms.DateField(label=_("Plan to"), widget=DATE_INPUT)


class NoticeSendForm(forms.Form):
    on = forms.DateField(label=_("Sent on"), initial=timezone.localdate, widget=DATE_INPUT)


PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class RiskSettingsForm(forms.ModelForm):
    class Meta:
        model = RiskSettings
        fields = [
            "warning_share",
            "reporting_day",
            "provision_stage1",
            "provision_stage2",
            "provision_stage3",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("warning_share", "provision_stage1", "provision_stage2", "provision_stage3"):
            self.fields[name].validators.extend(PERCENT)
        self.fields["warning_share"].validators.append(MinValueValidator(Decimal("0.01")))
