"""StudyHub's URLs with the bare view added, for the benchmarks only (see bench/settings.py)."""

from django.urls import include, path

from bench.views import bare

urlpatterns = [
    path("bench/bare", bare, name="bare"),
    path("", include("studyhub.urls")),
]
