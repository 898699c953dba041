"""Branches and their staff move from the loans app to core, beneath every app that scopes by
branch: state only, the tables keep their names (``loans_branch``, ``loans_branchstaff``)."""

import functools

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.model_moves import rename_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_overdue_stop_scope"),
        ("loans", "0013_product_rate_without_fixed_ceiling"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Branch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.SlugField(max_length=30, unique=True, verbose_name="code")),
                        ("name_kk", models.CharField(max_length=200, verbose_name="name (Kazakh)")),
                        (
                            "name_ru",
                            models.CharField(max_length=200, verbose_name="name (Russian)"),
                        ),
                        (
                            "name_en",
                            models.CharField(max_length=200, verbose_name="name (English)"),
                        ),
                    ],
                    options={
                        "verbose_name": "branch",
                        "verbose_name_plural": "branches",
                        "db_table": "loans_branch",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="BranchStaff",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "branch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="staff",
                                to="core.branch",
                                verbose_name="branch",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="branch_staff",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "branch staff member",
                        "verbose_name_plural": "branch staff",
                        "db_table": "loans_branchstaff",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            functools.partial(
                rename_content_types, models=("branch", "branchstaff"), old="loans", new="core"
            ),
            functools.partial(
                rename_content_types, models=("branch", "branchstaff"), old="core", new="loans"
            ),
        ),
    ]
