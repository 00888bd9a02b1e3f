"""Indexes for the marking pile (ResponseAdmin).

`response_pile_student_idx`: a teacher's pile is their classes' students' handed-in work, in
the pile's order (unmarked first, newest first). Holding every column the pile's count, order
and filters read (student, status, mark, submitted_at, set work, id), the index answers them
alone: the responses themselves, answers and all, are read only for the fifty shown.

`response_pile_idx` (0009's, in the pile's order) now holds handed-in work only. Drafts are
never in the pile, but PostgreSQL puts their empty submission times first in the index's order,
so every page of a whole school's pile stepped over its 20,000 drafts first. And on SQLite the
index was gone: 0009 made it outside the models' declarations (SQLite cannot spell the
PostgreSQL form, NULLS FIRST, in an index), and SQLite rebuilds a table when a migration alters
it, dropping such indexes; without it a whole school's 200,000 responses were sorted for each
page. (A later migration that rebuilds the response table on SQLite must make it again.)
"""

from django.db import migrations, models

PILE_ORDER = "response_pile_idx"
ORDER = {
    "postgresql": '"mark" ASC NULLS FIRST, "submitted_at" DESC, "id" DESC',
    "sqlite": '"mark" ASC, "submitted_at" DESC, "id" DESC',
}
# As Django writes the pile's own condition (Response.objects.submitted_or_returned()), so that
# SQLite, which matches a partial index's condition as written, uses it.
HANDED_IN = "NOT (\"status\" = 'draft')"


def pile_order_index(schema_editor, *, handed_in_only: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ORDER:
        return
    where = f" WHERE {HANDED_IN}" if handed_in_only else ""
    schema_editor.execute(f"DROP INDEX IF EXISTS {PILE_ORDER}")
    schema_editor.execute(
        f'CREATE INDEX {PILE_ORDER} ON "essays_response" ({ORDER[vendor]}){where}'
    )


def handed_in_only(apps, schema_editor):
    pile_order_index(schema_editor, handed_in_only=True)


def as_0009_made_it(apps, schema_editor):
    pile_order_index(schema_editor, handed_in_only=False)


class Migration(migrations.Migration):
    dependencies = [("essays", "0019_search_vocabulary")]

    operations = [
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                fields=["student", "status", "mark", "submitted_at", "assignment", "id"],
                name="response_pile_student_idx",
            ),
        ),
        migrations.RunPython(handed_in_only, as_0009_made_it),
    ]
