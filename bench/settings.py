"""StudyHub's settings for the benchmarks: the project's own, plus the bare view (bench/urls.py).

The benchmark scripts run manage.py and gunicorn with DJANGO_SETTINGS_MODULE=bench.settings.
"""

from studyhub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
