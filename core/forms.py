from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.roles import BROWSER_ROLES, has_role


class BackOfficeLoginForm(AuthenticationForm):
    """Branch-system accounts exist for the API only and may not open a browser session."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not has_role(user, BROWSER_ROLES):
            raise forms.ValidationError(
                _("This account has no back-office role; it may only use the API."),
                code="no_browser_role",
            )


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal beside the field it names (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
