import logging

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from essays.models import Essay, Level, Subject, Tag

logger = logging.getLogger(__name__)

ESSAYS_PER_PAGE = 20
FILTERS = {"subject": Subject, "level": Level, "tag": Tag}


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    essays = Essay.objects.published().for_listing()
    active = {}
    for param, model in FILTERS.items():
        slug = request.GET.get(param, "").strip()
        if not slug:
            continue
        active[param] = model.objects.filter(slug=slug).first()
        lookup = "tags__slug" if param == "tag" else f"{param}__slug"
        essays = essays.filter(**{lookup: slug})
    page = Paginator(essays, ESSAYS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "essays/catalogue.html",
        {"page": page, "essays": page.object_list, "active_filters": active},
    )


@require_safe
def essay_detail(request: HttpRequest, slug: str) -> HttpResponse:
    essay = get_object_or_404(
        Essay.objects.published().for_listing().prefetch_related("notes"), slug=slug
    )
    return render(request, "essays/essay_detail.html", {"essay": essay})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
