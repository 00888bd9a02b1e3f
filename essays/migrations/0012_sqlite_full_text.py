"""Search on SQLite uses its full-text index (FTS5), as PostgreSQL uses its own (migration 0010).

Counting occurrences with LIKE read every essay on every search: half a second and more over
10,000 essays. `essays_essay_fts` indexes headline, statement and search document (English
stemming with the Porter stemmer, accents folded) and triggers keep it in step with
`essays_essay` on every insert, update and delete. PostgreSQL is left alone.
"""

from django.db import migrations

TABLE = "essays_essay_fts"
COLUMNS = "headline, statement, search_document"

FORWARD = [
    f"""CREATE VIRTUAL TABLE {TABLE} USING fts5(
        {COLUMNS}, content='essays_essay', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON essays_essay BEGIN
        INSERT INTO {TABLE}(rowid, {COLUMNS})
        VALUES (new.id, new.headline, new.statement, new.search_document);
    END""",
    f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON essays_essay BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.headline, old.statement, old.search_document);
    END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE ON essays_essay BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.headline, old.statement, old.search_document);
        INSERT INTO {TABLE}(rowid, {COLUMNS})
        VALUES (new.id, new.headline, new.statement, new.search_document);
    END""",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        if "ENABLE_FTS5" not in {row[0] for row in cursor.fetchall()}:
            raise RuntimeError(
                "This Python's SQLite was built without full-text search (FTS5), which StudyHub's "
                "search needs. Use a Python from python.org or your system's packages, or "
                "PostgreSQL (DATABASE_URL)."
            )
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("essays", "0011_essay_word_count")]

    operations = [migrations.RunPython(forward, backward)]
