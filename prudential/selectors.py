"""The portfolio figures prudential norms are computed from, read from the daily close."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import ZERO
from core.regulation import regulatory_value
from loans.models import DayClose, LoanSnapshot
from prudential.domain.k1 import OVERDUE_DAYS, OverdueShare


def overdue_share(*, on: date) -> OverdueShare:
    """MM90 and LP on ``on`` in one aggregate over that day's snapshots: every disbursed loan
    open that day, written-off ones included, at principal plus interest owed and accrued."""
    if not DayClose.objects.filter(business_date=on).exists():
        # before the close, only the loans a payment brought up to date have a snapshot
        raise DomainError(
            _("%(date)s is not closed yet.") % {"date": on.isoformat()},
            field="on",
            code="day_not_closed",
        )
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
