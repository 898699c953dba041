"""The risk settings page: the one settings row, and the overdue-stop rules read only."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.regulation import Key, LoanClass, overdue_stop_rules, regulatory_value_or_none
from prudential import services
from prudential.forms import RiskSettingsForm
from prudential.views.common import risk_only

SETTINGS_FIELDS = RiskSettingsForm.Meta.fields


@risk_only
def risk_settings_edit(request):
    """The one settings row, created on the first save; who changed what is recorded."""
    current = services.risk_settings()
    if request.method == "POST":
        form = RiskSettingsForm(request.POST, instance=current)
        if form.is_valid():
            services.risk_settings_update(
                values={name: form.cleaned_data[name] for name in SETTINGS_FIELDS},
                by=request.user,
            )
            messages.success(request, _("The risk settings are saved."))
            return redirect("risk:settings")
    else:
        form = RiskSettingsForm(instance=current)
    status = 400 if form.is_bound and form.errors else 200
    today = timezone.localdate()
    rules = overdue_stop_rules()
    context = {
        "form": form,
        "current": current,
        # set by regulation, edited by an administrator: shown here, read only
        "stop_days": regulatory_value_or_none(
            Key.PENALTY_STOP_DAYS, on=today, loan_class=LoanClass.INDIVIDUAL
        ),
        "stop_rules": rules,
        "stop_in_force": next((rule for rule in rules if rule.effective_from <= today), None),
    }
    return render(request, "prudential/settings.html", context, status=status)
