"""The collateral types with the MFO's liquidity coefficients and inspection frequencies.

The seeds leave the coefficients to the MFO's internal documents (004 ch.2 §3 p.3): these are
starting values for an administrator to set.
"""

from decimal import Decimal

from django.db import migrations

TYPES = [
    ("land", Decimal("0.5"), 12),
    ("housing", Decimal("0.7"), 6),
    ("non_residential", Decimal("0.6"), 6),
    ("vehicle", Decimal("0.6"), 3),
    ("special_machinery", Decimal("0.5"), 3),
    ("machinery_purchased", Decimal("0.5"), 3),
]


def seed(apps, schema_editor):
    CollateralType = apps.get_model("collateral", "CollateralType")
    for kind, coefficient, months in TYPES:
        CollateralType.objects.get_or_create(
            kind=kind, defaults={"liquidity_coefficient": coefficient, "inspection_months": months}
        )


class Migration(migrations.Migration):
    dependencies = [("collateral", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
