"""A catalogue search from typed words to a page of essays: counted, corrected, relaxed, ranked.

1. Count the essays with every clause, and the catalogue's facets (subjects, levels, tags), in
   one query (`tally`) that reads the match once: the database's full-text index gives the
   matching essays (or a sample of them: see 4) once, as a common table expression, and the
   total, the three facet lists and the title tier's size are counted from it.
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
   essays (on PostgreSQL every 16th or 128th by id, on SQLite as many in slices of the ids: see
   backends) and shown as "about". A page is fetched with one essay more than it shows, so
   "Next" is offered only when there is a next essay; a page number past the estimate's real
   end (typed, or kept from before the library changed) counts the matches exactly and shows
   the last page instead of an empty one.
"""

from dataclasses import dataclass, field
from itertools import combinations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from essays.search import spelling
from essays.search.backends import FTS, Expression, backend, compiled
from essays.search.query import Clause, Query, parse

ESTIMATE_ABOVE = 1000
SAMPLES = (16, 128)
FACETS = ("subject", "level", "tag")
RANKED_AT_MOST = 300
# Relaxing "every word" tries groups of the words; beyond this many groups a size is skipped.
MOST_GROUPS = 20


def every(clauses) -> Expression:
    return (tuple(clauses),)


def pages_for(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


@dataclass
class SearchPage:
    number: int
    per_page: int
    total: int
    estimated: bool
    object_list: list = field(default_factory=list)
    # Whether an essay follows this page's: known, not estimated (the page fetched one more).
    more: bool = False

    @property
    def num_pages(self) -> int:
        """The pages there are: exact, or the estimate's, never fewer than this one and the
        next when there is a next, never more than this one when it is the last."""
        if not self.estimated:
            return pages_for(self.total, self.per_page)
        if not self.more:
            return self.number
        return max(pages_for(self.total, self.per_page), self.number + 1)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class Tally:
    """What `tally` counts: the matches (times the sample's weight), the sample, the essays with
    every clause in their title (up to RANKED_AT_MOST + 1), and the facets: for each of
    "subject", "level" and "tag", rows of slug, name and essays."""

    total: int = 0
    sample: int = 1
    title_count: int = 0
    facets: dict[str, list[dict]] = field(default_factory=lambda: {f: [] for f in FACETS})
    # The eligible matches' ids, when the backend lists them and every match was read.
    hit_ids: list[int] | None = None


@dataclass
class SearchOutcome:
    typed: Query
    searched: Query
    expression: Expression = ()
    tally: Tally = field(default_factory=Tally)
    corrections: dict[str, str] = field(default_factory=dict)
    # Relaxed: the number of clauses each essay shown has, when not all of them.
    most_of: int = 0

    @property
    def total(self) -> int:
        return self.tally.total

    @property
    def sample(self) -> int:
        return self.tally.sample

    @property
    def title_count(self) -> int:
        return self.tally.title_count

    @property
    def facets(self) -> dict[str, list[dict]]:
        return self.tally.facets

    @property
    def estimated(self) -> bool:
        return self.sample > 1

    @property
    def corrected(self) -> bool:
        return bool(self.corrections) and self.total > 0

    def page(self, eligible: QuerySet, number: int, per_page: int) -> SearchPage:
        """Page `number` of the matches among `eligible`, or the last page when there is none
        that far. An estimated total may be a little above or below the real one, so a page a
        little past the estimate is looked for too."""
        last = pages_for(self.total, per_page)
        number = min(max(1, number), last * 2 if self.estimated else last)
        page = SearchPage(number, per_page, self.total, self.estimated)
        if not self.total:
            return page
        self._fill(page, eligible)
        if not page.object_list and page.number > 1:
            # Past the real end of an estimate: count exactly, and show the real last page.
            page.total = eligible.filter(backend().matches(self.expression)).count()
            page.estimated = False
            page.number = pages_for(page.total, per_page)
            self._fill(page, eligible)
        return page

    def _fill(self, page: SearchPage, eligible: QuerySet) -> None:
        essays = self._ranked(eligible, (page.number - 1) * page.per_page, page.per_page + 1)
        page.object_list, page.more = essays[: page.per_page], len(essays) > page.per_page

    def _ranked(self, eligible: QuerySet, offset: int, limit: int) -> list:
        if self.estimated:
            return self._newest_first(eligible, offset, limit)
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
        # The page's ids with their tier and score, then its essays: two queries, not one,
        # as a subquery SQLite names twice (to filter the essays and to read their scores) is
        # worked out twice.
        page_tiers = self._sqlite_tiers if database.vendor == "sqlite" else self._postgresql_tiers
        parts, params = page_tiers(eligible, tiers)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            ranks = {essay: (tier, score) for essay, score, tier in cursor.fetchall()}
        essays = list(self._listed(eligible.filter(pk__in=list(ranks)))) if ranks else []
        scored = {tier: is_scored for tier, _, is_scored, _, _ in tiers}

        def order(essay):
            tier, score = ranks[essay.pk]
            return (
                tier,
                -score if scored[tier] else -essay.pk,
                essay.headline if scored[tier] else "",
                essay.pk,
            )

        return sorted(essays, key=order)

    def _newest_first(self, eligible: QuerySet, offset: int, limit: int) -> list:
        """A page of an estimated search: matches in that many essays say little about which
        is best, so both tiers are listed newest first, each read from its index in that
        order until the page has its essays. The title tier's size is never counted: it is
        read up to the page's end, and where it ends (when it does) is known from that."""
        titled = self._newest_ids(eligible, title=True, limit=offset + limit, offset=0)
        ranks = dict.fromkeys(titled[offset:], (1, 0.0))
        if len(titled) < offset + limit:
            rest = self._newest_ids(
                eligible, title=False, limit=limit - len(ranks), offset=max(0, offset - len(titled))
            )
            ranks.update((pk, (2, 0.0)) for pk in rest)
        essays = list(self._listed(eligible.filter(pk__in=list(ranks)))) if ranks else []
        return sorted(essays, key=lambda essay: (ranks[essay.pk][0], -essay.pk))

    def _newest_ids(self, eligible: QuerySet, *, title: bool, limit: int, offset: int) -> list:
        database = backend()
        if database.vendor == "sqlite":
            this_essay = compiled(
                eligible.filter(pk=RawSQL(f"{FTS}.rowid", [])).order_by().values("pk")
            )
            sql, params = database.newest_ids(
                self.expression, title=title, eligible=this_essay, limit=limit, offset=offset
            )
        else:
            sql, params = database.newest_ids(
                self.expression, title=title, eligible=eligible, limit=limit, offset=offset,
                matching=self._matching(eligible),
            )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def _matching(self, eligible: QuerySet) -> QuerySet:
        """The eligible matches: by their ids when the count listed them."""
        if self.tally.hit_ids is not None:
            return eligible.filter(pk__in=self.tally.hit_ids)
        return eligible.filter(backend().matches(self.expression))

    def _tier_essays(self, eligible: QuerySet, title: bool) -> QuerySet:
        database = backend()
        if title:
            # Every clause in the title is a match already: no need to read the whole essay.
            return eligible.filter(database.title_matches(self.expression))
        return self._matching(eligible).exclude(database.title_matches(self.expression))

    def _sqlite_tiers(self, eligible: QuerySet, tiers: list) -> tuple[list[str], list]:
        """Each tier read from the index in its order (by score, or newest first), which stops
        at the page."""
        database = backend()
        parts, params = [], []
        this_essay = compiled(
            eligible.filter(pk=RawSQL(f"{FTS}.rowid", [])).order_by().values("pk")
        )
        for tier, title, scored, limit, offset in tiers:
            ids = database.ranked_ids if scored else database.newest_ids
            sql, tier_params = ids(
                self.expression, title=title, eligible=this_essay, limit=limit, offset=offset
            )
            parts.append(f"SELECT rowid, -score, {tier} FROM ({sql}) t{tier}")
            params += tier_params
        return parts, params

    def _postgresql_tiers(self, eligible: QuerySet, tiers: list) -> tuple[list[str], list]:
        """Each tier by its own index: the title's for the title tier, the vector's for the
        rest."""
        database = backend()
        parts, params = [], []
        for tier, title, scored, limit, offset in tiers:
            if scored:
                essays = (
                    self._tier_essays(eligible, title)
                    .annotate(search_score=database.score(self.expression))
                    .order_by("-search_score", "headline", "pk")
                )
                sql, tier_params = compiled(
                    essays.values_list("pk", "search_score")[offset : offset + limit]
                )
            else:
                sql, tier_params = database.newest_ids(
                    self.expression, title=title, eligible=eligible, limit=limit, offset=offset,
                    matching=self._matching(eligible),
                )  # fmt: skip
            parts.append(f"SELECT t{tier}.*, {tier} FROM ({sql}) t{tier}")
            params += tier_params
        return parts, params

    @staticmethod
    def _listed(essays: QuerySet) -> QuerySet:
        """What a result shows: the essay with its subject and level (its tags are read for
        the cards not already kept: essays.views.catalogue.essay_cards), not its search
        document, which repeats the essay."""
        return essays.select_related("subject", "level").defer("search_document")


def facet_tables(essays: QuerySet) -> dict[str, str]:
    meta = essays.model._meta
    tags = meta.get_field("tags")
    return {
        "subject": meta.get_field("subject").related_model._meta.db_table,
        "level": meta.get_field("level").related_model._meta.db_table,
        "tag": tags.related_model._meta.db_table,
        "essay_tags": tags.remote_field.through._meta.db_table,
        "essay_id": tags.m2m_column_name(),
        "tag_id": tags.m2m_reverse_name(),
    }


def facet_conditions(essays: QuerySet, chosen: dict[str, str]) -> dict[str, tuple[str, list]]:
    """SQL for each chosen filter, on a row `h` of search_hits."""
    names = facet_tables(essays)
    sql = {
        "subject": f"h.subject_id = (SELECT id FROM {names['subject']} WHERE slug = %s)",
        "level": f"h.level_id = (SELECT id FROM {names['level']} WHERE slug = %s)",
        "tag": f"h.id IN (SELECT et.{names['essay_id']} FROM {names['essay_tags']} et "
        f"JOIN {names['tag']} t ON t.id = et.{names['tag_id']} WHERE t.slug = %s)",
    }
    return {param: (sql[param], [slug]) for param, slug in chosen.items()}


def where(conditions: list[tuple[str, list]]) -> tuple[str, list]:
    if not conditions:
        return "", []
    return " WHERE " + " AND ".join(sql for sql, _ in conditions), [
        param for _, params in conditions for param in params
    ]


def tally(
    expression: Expression, essays: QuerySet, chosen: dict[str, str], eligible: QuerySet
) -> Tally:
    """Count the matches among `essays` (published) with the `chosen` filters (`eligible`), and
    the facets: each list counts the matches the other filters leave, so that choices can be
    combined. One query: the match is read once (backend's `hits`, a sample of it above
    ESTIMATE_ABOVE), and everything is counted from what it found."""
    database = backend()
    names = facet_tables(essays)
    ctes, params = database.hits(expression, essays, estimate_above=ESTIMATE_ABOVE, samples=SAMPLES)
    conditions = facet_conditions(essays, chosen)

    def others(param: str | None) -> tuple[str, list]:
        return where([condition for other, condition in conditions.items() if other != param])

    parts = []
    sql, where_params = others(None)
    parts.append(
        (f"SELECT 'total', NULL, NULL, sum(h.weight) FROM search_hits h{sql}", where_params)
    )
    parts.append(("SELECT 'sample', NULL, NULL, sample FROM search_sample", []))
    if database.lists_hits:
        sql, where_params = where(
            [("(SELECT sample FROM search_sample) = 1", []), *conditions.values()]
        )
        parts.append((f"SELECT 'hit', NULL, NULL, h.id FROM search_hits h{sql}", where_params))
    title_sql, title_params = compiled(
        eligible.filter(database.title_matches(expression))
        .order_by()
        .values("pk")[: RANKED_AT_MOST + 1]
    )
    # Counted only for an exact search: an estimated one lists its title tier newest first,
    # without its size (SearchOutcome._newest_first).
    parts.append(
        (
            "SELECT 'title', NULL, NULL, CASE WHEN (SELECT sample FROM search_sample) = 1 "
            f"THEN (SELECT count(*) FROM ({title_sql}) t) ELSE 0 END",
            title_params,
        )
    )
    # Counted by id first, then named. Each match's tags are looked up by the match (the
    # backend's `tags_of_hits`): left to choose, the planners read every essay's tags.
    tag_join, tag_link = database.tags_of_hits(
        names["essay_tags"], names["essay_id"], names["tag_id"]
    )
    counted_by = {
        "subject": ("h.subject_id", "", names["subject"], []),
        "level": ("h.level_id", "", names["level"], []),
        "tag": ("et.tag_id", tag_join, names["tag"], tag_link),
    }
    for param in FACETS:
        column, join, table, links = counted_by[param]
        sql, where_params = where(
            links + [condition for other, condition in conditions.items() if other != param]
        )
        parts.append(
            (
                f"SELECT '{param}', f.slug, f.name, c.essays FROM (SELECT {column} AS id, "
                f"sum(h.weight) AS essays FROM search_hits h{join}{sql} GROUP BY {column}) c "
                f"JOIN {table} f ON f.id = c.id",
                where_params,
            )
        )
    for _, part_params in parts:
        params += part_params
    statement = (
        f"WITH {', '.join(ctes)} {' UNION ALL '.join(sql for sql, _ in parts)} ORDER BY 1, 3"
    )
    found = Tally()
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for kind, slug, name, essays_counted in cursor.fetchall():
            counted = round(essays_counted or 0)
            if kind == "hit":
                hits.append(counted)
            elif kind == "total":
                found.total = counted
            elif kind == "sample":
                found.sample = counted
            elif kind == "title":
                found.title_count = counted
            else:
                found.facets[kind].append({"slug": slug, "name": name, "essays": counted})
    if database.lists_hits and found.sample == 1:
        found.hit_ids = hits
    return found


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


def find(
    text: str, essays: QuerySet, chosen: dict[str, str], eligible: QuerySet, *,
    as_typed: bool = False,
) -> SearchOutcome:  # fmt: skip
    """Search the published `essays` for `text`, the `chosen` filters (subject, level and tag
    slugs) leaving the `eligible` ones; the outcome's facets count each filter's choices. With
    `as_typed`, no spelling suggestions."""
    typed = parse(text)
    outcome = SearchOutcome(typed=typed, searched=typed)
    if not typed:
        return outcome
    expression = every(typed.clauses)
    counted = tally(expression, essays, chosen, eligible)
    if counted.total:
        return SearchOutcome(typed, typed, expression, counted)
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
        counted = tally(expression, essays, chosen, eligible)
        if counted.total:
            return SearchOutcome(typed, searched, expression, counted, fixes)
        _, present = presence([], searched.clauses, eligible)
    clauses = searched.clauses
    if len(clauses) < 2:
        return SearchOutcome(typed, searched, corrections=fixes)
    expression, size = most_of(
        [clause for clause in clauses if present[clause]], len(clauses), eligible
    )
    if not expression:
        return SearchOutcome(typed, searched, corrections=fixes)
    counted = tally(expression, essays, chosen, eligible)
    return SearchOutcome(typed, searched, expression, counted, fixes, most_of=size)
