"""The ledger refuses UPDATE and DELETE at the database too; a head-office branch to book loans at."""

from django.db import migrations

IMMUTABLE = """
CREATE OR REPLACE FUNCTION loans_ledger_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loans_ledgerentry rows are immutable; post a reversal instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER loans_ledger_no_update BEFORE UPDATE OR DELETE ON loans_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION loans_ledger_immutable();
"""
MUTABLE = """
DROP TRIGGER IF EXISTS loans_ledger_no_update ON loans_ledgerentry;
DROP FUNCTION IF EXISTS loans_ledger_immutable();
"""


def make_immutable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(IMMUTABLE)


def make_mutable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MUTABLE)


def head_office(apps, schema_editor):
    apps.get_model("loans", "Branch").objects.get_or_create(
        code="head-office",
        defaults={"name_kk": "Бас кеңсе", "name_ru": "Головной офис", "name_en": "Head office"},
    )


class Migration(migrations.Migration):
    dependencies = [("loans", "0004_loans_ledger_snapshots")]

    operations = [
        migrations.RunPython(make_immutable, make_mutable),
        migrations.RunPython(head_office, migrations.RunPython.noop),
    ]
