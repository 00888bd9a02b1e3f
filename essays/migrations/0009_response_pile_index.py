"""An index in the marking pile's order (unmarked first, newest first), so the first page of
responses is read in order instead of sorting every submitted response.

PostgreSQL needs NULLS FIRST spelled out; SQLite puts NULLs first in ascending order already and
does not accept NULLS FIRST in an index, so each database gets the index it can use.
"""

from django.db import migrations, models

NAME = "response_pile_idx"


def pile_index(vendor: str) -> models.Index:
    if vendor == "postgresql":
        return models.Index(
            models.F("mark").asc(nulls_first=True),
            models.F("submitted_at").desc(),
            models.F("id").desc(),
            name=NAME,
        )
    return models.Index(fields=["mark", "-submitted_at", "-id"], name=NAME)


def add(apps, schema_editor):
    model = apps.get_model("essays", "Response")
    schema_editor.add_index(model, pile_index(schema_editor.connection.vendor))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # Unwinding a later migration can rebuild SQLite's table, which drops an index the
        # models do not declare: it may be gone already.
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
        return
    model = apps.get_model("essays", "Response")
    schema_editor.remove_index(model, pile_index(schema_editor.connection.vendor))


class Migration(migrations.Migration):
    dependencies = [("essays", "0008_response_indexes")]

    operations = [migrations.RunPython(add, remove)]
