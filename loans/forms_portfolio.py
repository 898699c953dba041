"""The portfolio list's filters (a GET form): what ``loans.selectors.portfolio`` narrows by."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.models import Branch
from lending.models import Product
from loans.domain.servicing import BUCKET_BOUNDS, Bucket
from loans.models import Loan

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

BUCKET_LABELS = {
    Bucket.CURRENT: _("Current"),
    Bucket.DPD_1_30: _("1–30 days"),
    Bucket.DPD_31_60: _("31–60 days"),
    Bucket.DPD_61_90: _("61–90 days"),
    Bucket.DPD_90_PLUS: _("More than 90 days"),
}


def bucket_range(bucket: Bucket) -> tuple[int, int | None]:
    """The days past due a bucket spans, from ``BUCKET_BOUNDS``: (first, last or None)."""
    first = 0
    for bound, named in BUCKET_BOUNDS:
        if named is bucket:
            return first, bound
        first = bound + 1
    return first, None


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class PortfolioFilterForm(forms.Form):
    """Invalid input is reported beside its field; the valid fields still filter."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Every disbursed loan")),
            (Loan.Status.ACTIVE, Loan.Status.ACTIVE.label),
            (Loan.Status.WRITTEN_OFF, Loan.Status.WRITTEN_OFF.label),
            (Loan.Status.CLOSED, Loan.Status.CLOSED.label),
        ],
    )
    bucket = forms.ChoiceField(
        label=_("Overdue bucket"),
        required=False,
        choices=[("", _("Any")), *((b.value, BUCKET_LABELS[b]) for b in Bucket)],
    )
    min_dpd = forms.IntegerField(
        label=_("Days past due, from"), required=False, min_value=0, max_value=100_000
    )
    max_dpd = forms.IntegerField(
        label=_("Days past due, to"), required=False, min_value=0, max_value=100_000
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.all(),
        empty_label=_("All products"),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        required=False,
        queryset=Branch.objects.all(),
        empty_label=_("All branches"),
    )
    officer = OfficerChoiceField(
        label=_("Credit officer"),
        required=False,
        queryset=get_user_model()
        .objects.filter(loans_managed__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "username"),
        empty_label=_("All officers"),
    )
    on = forms.DateField(
        label=_("Figures as of"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: the last closed business day."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_dpd"), data.get("max_dpd")
        if low is not None and high is not None and low > high:
            self.add_error("max_dpd", _("The upper bound is below the lower one."))
        return data

    def filters(self) -> dict:
        """The selector's filters from the fields that are valid (call after ``is_valid``)."""
        data = getattr(self, "cleaned_data", {})
        low, high = data.get("min_dpd"), data.get("max_dpd")
        if data.get("bucket"):
            first, last = bucket_range(Bucket(data["bucket"]))
            low = first if low is None else max(low, first)
            high = last if high is None else (high if last is None else min(high, last))
        return {
            "status": data.get("status") or None,
            "product": data["product"].pk if data.get("product") else None,
            "branch": data["branch"].pk if data.get("branch") else None,
            "officer": data["officer"].pk if data.get("officer") else None,
            "min_dpd": low,
            "max_dpd": high,
        }

    def snapshot_date(self):
        return getattr(self, "cleaned_data", {}).get("on")
