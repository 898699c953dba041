"""The collector's group (issue 6: collection work on late loans)."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="collector")


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="collector").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_regulatory_key_label")]

    operations = [migrations.RunPython(create_group, delete_group)]
