"""Reminders to monitoring managers: insurance running out on pledged items."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from collateral.models import CollateralItem
from collateral.selectors import insurance_expiring_soon
from core.audit import audit
from core.models import AuditEvent
from core.roles import Role


def insurance_reminders_send(*, as_of: date, days_ahead: int = 30) -> int:
    """E-mail monitoring managers once per policy and day; safe to run twice for a date."""
    due = insurance_expiring_soon(as_of=as_of, days_ahead=days_ahead)
    sent_today = set(
        AuditEvent.objects.filter(
            action="collateral.insurance_reminder", data__as_of=str(as_of)
        ).values_list("data__item", flat=True)
    )
    due = [policy for policy in due if policy.item_id not in sent_today]
    if not due:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=Role.MONITORING_MANAGER.value, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    items = CollateralItem.objects.in_bulk([policy.item_id for policy in due])
    lines = [
        _("%(item)s: policy %(number)s ends on %(date)s")
        % {"item": items[p.item_id], "number": p.number, "date": p.expires_on.strftime("%d.%m.%Y")}
        for p in due
    ]
    if recipients:
        send_mail(
            _("Insurance of pledged items ending soon"),
            "\n".join(lines),
            None,
            recipients,
        )
    for policy in due:
        audit(
            items[policy.item_id],
            "collateral.insurance_reminder",
            by=None,
            data={"item": policy.item_id, "as_of": str(as_of), "ends_on": str(policy.expires_on)},
        )
    return len(due)
