"""Branches moved to core (state only: the tables keep their names)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0005_product_to_lending"),
        ("core", "0009_branch_from_loans"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="applicant",
                    name="branch",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.branch",
                        verbose_name="branch",
                    ),
                ),
                migrations.AlterField(
                    model_name="application",
                    name="branch",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="applications",
                        to="core.branch",
                        verbose_name="branch",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
