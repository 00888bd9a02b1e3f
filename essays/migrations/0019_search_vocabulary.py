"""Search that forgives, and answers fast whatever is asked (essays/search/).

Spelling suggestions need the words the index holds and how many essays have each:
- PostgreSQL: `essays_search_word` (word, essays), kept by statement-level triggers on
  essays_essay from the words of each essay's search document (the `simple` configuration:
  lower case, unstemmed), and pg_trgm, whose trigram similarity tells which are like a
  misspelt word.
- SQLite: `essays_essay_words`, a second FTS5 index of the search document without stemming
  (`detail=none`: it records which essays have a word, not where, so it stays small), kept by
  triggers as migration 0012's index is, and `essays_essay_words_vocab` reading its vocabulary.

Speed without scoring every match:
- PostgreSQL: a GIN index on the title (headline and claim), so the essays with every word in
  their title are found without reading the large vectors; and GIN indexes over every 16th and
  every 128th essay by id, from which common words' counts and facets are estimated.
- SQLite: an index of essays' id, status, subject and level, so counting matches by status,
  subject and level reads the index instead of each essay's row (whose body comes first).
"""

from django.db import migrations

WORDS = "essays_essay_words"
WORDS_VOCABULARY = "essays_essay_words_vocab"

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE {WORDS} USING fts5(
        search_document, content='essays_essay', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', detail=none
    )""",
    f"""CREATE TRIGGER {WORDS}_insert AFTER INSERT ON essays_essay BEGIN
        INSERT INTO {WORDS}(rowid, search_document) VALUES (new.id, new.search_document);
    END""",
    f"""CREATE TRIGGER {WORDS}_delete AFTER DELETE ON essays_essay BEGIN
        INSERT INTO {WORDS}({WORDS}, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
    END""",
    f"""CREATE TRIGGER {WORDS}_update AFTER UPDATE OF search_document ON essays_essay BEGIN
        INSERT INTO {WORDS}({WORDS}, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
        INSERT INTO {WORDS}(rowid, search_document) VALUES (new.id, new.search_document);
    END""",
    f"INSERT INTO {WORDS}({WORDS}) VALUES ('rebuild')",
    f"CREATE VIRTUAL TABLE {WORDS_VOCABULARY} USING fts5vocab({WORDS}, row)",
    "CREATE INDEX essay_search_facets_idx ON essays_essay (id, status, subject_id, level_id)",
    # Until ANALYZE has measured it, SQLite's planner takes the index for an ordinary one and
    # reads each essay's row instead. Its statistics say what ANALYZE would: one row per id.
    # (SQLite documents this use of sqlite_stat1; a later ANALYZE replaces the figures.)
    "ANALYZE essay_search_facets_idx",
    """INSERT INTO sqlite_stat1 (tbl, idx, stat)
        SELECT 'essays_essay', 'essay_search_facets_idx', '1000000 1 1 1 1'
        WHERE NOT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE idx = 'essay_search_facets_idx')""",
]

SQLITE_BACKWARD = [
    "DELETE FROM sqlite_stat1 WHERE idx = 'essay_search_facets_idx'",
    "DROP INDEX IF EXISTS essay_search_facets_idx",
    f"DROP TABLE IF EXISTS {WORDS_VOCABULARY}",
    f"DROP TRIGGER IF EXISTS {WORDS}_update",
    f"DROP TRIGGER IF EXISTS {WORDS}_delete",
    f"DROP TRIGGER IF EXISTS {WORDS}_insert",
    f"DROP TABLE IF EXISTS {WORDS}",
]

# The distinct words of each essay's search document.
ESSAY_WORDS = (
    "SELECT word FROM {rows}, "
    "unnest(tsvector_to_array(to_tsvector('simple'::regconfig, {rows}.search_document))) AS word"
)

POSTGRESQL_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- "C" collation: ranges of words by their first letters ('sta' <= word < 'stb') use the key.
CREATE TABLE essays_search_word (word text COLLATE "C" PRIMARY KEY, essays integer NOT NULL);
INSERT INTO essays_search_word (word, essays)
    SELECT word, count(*) FROM ({ESSAY_WORDS.format(rows="essays_essay")}) AS words
    GROUP BY word;

-- Words are counted in and out in order, so that concurrent changes lock rows in one order.
CREATE FUNCTION essays_search_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO essays_search_word AS known (word, essays)
            SELECT word, count(*) FROM ({ESSAY_WORDS.format(rows="new_rows")}) AS words
            GROUP BY word ORDER BY word
        ON CONFLICT (word) DO UPDATE SET essays = known.essays + excluded.essays;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE essays_search_word AS known SET essays = known.essays - gone.essays
        FROM (
            SELECT word, count(*) AS essays FROM ({ESSAY_WORDS.format(rows="old_rows")}) AS words
            GROUP BY word ORDER BY word
        ) AS gone
        WHERE known.word = gone.word;
        DELETE FROM essays_search_word WHERE essays <= 0;
    ELSE
        WITH changed AS (
            SELECT old_rows.search_document AS before, new_rows.search_document AS after
            FROM old_rows JOIN new_rows ON new_rows.id = old_rows.id
            WHERE old_rows.search_document IS DISTINCT FROM new_rows.search_document
        ), counted AS (
            SELECT word, 1 AS essays FROM changed,
                unnest(tsvector_to_array(to_tsvector('simple'::regconfig, changed.after))) AS word
            UNION ALL
            SELECT word, -1 FROM changed,
                unnest(tsvector_to_array(to_tsvector('simple'::regconfig, changed.before))) AS word
        )
        INSERT INTO essays_search_word AS known (word, essays)
            SELECT word, sum(essays) FROM counted GROUP BY word HAVING sum(essays) <> 0
            ORDER BY word
        ON CONFLICT (word) DO UPDATE SET essays = known.essays + excluded.essays;
        DELETE FROM essays_search_word WHERE essays <= 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER essays_search_words_insert AFTER INSERT ON essays_essay
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION essays_search_words_changed();
CREATE TRIGGER essays_search_words_update AFTER UPDATE ON essays_essay
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION essays_search_words_changed();
CREATE TRIGGER essays_search_words_delete AFTER DELETE ON essays_essay
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION essays_search_words_changed();

CREATE INDEX essay_search_title_idx ON essays_essay
    USING gin ((to_tsvector('english'::regconfig, (headline || ' ' || statement))))
    WITH (fastupdate = off);
CREATE INDEX essay_search_sample16_idx ON essays_essay USING gin (search_vector)
    WITH (fastupdate = off) WHERE id % 16 = 0;
CREATE INDEX essay_search_sample128_idx ON essays_essay USING gin (search_vector)
    WITH (fastupdate = off) WHERE id % 128 = 0;
"""

POSTGRESQL_BACKWARD = """
DROP INDEX IF EXISTS essay_search_sample128_idx;
DROP INDEX IF EXISTS essay_search_sample16_idx;
DROP INDEX IF EXISTS essay_search_title_idx;
DROP TRIGGER IF EXISTS essays_search_words_delete ON essays_essay;
DROP TRIGGER IF EXISTS essays_search_words_update ON essays_essay;
DROP TRIGGER IF EXISTS essays_search_words_insert ON essays_essay;
DROP FUNCTION IF EXISTS essays_search_words_changed();
DROP TABLE IF EXISTS essays_search_word;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("essays", "0018_marking_roles")]

    operations = [migrations.RunPython(forward, backward)]
