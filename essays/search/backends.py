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
"""

from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact

from essays.search.query import Clause
from essays.search.spelling import SIMILAR_AT_LEAST, prefixes

Expression = tuple[tuple[Clause, ...], ...]

FTS = "essays_essay_fts"
WORDS_VOCABULARY = "essays_essay_words_vocab"
# Conditions are Django expressions (Q, lookups, F), never SQL naming essays_essay: inside a
# subquery Django renames the table ("U0"), and SQL naming it would point outside.


def following(prefix: str) -> str:
    """The first string after every string that begins with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def in_sample(sample: int) -> Q:
    """Only every `sample`-th essay by id: an estimate's sample. The condition reads
    `id % n = 0`, as PostgreSQL's partial sample indexes are defined."""
    return Q(Exact(F("id") % Value(int(sample)), Value(0)))


def as_boolean(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


class SQLiteBackend:
    vendor = "sqlite"

    @staticmethod
    def fts_query(expression: Expression) -> str:
        # Every word is alphanumeric (query.TOKEN), so a double-quoted string needs no escaping:
        # FTS5 reads it as a phrase of its words, whatever they are ("OR", "NEAR").
        groups = [
            " AND ".join('"' + " ".join(clause.words) + '"' for clause in group)
            for group in expression
        ]
        return " OR ".join(f"({group})" for group in groups)

    def rowids(self, match: str, sample: int = 1) -> Q:
        rowids = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
        if sample > 1:
            rowids += f" AND rowid %% {int(sample)} = 0"
        return Q(pk__in=RawSQL(rowids, [match]))

    def matches(self, expression: Expression, sample: int = 1) -> Q:
        return self.rowids(self.fts_query(expression), sample)

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

    def matches(self, expression: Expression, sample: int = 1) -> Q:
        condition = Q(search_vector=self.tsquery(expression))
        return condition & in_sample(sample) if sample > 1 else condition

    def title_matches(self, expression: Expression) -> Q:
        title = self.title()
        return Q(title.get_lookup("exact")(title, self.tsquery(expression)))

    def score(self, expression: Expression) -> SearchRank:
        return SearchRank(F("search_vector"), self.tsquery(expression))

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
