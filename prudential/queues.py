"""The risk manager's queues on the home page (``shell.navigation``): the alerts
not yet acknowledged and the action plans not yet approved."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from core.navigation import QueueRow
from prudential.models import ActionPlan, Alert
from prudential.presenters import next_deadline


def home_alert_rows(user) -> list[QueueRow]:
    url = reverse("risk:dashboard")
    return [
        QueueRow(label=alert.get_kind_display(), url=url, detail=alert.message)
        for alert in Alert.objects.filter(acknowledged_at__isnull=True)[:10]
    ]


def home_plan_rows(user) -> list[QueueRow]:
    today = timezone.localdate()
    rows = []
    for plan in ActionPlan.objects.exclude(status=ActionPlan.Status.APPROVED).order_by(
        "reporting_date"
    ):
        upcoming = next_deadline(plan, today)
        detail = f"{upcoming.label}: {upcoming.day:%d.%m.%Y}" if upcoming else ""
        rows.append(
            QueueRow(
                label=str(plan),
                url=reverse("risk:plan", args=[plan.pk]),
                detail=detail,
                overdue=bool(upcoming and upcoming.missed),
            )
        )
    return rows
