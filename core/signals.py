"""Logins, logouts and failed logins go to the audit trail (usernames only, never passwords)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.audit import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(user, "auth.login", by=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(user, "auth.logout", by=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit(None, "auth.login_failed", by=None, data={"username": credentials.get("username", "")})
