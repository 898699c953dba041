"""The product catalogue moved to the lending app (state only: the tables keep their names)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0013_product_rate_without_fixed_ceiling"),
        ("lending", "0001_initial"),
        ("applications", "0005_product_to_lending"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="loan",
                    name="product",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="loans",
                        to="lending.product",
                    ),
                ),
                migrations.RemoveField(model_name="productpurpose", name="product"),
                migrations.DeleteModel(name="Product"),
                migrations.DeleteModel(name="ProductPurpose"),
            ],
            database_operations=[],
        ),
    ]
