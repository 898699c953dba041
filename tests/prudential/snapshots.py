"""Hand-built daily-close figures for the prudential tests."""

from __future__ import annotations

from decimal import Decimal

# Every snapshot field a test leaves at zero: what the k1 run and the norms never read.
SNAPSHOT_ZEROS = {
    name: Decimal(0)
    for name in (
        "penalty",
        "held",
        "overdue_principal",
        "overdue_interest",
        "interest_accrued_total",
        "principal_due",
        "interest_due",
        "principal_late",
        "interest_late",
        "scheduled_interest_posted",
        "late_principal_days",
        "overdue_interest_posted",
        "penalty_exact",
        "penalty_exact_this_year",
        "penalty_posted",
    )
}
