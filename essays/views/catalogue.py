"""The library as students and visitors see it: the catalogue, its search and filters (an
essay's own page is in essays/views/essay.py)."""

import re
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from essays import search
from essays.caching import (
    cache_for_visitors,
    cached_fragment,
    library_version,
    page_timeout,
    resilient_cache,
)
from essays.models import Essay, Level, Subject, Tag
from essays.student_state import kept_whole_for_students

ESSAYS_PER_PAGE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")
FILTERS = {"subject": Subject, "level": Level, "tag": Tag}
FILTER_LOOKUPS = {"subject": "subject__slug", "level": "level__slug", "tag": "tags__slug"}
FACET_FIELDS = {"subject": "subject", "level": "level", "tag": "tags"}
# The query parameters the catalogue reads: any others are dropped, and not cached apart.
# `exact=1` searches the words as typed, without spelling suggestions.
CATALOGUE_PARAMS = ("q", "subject", "level", "tag", "page", "exact")
CARD_TEMPLATE = "essays/_essay_card.html"
# Where a kept card takes a search's excerpt: escaped text can never contain it.
EXCERPT_MARKER = "<!--excerpt-->"


def link_with(query, **changes: str | None) -> str:
    """The current address with each parameter changed to its value (or removed, for None)
    and the page number dropped: what {% querystring %} gives, without its cost on a list of
    sixty links."""
    params = {key: query.getlist(key) for key in query if key != "page"}
    for param, value in changes.items():
        if value is None:
            params.pop(param, None)
        else:
            params[param] = [value]
    return "?" + urlencode(params, doseq=True)


def facet_counts(essays, field: str) -> list[dict]:
    """How many of `essays` have each subject, level or tag: rows of slug, name and essays.
    One join per field (an essay without tags gives one row with no tag, skipped here). (A
    search counts its facets with its matches: essays.search.results.tally.)"""
    rows = (
        essays.order_by()
        .values(f"{field}__slug", f"{field}__name")
        .annotate(essays=Count("pk"))
        .order_by(f"{field}__name")
    )
    return [
        {
            "slug": row[f"{field}__slug"],
            "name": row[f"{field}__name"],
            "essays": row["essays"],
        }
        for row in rows
        if row[f"{field}__slug"] is not None
    ]


def facet_links(
    request: HttpRequest, param: str, rows: list[dict], chosen: dict, *, estimated: bool = False
) -> list[dict]:
    """Each choice of one facet with its link and its count as shown: choosing it filters by
    it; choosing the chosen one removes it. The links differ only in the facet's value, so the
    rest of the address is encoded once (the same links as link_with, at a fraction of its
    cost on seventy links); the counts are grouped by thousands as intcomma groups them in
    British English, without its cost on seventy numbers."""
    params = [(key, request.GET.getlist(key)) for key in request.GET if key != "page"]
    keys = [key for key, _ in params]
    at = keys.index(param) if param in keys else len(params)
    before = urlencode(params[:at], doseq=True)
    after = urlencode(params[at + 1 :], doseq=True)
    removed = link_with(request.GET, **{param: None})
    links = []
    for row in rows:
        active = chosen.get(param) == row["slug"]
        if active:
            url = removed
        else:
            chosen_part = urlencode({param: row["slug"]})
            url = "?" + "&".join(part for part in (before, chosen_part, after) if part)
        shown = f"about {row['essays']:,}" if estimated else f"{row['essays']:,}"
        links.append({**row, "active": active, "url": url, "shown": shown})
    return links


def card_key(essay: Essay, version: int) -> str:
    return f"studyhub:card:{version}:{essay.pk}:{essay.updated_at.isoformat()}"


def essay_cards(essays: list[Essay]) -> list[SafeString]:
    """Each essay's card for the list, with its excerpt (a search's) in place. A card is kept
    for its essay as last saved, in this version of the library (which a change to a subject,
    level or tag moves on): different searches and pages show the same essays, so only the
    cards not kept are rendered, and only their essays' tags read. Without the cache, every
    card is rendered."""
    version = library_version()
    keys = {essay.pk: card_key(essay, version) for essay in essays} if version else {}
    kept = resilient_cache.get_many(list(keys.values())) if keys else {}
    cards = {essay.pk: kept[keys[essay.pk]] for essay in essays if keys.get(essay.pk) in kept}
    missing = [essay for essay in essays if essay.pk not in cards]
    if missing:
        prefetch_related_objects(missing, "tags")
        template = get_template(CARD_TEMPLATE)
        for essay in missing:
            cards[essay.pk] = template.render(
                {"essay": essay, "excerpt_marker": mark_safe(EXCERPT_MARKER)}
            )
        # One round trip for all the new cards, not one each.
        new = {keys[essay.pk]: cards[essay.pk] for essay in missing if essay.pk in keys}
        resilient_cache.set_many(new, page_timeout())
    return [with_excerpt(cards[essay.pk], getattr(essay, "excerpt", "")) for essay in essays]


def with_excerpt(card: str, excerpt: SafeString) -> SafeString:
    shown = f'<p class="card-text small excerpt">{excerpt}</p>' if excerpt else ""
    return mark_safe(card.replace(EXCERPT_MARKER, shown, 1))


def page_number(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def about(count: int) -> int:
    """An estimated count rounded to two significant figures: 9,487 is about 9,500."""
    return round(count, 2 - len(str(count))) if count >= 100 else count


@require_safe
@cache_for_visitors(params=CATALOGUE_PARAMS)
@kept_whole_for_students(params=CATALOGUE_PARAMS)
def catalogue(request: HttpRequest) -> HttpResponse:
    """The library, filtered and searched. Its listing is the same for everyone, so it is kept
    as a fragment (until the library changes): signed-in students pay only for their own nav."""

    def build():
        context = catalogue_context(request)
        return render_to_string("essays/_catalogue.html", context, request), context

    listing, context = cached_fragment(request, "catalogue", build, params=CATALOGUE_PARAMS)
    query = search.clean(request.GET.get("q", ""))
    return render(request, "essays/catalogue.html", {**context, "query": query, "listing": listing})


def catalogue_context(request: HttpRequest) -> dict:
    query = search.clean(request.GET.get("q", ""))
    chosen = {
        param: request.GET.get(param, "").strip()
        for param in FILTERS
        if request.GET.get(param, "").strip()
    }
    # A filter that is not a slug matches nothing (and is never sent to the database).
    unusable = any(not SLUG.fullmatch(slug) for slug in chosen.values())
    published = Essay.objects.published()

    def filtered(except_param: str | None = None):
        queryset = published.none() if unusable else published
        for param, slug in chosen.items():
            if param != except_param:
                queryset = queryset.filter(**{FILTER_LOOKUPS[param]: slug})
        return queryset

    found = None
    if query and not unusable:
        found = search.find(
            query, published, chosen, filtered(), as_typed=request.GET.get("exact") == "1"
        )

    if query:
        counted = found.facets if found else {param: [] for param in FACET_FIELDS}
    else:
        counted = {
            param: facet_counts(filtered(except_param=param), field)
            for param, field in FACET_FIELDS.items()
        }
    facets = {
        param: facet_links(request, param, rows, chosen, estimated=bool(found and found.estimated))
        for param, rows in counted.items()
    }

    active = []
    for param, slug in chosen.items():
        name = next((f["name"] for f in facets[param] if f["slug"] == slug), None)
        if name is None and SLUG.fullmatch(slug):
            name = FILTERS[param].objects.filter(slug=slug).values_list("name", flat=True).first()
        active.append({"param": param, "slug": slug, "name": name})

    estimated = False
    if found:
        page = found.page(filtered(), page_number(request.GET.get("page")), ESSAYS_PER_PAGE)
        total, pages, estimated = page.total, page.num_pages, page.estimated
        highlighter = search.Highlighter([clause for group in found.expression for clause in group])
        for essay in page.object_list:
            essay.excerpt = search.excerpt(essay.body, highlighter)
    else:
        # Tags are read by essay_cards, for the cards it does not have kept.
        essays = (filtered() if not query else published.none()).select_related("subject", "level")
        page = Paginator(essays, ESSAYS_PER_PAGE).get_page(request.GET.get("page"))
        total, pages = page.paginator.count, page.paginator.num_pages
    return {
        "page": page,
        "essays": page.object_list,
        "cards": essay_cards(list(page.object_list)),
        "total": about(total) if estimated else total,
        "estimated": estimated,
        "num_pages": pages,
        "query": query,
        "search": found and search_messages(request, found),
        "facets": facets,
        "active_filters": active,
        "filtered": bool(query or chosen),
    }


def search_messages(request: HttpRequest, found: search.SearchOutcome) -> dict:
    """What the page says about how it searched: a correction, and "most of the words"."""
    return {
        "corrected": found.corrected,
        "searched": found.searched.text(),
        "searched_url": link_with(request.GET, q=found.searched.text(), exact=None),
        "as_typed": search.clean(request.GET.get("q", "")),
        "as_typed_url": link_with(request.GET, exact="1"),
        "most_of": found.most_of,
        "clauses": [clause.text() for clause in found.searched.clauses],
    }
