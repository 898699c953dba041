"""The risk managers' alerts: raised once per date and kind (and plan), mailed once committed.

The k1 run, the norms run and the nightly deadline check raise them; the dashboard lists those
not yet acknowledged.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from core.roles import Role
from prudential.models import Alert, K1Run


def alert_once(
    run: K1Run | None, kind: str, message: str, *, on: date | None = None, plan=None
) -> bool:
    """Once per date and kind (and plan): a re-run warns nobody twice. True when new."""
    _alert_row, created = Alert.objects.get_or_create(
        on=on or run.on, kind=kind, plan=plan, defaults={"message": message, "run": run}
    )
    if created:
        recipients = list(
            get_user_model()
            .objects.filter(groups__name=Role.RISK_MANAGER.value, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:  # only once the alert is committed: a rolled-back run warns nobody
            transaction.on_commit(
                lambda: send_mail(_("Prudential alert"), message, None, recipients)
            )
    return created
