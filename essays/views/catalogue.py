"""The library as students and visitors see it: the catalogue (search and filters), an essay's
page, and choosing to attempt an essay before reading it."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST, require_safe

from essays import search, writing
from essays.caching import cache_for_visitors, cached_fragment
from essays.models import Essay, Level, Response, Subject, Tag

ESSAYS_PER_PAGE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")
FILTERS = {"subject": Subject, "level": Level, "tag": Tag}
FILTER_LOOKUPS = {"subject": "subject__slug", "level": "level__slug", "tag": "tags__slug"}
FACET_FIELDS = {"subject": "subject", "level": "level", "tag": "tags"}
# The query parameters the catalogue reads: any others are dropped, and not cached apart.
# `exact=1` searches the words as typed, without spelling suggestions.
CATALOGUE_PARAMS = ("q", "subject", "level", "tag", "page", "exact")


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


def facet_counts(essays, field: str, sample: int = 1) -> list[dict]:
    """How many of `essays` have each subject, level or tag: rows of slug, name and essays.
    One join per field (an essay without tags gives one row with no tag, skipped here). With a
    sample (every n-th essay), the counts are the sample's times n."""
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
            "essays": row["essays"] * sample,
        }
        for row in rows
        if row[f"{field}__slug"] is not None
    ]


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
        found = search.find(query, filtered(), as_typed=request.GET.get("exact") == "1")

    def matching(queryset):
        if query:
            return found.restrict(queryset) if found else queryset.none()
        return queryset

    sample = found.sample if found else 1
    facets = {}
    for param, field in FACET_FIELDS.items():
        # Each list counts the essays the other filters leave, so choices can be combined.
        facets[param] = []
        for row in facet_counts(matching(filtered(except_param=param)), field, sample):
            active = chosen.get(param) == row["slug"]
            # Choosing a facet filters by it; choosing the chosen one removes it.
            url = link_with(request.GET, **{param: None if active else row["slug"]})
            facets[param].append({**row, "active": active, "url": url})

    active = []
    for param, slug in chosen.items():
        name = next((f["name"] for f in facets[param] if f["slug"] == slug), None)
        if name is None and SLUG.fullmatch(slug):
            name = FILTERS[param].objects.filter(slug=slug).values_list("name", flat=True).first()
        active.append({"param": param, "slug": slug, "name": name})

    if found:
        page = found.page(filtered(), page_number(request.GET.get("page")), ESSAYS_PER_PAGE)
        total, pages = page.total, page.num_pages
        highlighter = search.Highlighter([clause for group in found.expression for clause in group])
        for essay in page.object_list:
            essay.excerpt = search.excerpt(essay.body, highlighter)
    else:
        essays = matching(filtered()).select_related("subject", "level").prefetch_related("tags")
        page = Paginator(essays, ESSAYS_PER_PAGE).get_page(request.GET.get("page"))
        total, pages = page.paginator.count, page.paginator.num_pages
    return {
        "page": page,
        "essays": page.object_list,
        "total": about(total) if found and found.estimated else total,
        "estimated": bool(found and found.estimated),
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


@require_safe
@cache_for_visitors(params=())
def essay_detail(request: HttpRequest, slug: str) -> HttpResponse:
    essay = get_object_or_404(
        Essay.objects.published().for_listing().prefetch_related("notes"), slug=slug
    )
    attempts = []
    hidden = False
    if request.user.is_authenticated:
        attempts = list(
            Response.objects.attempts(student=request.user, essay=essay).order_by("attempt")
        )
        hidden = writing.model_essay_hidden(student=request.user, essay=essay)
    return render(
        request,
        "essays/essay_detail.html",
        {
            "essay": essay,
            "attempts": attempts,
            "model_hidden": hidden,
            "has_submitted": any(not a.is_draft for a in attempts),
            "draft": next((a for a in attempts if a.is_draft), None),
        },
    )


@login_required
@require_POST
def attempt_first(request: HttpRequest, slug: str) -> HttpResponse:
    essay = get_object_or_404(Essay.objects.published(), slug=slug)
    writing.choose_attempt_first(student=request.user, essay=essay)
    messages.info(
        request,
        "The model essay and notes are hidden until you submit your answer. Good luck!",
    )
    return redirect("essays:respond", slug=essay.slug)
