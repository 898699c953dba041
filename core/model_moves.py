"""What a migration needs when a model changes app but keeps its table (state only).

Imported by migrations: keep its signature stable.
"""

from __future__ import annotations


def rename_content_types(apps, schema_editor, *, models, old, new):
    """Move the content types of ``models`` from app ``old`` to ``new``, so the permissions
    granted on them and the audit trail's object types stay attached to the same rows."""
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in models:
        if not content_type.objects.using(db).filter(app_label=new, model=model).exists():
            content_type.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
