"""Search on PostgreSQL reads a stored, indexed vector instead of building one per row.

Migration 0004 indexed the expression; the planner did not use it for the ranked query, so each
search parsed every essay (about 11 s a query over 10,000 essays). Now a trigger keeps
`search_vector` equal to the weighted vector of headline (A), statement (B) and search document
(C) on every insert and update — through the ORM, bulk_create, loaddata or plain SQL alike — and
a GIN index answers the match. The index is written through (`fastupdate = off`): with a pending
list, PostgreSQL judged the index dearer than reading every row until the next vacuum, and
essays change seldom enough that slower writes cost nothing. On SQLite the column stays NULL and nothing else changes.
"""

import django.contrib.postgres.search
from django.db import migrations

INDEX = "essay_search_vector_idx"
OLD_INDEX = "essay_search_idx"  # migration 0004's expression index
FUNCTION = "essays_essay_search_vector"

VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce({row}headline, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce({row}statement, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce({row}search_document, '')), 'C')
"""

FORWARD = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := {VECTOR.format(row="NEW.")};
    RETURN NEW;
END
$$;
CREATE TRIGGER {FUNCTION} BEFORE INSERT OR UPDATE ON essays_essay
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
UPDATE essays_essay SET search_vector = {VECTOR.format(row="")};
DROP INDEX IF EXISTS {OLD_INDEX};
CREATE INDEX {INDEX} ON essays_essay USING gin (search_vector) WITH (fastupdate = off);
"""

BACKWARD = f"""
DROP INDEX IF EXISTS {INDEX};
DROP TRIGGER IF EXISTS {FUNCTION} ON essays_essay;
DROP FUNCTION IF EXISTS {FUNCTION}();
CREATE INDEX {OLD_INDEX} ON essays_essay USING gin (({VECTOR.format(row="")}));
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("essays", "0009_response_pile_index")]

    operations = [
        migrations.AddField(
            model_name="essay",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, serialize=False
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
