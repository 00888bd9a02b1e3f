"""How each database answers a search: the same questions, in its own SQL.

A search expression is any of several groups of clauses, every clause of a group required:
`((a, b),)` asks for a and b; `((a, b), (a, c))` for a and b, or a and c (what "most of the
words" asks for). Each backend turns one into a condition on a row of essays_essay, the
condition that the words are in the essay's headline or claim (its "title"), a relevance score
for one row, and reads the vocabulary of the index for spelling suggestions.

PostgreSQL: the weighted vector a trigger keeps in `search_vector` (migration 0010) with its GIN
index; the title's own GIN index and partial indexes over a sample of essays (every 16th and
every 128th by id) for estimated counts, and the vocabulary table `essays_search_word` with
pg_trgm's similarity (migration 0019). SQLite: the FTS5 index `essays_essay_fts` (migration
0012) and the unstemmed FTS5 index `essays_essay_words`, whose vocabulary
`essays_essay_words_vocab` lists each word with the number of essays having it (migration 0019).

Each backend also says which essays match, once per search (`hits`): the common table
expressions a catalogue search counts and facets from (essays.search.results). Above a number
of matches they are a sample, drawn where the database finds it cheaply: on PostgreSQL every
16th or 128th essay by id (the partial indexes); on SQLite a slice at the start of each eighth
of the ids, which FTS5 reads alone (it seeks to a rowid range, where a condition such as
`rowid % 16 = 0` would still have every match read, phrases' positions included).
"""

from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, FloatField, Func, Q
from django.db.models.expressions import RawSQL

from essays.search.query import Clause
from essays.search.spelling import SIMILAR_AT_LEAST, prefixes

Expression = tuple[tuple[Clause, ...], ...]

FTS = "essays_essay_fts"
# SQLite's samples: a slice of each of this many equal ranges of ids (see SQLiteBackend.hits).
STRATA = 8
WORDS_VOCABULARY = "essays_essay_words_vocab"
# Conditions are Django expressions (Q, lookups, F), never SQL naming essays_essay: inside a
# subquery Django renames the table ("U0"), and SQL naming it would point outside.


def following(prefix: str) -> str:
    """The first string after every string that begins with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def compiled(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def sample_choice(column: str, estimate_above: int, samples: tuple[int, ...]) -> str:
    """SQL choosing the sample from the estimated number of matches in `column`: every essay up
    to `estimate_above` matches, then the first sample that leaves at most that many."""
    limits = [estimate_above * s for s in (1, *samples[:-1])]
    whens = " ".join(
        f"WHEN coalesce({column}, 0) <= {limit} THEN {sample}"
        for sample, limit in zip((1, *samples[:-1]), limits, strict=True)
    )
    return f"CASE {whens} ELSE {samples[-1]} END"


class SQLiteBackend:
    vendor = "sqlite"
    # FTS5 reads a page of matches in its own order and stops there: it needs no list of them.
    lists_hits = False

    @staticmethod
    def fts_query(expression: Expression) -> str:
        # Every word is alphanumeric (query.TOKEN), so a double-quoted string needs no escaping:
        # FTS5 reads it as a phrase of its words, whatever they are ("OR", "NEAR").
        groups = [
            " AND ".join('"' + " ".join(clause.words) + '"' for clause in group)
            for group in expression
        ]
        return " OR ".join(f"({group})" for group in groups)

    def rowids(self, match: str) -> Q:
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [match]))

    def matches(self, expression: Expression) -> Q:
        return self.rowids(self.fts_query(expression))

    def title_matches(self, expression: Expression) -> Q:
        return self.rowids("{headline statement} : (" + self.fts_query(expression) + ")")

    def score(self, expression: Expression) -> RawSQL:
        # BM25, negated so that higher is better; headline ten times and claim five times the
        # weight of the rest. For the rows of one page, in a query of its own (it names the
        # table: see above).
        return RawSQL(
            f"(SELECT -bm25({FTS}, 10.0, 5.0, 1.0) FROM {FTS} "
            f'WHERE {FTS} MATCH %s AND rowid = "essays_essay"."id")',
            [self.fts_query(expression)],
            output_field=FloatField(),
        )

    def ranked_ids(
        self, expression: Expression, *, title: bool, eligible: tuple[str, list], limit: int,
        offset: int,
    ) -> tuple[str, list]:  # fmt: skip
        """SQL for the ids and BM25 scores (lower is better) of the best `limit` eligible
        matches after `offset`, scored by the index itself: only the essays of one tier (with
        the words in their title, or without) are scored. `eligible` is SQL for the eligible
        essay whose id is the match's rowid."""
        query = self.fts_query(expression)
        if title:
            match = "{headline statement} : (" + query + ")"
        else:
            match = f"({query}) NOT ({{headline statement}} : ({query}))"
        eligible_sql, eligible_params = eligible
        # `eligible` names this match's rowid: each match is looked up by its id (a list of
        # every eligible essay would grow with the library; "rowid IN" a list would also be
        # handed to FTS5, which would answer the MATCH afresh for each of them).
        return (
            f"SELECT rowid, bm25({FTS}, 10.0, 5.0, 1.0) AS score FROM {FTS} "
            f"WHERE {FTS} MATCH %s AND EXISTS ({eligible_sql}) "
            f"ORDER BY score, rowid LIMIT {int(limit)} OFFSET {int(offset)}",
            [match, *eligible_params],
        )

    def newest_ids(
        self, expression: Expression, *, title: bool, eligible: tuple[str, list], limit: int,
        offset: int,
    ) -> tuple[str, list]:  # fmt: skip
        """SQL for the ids of the newest `limit` eligible matches of one tier after `offset`, in
        the index's own order (by rowid, newest first): FTS5 stops once it has them, where
        `id IN (every match)` would have the whole match read first."""
        query = self.fts_query(expression)
        if title:
            match = "{headline statement} : (" + query + ")"
        else:
            match = f"({query}) NOT ({{headline statement}} : ({query}))"
        eligible_sql, eligible_params = eligible
        return (
            f"SELECT rowid, 0.0 AS score FROM {FTS} "
            f"WHERE {FTS} MATCH %s AND EXISTS ({eligible_sql}) "
            f"ORDER BY rowid DESC LIMIT {int(limit)} OFFSET {int(offset)}",
            [match, *eligible_params],
        )

    def hits(
        self, expression: Expression, essays, *, estimate_above: int, samples: tuple[int, ...]
    ) -> tuple[list[str], list]:  # fmt: skip
        """Common table expressions ending in `search_sample (sample)` and `search_hits (id,
        subject_id, level_id, weight)`: the `essays` that match, or a sample of them, each
        standing for `weight` essays. The sample is the first slice of each of STRATA equal
        ranges of ids, 1/sample of it; how many match in the smallest sample decides which."""
        query = self.fts_query(expression)
        table = essays.model._meta.db_table
        smallest = samples[-1]
        # One range of ids a stratum; each sample takes a slice from the start of each.
        # min() and max() each alone, which SQLite reads from either end of the table (the
        # two together would have it read every row).
        low, high = f"(SELECT min(id) FROM {table})", f"(SELECT max(id) FROM {table})"
        bounds = (
            f"search_bounds AS MATERIALIZED (SELECT low, (high - low) / {STRATA} + 1 AS width "
            f"FROM (SELECT {low} AS low, {high} AS high))"
        )
        strata = "search_strata (n) AS (VALUES {})".format(
            ", ".join(f"({n})" for n in range(STRATA))
        )

        def ranges(name: str, sample: str) -> str:
            """Each stratum's slice for `sample` (SQL), and the essays each match stands for."""
            slice_width = f"((b.width + {sample} - 1) / {sample})"
            return (
                f"{name} AS MATERIALIZED (SELECT b.low + s.n * b.width AS low, "
                f"b.low + s.n * b.width + {slice_width} - 1 AS high, "
                f"b.width * 1.0 / {slice_width} AS weight FROM search_bounds b, "
                f"search_strata s{', search_sample' if sample == 'sample' else ''})"
            )

        # The slices drive the index: CROSS JOIN keeps them first, so FTS5 is asked for each
        # slice's range of rowids.
        def in_slices(name: str) -> str:
            return (
                f"SELECT {FTS}.rowid FROM {name} r CROSS JOIN {FTS} "
                f"WHERE {FTS} MATCH %s AND {FTS}.rowid BETWEEN r.low AND r.high"
            )

        raw = (
            f"search_raw AS MATERIALIZED (SELECT count(*) * "
            f"(SELECT max(weight) FROM search_smallest) AS n FROM ({in_slices('search_smallest')}))"
        )
        sample = (
            "search_sample AS MATERIALIZED (SELECT "
            f"{sample_choice('n', estimate_above, samples)} AS sample FROM search_raw)"
        )
        essays_sql, essays_params = compiled(
            essays.filter(pk__in=RawSQL(in_slices("search_slices"), [query]))
            .order_by()
            .values("id", "subject_id", "level_id")
        )
        hits = (
            "search_hits AS MATERIALIZED (SELECT id, subject_id, level_id, "
            f"(SELECT max(weight) FROM search_slices) AS weight FROM ({essays_sql}) h)"
        )
        ctes = [
            bounds,
            strata,
            ranges("search_smallest", str(smallest)),
            raw,
            sample,
            ranges("search_slices", "sample"),
            hits,
        ]
        return ctes, [query, *essays_params]

    @staticmethod
    def tags_of_hits(table: str, essay: str, tag: str) -> tuple[str, list]:
        """A join of search_hits `h` to its essays' tags `et` (et.tag_id), and its condition.
        SQLite keeps the order of a CROSS JOIN: the matches first, each one's tags by the
        index on the essay (left to choose, its planner reads every tag's essays)."""
        return f" CROSS JOIN {table} et", [(f"et.{essay} = h.id", [])]

    @staticmethod
    def any_of(essays) -> tuple[str, list]:
        """SQL for: is there any of these essays?"""
        sql, params = essays.order_by().values("pk")[:1].query.sql_with_params()
        return f"EXISTS ({sql})", list(params)

    def in_index(self, clause: Clause) -> tuple[str, list]:
        """SQL for: does any essay, published or not, have the clause?"""
        return (
            f"EXISTS (SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s)",
            [self.fts_query(((clause,),))],
        )

    def vocabulary(self, words: list[str]) -> list[tuple[str, str, int]]:
        """(typed word, word of the index, essays having it) for the index's words that begin
        as a correction of each typed word may (spelling.prefixes)."""
        selects, params = [], []
        for word in words:
            for prefix in prefixes(word):
                selects.append(
                    f"SELECT %s, term, doc FROM {WORDS_VOCABULARY} WHERE term >= %s AND term < %s"
                )
                params += [word, prefix, following(prefix)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            return cursor.fetchall()


class PostgreSQLBackend:
    vendor = "postgresql"
    # The matches' ids, when every match was read (no sample), come back with the count: a
    # phrase is checked against each candidate's stored vector, and the page then looks them
    # up by id instead of checking every candidate again.
    lists_hits = True

    @staticmethod
    def tsquery(expression: Expression) -> SearchQuery:
        def phrase(clause: Clause) -> SearchQuery:
            return SearchQuery(" ".join(clause.words), search_type="phrase", config="english")

        groups = [reduce(lambda a, b: a & b, map(phrase, group)) for group in expression]
        return reduce(lambda a, b: a | b, groups)

    @staticmethod
    def title() -> Func:
        # Exactly the expression migration 0019 indexes.
        return Func(
            F("headline"),
            F("statement"),
            template="to_tsvector('english'::regconfig, (%(expressions)s))",
            arg_joiner=" || ' ' || ",
            output_field=SearchVectorField(),
        )

    def matches(self, expression: Expression) -> Q:
        return Q(search_vector=self.tsquery(expression))

    def title_matches(self, expression: Expression) -> Q:
        title = self.title()
        return Q(title.get_lookup("exact")(title, self.tsquery(expression)))

    def title_has_words(self, expression: Expression) -> Q:
        """Every word of the clauses in the title, wherever: what the title's index answers
        without reading a title (a phrase asks for more)."""

        def words(group) -> SearchQuery:
            typed = " ".join(word for clause in group for word in clause.words)
            return SearchQuery(typed, search_type="plain", config="english")

        title = self.title()
        query = reduce(lambda a, b: a | b, map(words, expression))
        return Q(title.get_lookup("exact")(title, query))

    def newest_ids(
        self, expression: Expression, *, title: bool, eligible, limit: int, offset: int,
        matching=None,
    ) -> tuple[str, list]:  # fmt: skip
        """SQL for the ids of the newest `limit` eligible matches of one tier after `offset`,
        with a score of 0. `matching`: the eligible matches, when known otherwise than by the
        index. The essays outside the title tier are put in order first (OFFSET 0 keeps
        PostgreSQL from folding the rest in), and only then is each one's title read, until the
        page has them: reading every match's title to leave out the title tier took 40 ms for
        a word in 600 essays."""
        query_sql, query_params = self.compile(self.tsquery(expression), eligible)
        if title and not any(clause.is_phrase for group in expression for clause in group):
            sql, params = compiled(
                eligible.filter(self.title_matches(expression))
                .order_by("-pk")
                .values_list("pk")[offset : offset + limit]
            )
            return f"SELECT n.pk, 0.0 FROM ({sql}) n", params
        if title:
            # A phrase: the title's index has its words but not where they are, and checking
            # each candidate's title took 90 ms for two words found together in 2,600 titles.
            # The candidates with the words are put in order, and the phrase is looked for in
            # their titles until the page has them.
            sql, params = compiled(
                eligible.filter(self.title_has_words(expression))
                .order_by("-pk")
                .values_list("pk", "headline", "statement")
            )
            return (
                f"SELECT m.pk, 0.0 FROM ({sql} OFFSET 0) m WHERE to_tsvector("
                f"'english'::regconfig, (m.headline || ' ' || m.statement)) @@ {query_sql} "
                f"ORDER BY m.pk DESC LIMIT {int(limit)} OFFSET {int(offset)}",
                [*params, *query_params],
            )
        if matching is None:
            matching = eligible.filter(self.matches(expression))
        sql, params = compiled(matching.order_by("-pk").values_list("pk", "headline", "statement"))
        return (
            f"SELECT m.pk, 0.0 FROM ({sql} OFFSET 0) m WHERE NOT (to_tsvector("
            f"'english'::regconfig, (m.headline || ' ' || m.statement)) @@ {query_sql}) "
            f"ORDER BY m.pk DESC LIMIT {int(limit)} OFFSET {int(offset)}",
            [*params, *query_params],
        )

    @staticmethod
    def compile(expression, queryset) -> tuple[str, list]:
        """SQL for a Django expression on its own."""
        query = queryset.query
        sql, params = expression.resolve_expression(query).as_sql(
            query.get_compiler(connection=connection), connection
        )
        return sql, list(params)

    def score(self, expression: Expression) -> SearchRank:
        return SearchRank(F("search_vector"), self.tsquery(expression))

    def hits(
        self, expression: Expression, essays, *, estimate_above: int, samples: tuple[int, ...]
    ) -> tuple[list[str], list]:  # fmt: skip
        """Common table expressions ending in `search_sample (sample)` and `search_hits (id,
        subject_id, level_id, weight)`: the `essays` that match, or every 16th or 128th of them
        by id, read from the partial index over those essays alone (PostgreSQL folds the
        subquery into each branch, whose `id % n = 0` then matches the index's condition). One
        branch a sample, each guarded by the chosen sample: PostgreSQL works that condition
        out once and runs only the branch it leaves."""
        smallest = samples[-1]
        sql, params = compiled(
            essays.filter(self.matches(expression))
            .order_by()
            .values("id", "subject_id", "level_id")
        )

        def sampled(sample: int) -> str:
            return f"({sql}) m WHERE m.id %% {sample} = 0" if sample > 1 else f"({sql}) m"

        ctes = [
            f"search_raw AS MATERIALIZED (SELECT count(*) * {smallest} AS n "
            f"FROM {sampled(smallest)})",
            "search_sample AS MATERIALIZED (SELECT "
            f"{sample_choice('n', estimate_above, samples)} AS sample FROM search_raw)",
        ]
        branches = [
            f"SELECT m.id, m.subject_id, m.level_id, {sample} AS weight FROM {sampled(sample)}"
            f"{' AND' if sample > 1 else ' WHERE'} (SELECT sample FROM search_sample) = {sample}"
            for sample in (1, *samples)
        ]
        ctes.append(f"search_hits AS MATERIALIZED ({' UNION ALL '.join(branches)})")
        return ctes, params * (2 + len(samples))

    @staticmethod
    def tags_of_hits(table: str, essay: str, tag: str) -> tuple[str, list]:
        """A join of search_hits `h` to its essays' tags `et` (et.tag_id), and its condition.
        Each match's tags by the index on the essay: PostgreSQL cannot tell how few matches
        there are, and would read every essay's tags to join them; a lateral subquery (kept
        apart by OFFSET 0) is looked up for each match."""
        return (
            f" CROSS JOIN LATERAL (SELECT {tag} AS tag_id FROM {table} "
            f"WHERE {essay} = h.id OFFSET 0) et",
            [],
        )

    # Counted, not EXISTS: asked for any one row, PostgreSQL's planner expects to find it soon
    # by reading the table in order, and reads every essay's vector when there is none.
    @staticmethod
    def any_of(essays) -> tuple[str, list]:
        """SQL for: is there any of these essays?"""
        sql, params = essays.order_by().values("pk").query.sql_with_params()
        return f"(SELECT count(*) FROM ({sql}) essays) > 0", list(params)

    def in_index(self, clause: Clause) -> tuple[str, list]:
        """SQL for: does any essay, published or not, have the clause?"""
        return (
            "(SELECT count(*) FROM essays_essay "
            "WHERE search_vector @@ phraseto_tsquery('english'::regconfig, %s)) > 0",
            [" ".join(clause.words)],
        )

    def vocabulary(self, words: list[str]) -> list[tuple[str, str, int]]:
        selects, params = [], []
        for word in words:
            for prefix in prefixes(word):
                selects.append(
                    "SELECT %s, word, essays FROM essays_search_word "
                    "WHERE word >= %s AND word < %s AND similarity(word, %s) >= %s"
                )
                params += [word, prefix, following(prefix), word, SIMILAR_AT_LEAST]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            return cursor.fetchall()


def backend() -> SQLiteBackend | PostgreSQLBackend:
    return PostgreSQLBackend() if connection.vendor == "postgresql" else SQLiteBackend()
