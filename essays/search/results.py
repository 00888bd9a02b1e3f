"""A catalogue search from typed words to a page of essays: counted, corrected, relaxed, ranked.

1. Count the essays with every clause (one query, which also decides whether to estimate).
2. None? A word the index has nowhere is replaced by its spelling suggestion, when that finds
   essays ("Showing results for stalin"); and when no essay has every clause, the search asks
   for as many of them as any essay has ("most of the words").
3. Rank one page (`SearchOutcome.page`) without scoring every match: essays with every clause
   in their headline or claim (the "title" tier) come first, then the rest. A tier of at most
   RANKED_AT_MOST essays is ordered by relevance, scored by the database; a larger one newest
   added first (by id, which an index gives in order, so the database stops at a page) — words
   in that many essays say little about which is best, and scoring them all is what made
   common words slow.
4. Above ESTIMATE_ABOVE matches the count and the facets are estimated from a sample of the
   essays (every 16th or 128th by id) and shown as "about".
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from essays.search import spelling
from essays.search.backends import FTS, Expression, as_boolean, backend
from essays.search.query import Clause, Query, parse

ESTIMATE_ABOVE = 1000
SAMPLES = (16, 128)
RANKED_AT_MOST = 300
# Relaxing "every word" tries groups of the words; beyond this many groups a size is skipped.
MOST_GROUPS = 20


def every(clauses) -> Expression:
    return (tuple(clauses),)


def compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def sample_for(raw: int) -> int:
    if raw <= ESTIMATE_ABOVE:
        return 1
    return next((s for s in SAMPLES if raw / s <= ESTIMATE_ABOVE), SAMPLES[-1])


@dataclass
class SearchPage:
    number: int
    per_page: int
    total: int
    estimated: bool
    object_list: list = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class SearchOutcome:
    typed: Query
    searched: Query
    expression: Expression = ()
    total: int = 0
    sample: int = 1
    title_count: int = 0
    corrections: dict[str, str] = field(default_factory=dict)
    # Relaxed: the number of clauses each essay shown has, when not all of them.
    most_of: int = 0

    @property
    def estimated(self) -> bool:
        return self.sample > 1

    @property
    def corrected(self) -> bool:
        return bool(self.corrections) and self.total > 0

    def restrict(self, queryset: QuerySet) -> QuerySet:
        """The essays of `queryset` that match (a sample of them when estimating)."""
        if not self.expression:
            return queryset.none()
        return queryset.filter(backend().matches(self.expression, self.sample))

    def page(self, eligible: QuerySet, number: int, per_page: int) -> SearchPage:
        last = max(1, -(-self.total // per_page))
        number = min(max(1, number), last)
        page = SearchPage(number, per_page, self.total, self.estimated)
        if not self.total:
            return page
        page.object_list = self._ranked(eligible, (number - 1) * per_page, per_page)
        return page

    def _ranked(self, eligible: QuerySet, offset: int, limit: int) -> list:
        database = backend()
        expression = self.expression
        title_count = self.title_count
        if title_count > RANKED_AT_MOST and offset + limit > RANKED_AT_MOST:
            # Deep in a large title tier: where it ends is needed, so count it exactly.
            title_count = eligible.filter(database.title_matches(expression)).count()
        in_title = max(0, min(title_count - offset, limit))
        rest = limit - in_title
        title_scored = title_count <= RANKED_AT_MOST
        rest_scored = not self.estimated and self.total - title_count <= RANKED_AT_MOST
        # (tier, in the title?, scored?, how many, from where in the tier)
        tiers = []
        if in_title:
            tiers.append((1, True, title_scored, in_title, offset))
        if rest > 0:
            tiers.append((2, False, rest_scored, rest, max(0, offset - title_count)))
        if database.vendor == "sqlite":
            essays, ranking = self._sqlite_page(eligible, tiers)
        else:
            essays, ranking = self._postgresql_page(eligible, tiers)
        scored = {tier: is_scored for tier, _, is_scored, _, _ in tiers}

        def order(essay):
            tier, score = ranking(essay)
            return (
                tier,
                -score if scored[tier] else -essay.pk,
                essay.headline if scored[tier] else "",
                essay.pk,
            )

        return sorted(essays, key=order)

    def _tier_essays(self, eligible: QuerySet, title: bool) -> QuerySet:
        database = backend()
        if title:
            # Every clause in the title is a match already: no need to read the whole essay.
            return eligible.filter(database.title_matches(self.expression))
        return eligible.exclude(database.title_matches(self.expression)).filter(
            database.matches(self.expression)
        )

    def _sqlite_page(self, eligible: QuerySet, tiers: list) -> tuple[list, Callable]:
        """The page's essays in one query. The tiers' ids and scores are gathered into one
        JSON object by a subquery that names no outer row, which SQLite works out once: the
        page filters by its keys and reads it back (a subquery per row would rank again for
        each row)."""
        database = backend()
        parts, params = [], []
        for tier, title, scored, limit, offset in tiers:
            if scored:
                sql, tier_params = database.ranked_ids(
                    self.expression,
                    title=title,
                    eligible=compiled(
                        eligible.filter(pk=RawSQL(f"{FTS}.rowid", [])).order_by().values("pk")
                    ),
                    limit=limit,
                    offset=offset,
                )
                parts.append(f"SELECT rowid AS id, {tier} AS tier, -score AS score FROM ({sql})")
            else:
                sql, tier_params = compiled(
                    self._tier_essays(eligible, title)
                    .order_by("-pk")
                    .values("pk")[offset : offset + limit]
                )
                parts.append(f"SELECT pk AS id, {tier} AS tier, 0.0 AS score FROM ({sql})")
            params += tier_params
        ranking = (
            "SELECT json_group_object(id, json_array(tier, score)) "
            f"FROM ({' UNION ALL '.join(parts)})"
        )
        essays = list(
            eligible.filter(
                pk__in=RawSQL(f"SELECT CAST(key AS INTEGER) FROM json_each(({ranking}))", params)
            )
            .select_related("subject", "level")
            .prefetch_related("tags")
            .annotate(search_ranking=RawSQL(f"({ranking})", params))
        )
        ranks = json.loads(essays[0].search_ranking) if essays else {}
        return essays, lambda essay: tuple(ranks[str(essay.pk)])

    def _postgresql_page(self, eligible: QuerySet, tiers: list) -> tuple[list, Callable]:
        """The page's essays in one query; each row's tier and score are worked out on the row
        (PostgreSQL runs each tier's subquery once)."""
        database = backend()
        wanted = Q()
        for _, title, scored, limit, offset in tiers:
            essays = self._tier_essays(eligible, title)
            if scored:
                essays = essays.annotate(search_score=database.score(self.expression))
                essays = essays.order_by("-search_score", "headline", "pk")
            else:
                essays = essays.order_by("-pk")
            wanted |= Q(pk__in=essays.values("pk")[offset : offset + limit])
        essays = list(
            eligible.filter(wanted)
            .select_related("subject", "level")
            .prefetch_related("tags")
            .annotate(
                search_title=as_boolean(database.title_matches(self.expression)),
                rank=database.score(self.expression)
                if any(scored for _, _, scored, _, _ in tiers)
                else Value(0.0),
            )
        )
        return essays, lambda essay: (1 if essay.search_title else 2, essay.rank or 0.0)


def count(expression: Expression, eligible: QuerySet) -> tuple[int, int, int]:
    """(matching essays, sample, essays with every clause in the title up to RANKED_AT_MOST
    + 1) in one query. The raw count, over every 128th essay of the whole index, decides
    whether the exact count is needed or an estimate from a sample will do: the database works
    out only the one it needs."""
    database = backend()
    raw_sql, raw_params = compiled(
        eligible.model.objects.filter(database.matches(expression, SAMPLES[-1]))
        .order_by()
        .values("pk")
    )
    parts, params = [], [*raw_params]
    limits = [ESTIMATE_ABOVE * s for s in (1, *SAMPLES[:-1])]
    for sample, limit in zip((1, *SAMPLES[:-1]), limits, strict=True):
        sql, sample_params = compiled(
            eligible.filter(database.matches(expression, sample)).order_by().values("pk")
        )
        parts.append(f"WHEN raw.n <= {limit} THEN (SELECT count(*) FROM ({sql}) s) * {sample}")
        params += sample_params
    sql, sample_params = compiled(
        eligible.filter(database.matches(expression, SAMPLES[-1])).order_by().values("pk")
    )
    parts.append(f"ELSE (SELECT count(*) FROM ({sql}) s) * {SAMPLES[-1]}")
    params += sample_params
    title_sql, title_params = compiled(
        eligible.filter(database.title_matches(expression))
        .order_by()
        .values("pk")[: RANKED_AT_MOST + 1]
    )
    params += title_params
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH raw AS (SELECT count(*) * {SAMPLES[-1]} AS n FROM ({raw_sql}) r) "
            f"SELECT raw.n, CASE {' '.join(parts)} END, "
            f"(SELECT count(*) FROM ({title_sql}) t) FROM raw",
            params,
        )
        raw, total, title_count = cursor.fetchone()
    return total, sample_for(raw), title_count


def presence(
    words: list[str], clauses: tuple[Clause, ...], eligible: QuerySet
) -> tuple[dict[str, bool], dict[Clause, bool]]:
    """Which words the index has anywhere, and which clauses some eligible essay has."""
    database = backend()
    checks, params = [], []
    for word in words:
        sql, word_params = database.in_index(Clause((word,)))
        checks.append(sql)
        params += word_params
    for clause in clauses:
        sql, clause_params = database.any_of(eligible.filter(database.matches(every([clause]))))
        checks.append(sql)
        params += clause_params
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(checks), params)
        found = [bool(value) for value in cursor.fetchone()]
    return dict(zip(words, found, strict=False)), dict(
        zip(clauses, found[len(words) :], strict=True)
    )


def most_of(present: list[Clause], known_none: int, eligible: QuerySet) -> tuple[Expression, int]:
    """The groups of the most clauses that some eligible essay has all of, and how many clauses
    that is. `known_none` is a size already known to find nothing."""
    database = backend()
    for size in range(len(present), 0, -1):
        if size >= known_none:
            continue
        groups = list(combinations(present, size))
        if size == 1:
            return tuple(groups), 1
        if len(groups) > MOST_GROUPS:
            continue
        checks, params = [], []
        for group in groups:
            sql, group_params = database.any_of(eligible.filter(database.matches((group,))))
            checks.append(sql)
            params += group_params
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(checks), params)
            found = cursor.fetchone()
        kept = tuple(group for group, hit in zip(groups, found, strict=True) if hit)
        if kept:
            return kept, size
    return (), 0


def find(text: str, eligible: QuerySet, *, as_typed: bool = False) -> SearchOutcome:
    """Search the `eligible` essays for `text`. With `as_typed`, no spelling suggestions."""
    typed = parse(text)
    outcome = SearchOutcome(typed=typed, searched=typed)
    if not typed:
        return outcome
    expression = every(typed.clauses)
    total, sample, title_count = count(expression, eligible)
    if total:
        return SearchOutcome(typed, typed, expression, total, sample, title_count)
    words = [word for word in typed.words() if spelling.correctable(word)]
    in_index, present = presence(words, typed.clauses, eligible)
    searched = typed
    fixes = {}
    if not as_typed:
        unknown = [word for word in words if not in_index[word]]
        fixes = spelling.corrections(unknown, backend().vocabulary(unknown)) if unknown else {}
    if fixes:
        searched = typed.replace_words(fixes)
        expression = every(searched.clauses)
        total, sample, title_count = count(expression, eligible)
        if total:
            return SearchOutcome(typed, searched, expression, total, sample, title_count, fixes)
        _, present = presence([], searched.clauses, eligible)
    clauses = searched.clauses
    if len(clauses) < 2:
        return SearchOutcome(typed, searched, corrections=fixes)
    expression, size = most_of(
        [clause for clause in clauses if present[clause]], len(clauses), eligible
    )
    if not expression:
        return SearchOutcome(typed, searched, corrections=fixes)
    total, sample, title_count = count(expression, eligible)
    return SearchOutcome(
        typed, searched, expression, total, sample, title_count, fixes, most_of=size
    )
