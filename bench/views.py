from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django page can do here: the ceiling the page benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")
