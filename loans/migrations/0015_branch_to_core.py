"""Branches and their staff moved to core (state only: the tables keep their names)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0014_product_to_lending"),
        ("core", "0009_branch_from_loans"),
        ("applications", "0006_branch_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="loan",
                    name="branch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="loans",
                        to="core.branch",
                        verbose_name="branch",
                    ),
                ),
                migrations.RemoveField(model_name="branchstaff", name="branch"),
                migrations.RemoveField(model_name="branchstaff", name="user"),
                migrations.DeleteModel(name="Branch"),
                migrations.DeleteModel(name="BranchStaff"),
            ],
            database_operations=[],
        ),
    ]
