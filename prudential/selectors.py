"""The portfolio figures prudential norms are computed from, read from the daily close."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q, Sum

from core.money import ZERO
from core.regulation import regulatory_value
from loans.models import LoanSnapshot
from prudential.domain.k1 import OVERDUE_DAYS, OverdueShare


def overdue_share(*, on: date) -> OverdueShare:
    """MM90 and LP on ``on`` in one aggregate over that day's snapshots: every disbursed loan
    open that day, written-off ones included, at principal plus interest owed and accrued."""
    exposure = F("principal") + F("interest") + F("accrued_interest")
    figures = LoanSnapshot.objects.filter(on=on).aggregate(
        portfolio=Sum(exposure),
        mm90=Sum(exposure, filter=Q(days_past_due__gt=OVERDUE_DAYS)),
    )
    return OverdueShare(
        mm90=figures["mm90"] or ZERO,
        portfolio=figures["portfolio"] or ZERO,
        limit=regulatory_value("k1_overdue90_limit", on=on),
    )
