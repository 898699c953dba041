"""Seed the numbers of DOMAIN.md §12; administrators edit them afterwards."""

from datetime import date
from decimal import Decimal

from django.db import migrations

D = Decimal
LEGACY = date(2012, 1, 1)  # "before" a change: in force since the older rule, far enough back

# (key, loan_class, value, effective_from, source, needs_verification)
VALUES = [
    ("mrp", "", D("2917"), date(2021, 1, 1), "Law on the republican budget 2021", True),
    ("mrp", "", D("3063"), date(2022, 1, 1), "Law on the republican budget 2022", True),
    ("mrp", "", D("3180"), date(2022, 6, 1), "Budget 2022 as amended from 1 June", True),
    ("mrp", "", D("3450"), date(2023, 1, 1), "Law on the republican budget 2023", True),
    ("mrp", "", D("3692"), date(2024, 1, 1), "Law on the republican budget 2024", False),
    ("mrp", "", D("3932"), date(2025, 1, 1), "Law on the republican budget 2025", False),
    ("mrp", "", D("4325"), date(2026, 1, 1), "Law on the republican budget 2026", False),
    ("gesv_cap", "", D("56"), LEGACY, "Seeds 003, 004; NBRK res. 377 of 2012", True),
    ("gesv_cap", "", D("46"), date(2025, 1, 1), "ARDFM/NBRK res. 62/45 of Aug 2024", True),
    ("gesv_cap", "short_small", D("179"), date(2025, 1, 1), "ARDFM/NBRK res. 62/45", True),
    ("gesv_cap_daily", "short_small", D("0.3"), date(2025, 1, 1), "ARDFM/NBRK res. 62/45", True),
    ("penalty_daily_max", "", D("1"), LEGACY, "Seed 004 ch.7 §1 p.5", False),
    ("penalty_daily_max", "individual", D("0.5"), LEGACY, "Law On microfinance activity", True),
    ("penalty_year_share_max", "individual", D("10"), LEGACY, "Law On microfinance activity", True),
    ("penalty_stop_days", "individual", D("90"), LEGACY, "Law On microfinance activity", True),
    ("debt_burden_limit", "", D("0.5"), date(2020, 1, 1), "NBRK res. 215 of 2019", False),
    ("debt_burden_limit", "overdue_history", D("0.25"), date(2025, 11, 24), "ARDFM, Nov 2025", True),
    ("k1_overdue90_limit", "", D("15"), LEGACY, "Seed 001", False),
    ("k1_overdue90_limit", "", D("10"), date(2026, 1, 1), "Seed 001", False),
    ("first_payment_max_days", "", D("45"), LEGACY, "Seed 004 ch.7 §1 p.4", False),
    ("prepayment_min_payments", "", D("3"), LEGACY, "Seed 004 ch.7 §4 p.3", False),
    ("acceleration_day", "", D("41"), LEGACY, "Seed 004 ch.7 §1 p.6", False),
    ("misuse_fine", "", D("10"), LEGACY, "Seed 004 ch.7 §1 p.7", False),
    ("insurance_excess_days", "", D("3"), LEGACY, "Seed 004 ch.3 §2 p.11", False),
    ("action_plan_submit_days", "", D("1"), LEGACY, "Seed 001", False),
    ("action_plan_min_months", "", D("3"), LEGACY, "Seed 001", False),
    ("action_plan_reply_days", "", D("3"), LEGACY, "Seed 001", False),
    ("action_plan_approval_days", "", D("5"), LEGACY, "Seed 001", False),
    ("return_notice_days", "", D("1"), LEGACY, "Seed 001", False),
    ("min_capital", "", D("100000000"), LEGACY, "NBRK res. 192 of 2019", True),
    ("k1_capital_adequacy_min", "", D("0.1"), LEGACY, "NBRK res. 192 of 2019", True),
    ("k2_single_borrower_max", "", D("0.25"), LEGACY, "NBRK res. 192 of 2019", True),
    ("k3_leverage_max", "", D("10"), LEGACY, "NBRK res. 192 of 2019", True),
]


def seed(apps, schema_editor):
    RegulatoryValue = apps.get_model("core", "RegulatoryValue")
    for key, loan_class, value, effective_from, source, verify in VALUES:
        RegulatoryValue.objects.get_or_create(
            key=key,
            loan_class=loan_class,
            effective_from=effective_from,
            defaults={"value": value, "source": source, "needs_verification": verify},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_regulatory_value")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
