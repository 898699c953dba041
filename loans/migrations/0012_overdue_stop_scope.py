"""The 90-day stop as a dated regulatory choice (DOMAIN.md §12): kept on the contract; the
scheduled interest it waives kept on the snapshot and on each instalment that fell due."""

from django.db import migrations, models


def no_stop_without_stop_days(apps, schema_editor):
    # contracts without the stop (business loans) read no reading; the others the default,
    # DOMAIN.md §12's full stop
    loans = apps.get_model("loans", "Loan").objects
    loans.filter(penalty_stop_days__isnull=True).update(overdue_stop_scope="")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_overdue_stop_scope"),
        ("loans", "0011_payout_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="loan",
            name="overdue_stop_scope",
            field=models.CharField(
                blank=True,
                choices=[
                    ("penalty", "penalties stop; interest goes on"),
                    ("penalty_and_interest", "penalties and all interest stop"),
                ],
                default="penalty_and_interest",
                max_length=30,
                verbose_name="what stops after those days",
            ),
        ),
        migrations.AddField(
            model_name="installment",
            name="cumulative_interest_waived",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AddField(
            model_name="loansnapshot",
            name="interest_waived",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AddField(
            model_name="loansnapshot",
            name="period_stopped_days",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(no_stop_without_stop_days, migrations.RunPython.noop),
    ]
