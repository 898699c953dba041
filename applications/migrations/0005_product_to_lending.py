"""The product catalogue moved to the lending app (state only: the tables keep their names)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_identity_corrections"),
        ("lending", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="application",
                    name="product",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="lending.product",
                    ),
                ),
                migrations.AlterField(
                    model_name="requireddocument",
                    name="product",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="required_documents",
                        to="lending.product",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
