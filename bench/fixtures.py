"""The data the benchmarks set up and read back, run inside Django by `bench.harness.call`.

Each function's result is JSON-serialisable: `call` prints it from `manage.py shell` and the
benchmark script reads it back.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.vocabulary import topic_words
from essays.management.load_text import WORDS
from essays.models import Assignment, Essay, Level, Response, Subject, Tag, TeachingGroup
from essays.roles import sync_roles

User = get_user_model()


def prepare_load_students(count: int, slug: str, password: str) -> None:
    """For bench/load_submit.py: one published essay and `count` students, load0, load1, …"""
    subject = Subject.objects.create(name="History", slug="history")
    level = Level.objects.create(name="A Level", slug="a-level")
    Essay.objects.create(
        headline="Load test",
        slug=slug,
        statement="‘Claim.’",
        body="Body.",
        subject=subject,
        level=level,
        status="published",
    )
    hashed = make_password(password)
    User.objects.bulk_create([User(username=f"load{n}", password=hashed) for n in range(count)])


def count_load_results(slug: str) -> dict:
    """For bench/load_submit.py: every response to the essay, and the most any student has."""
    responses = Response.objects.filter(essay__slug=slug)
    rows = list(responses.values("student__username", "body", "status", "version"))
    per_student = responses.values("student").annotate(n=Count("pk"))
    return {"rows": rows, "most_per_student": max([r["n"] for r in per_student] or [0])}


def prepare_pages(password: str) -> dict:
    """For bench/pages.py, after generate_load_data: a teacher ("bench-teacher") and 32 students
    with no work yet ("bench-student-1" to "-32", for the autosave and submit runs). Returns
    what the page requests need: a student with work, an essay, a subject and a tag, and words
    to search for."""
    sync_roles(Group, Permission)  # a flushed database has lost its groups
    teacher = User.objects.create_user("bench-teacher", password=password, is_staff=True)
    teacher.groups.add(Group.objects.get(name="Teachers"))
    for n in range(1, 33):
        User.objects.create_user(f"bench-student-{n}", password=password)
    student = (
        Response.objects.values_list("student__username", flat=True).order_by("student").first()
    )
    return {
        "student": student,
        "essay": Essay.objects.published().order_by("pk").first().slug,
        "subject": Subject.objects.filter(essays__status="published").first().slug,
        "tag": Tag.objects.filter(essays__status="published").first().slug,
        "topic_words": topic_words(400),
        "common_words": WORDS,
    }


def time_class_pages(repeat: int) -> dict:
    """How long an assignment's board and a class's markbook take, in process, for the first
    class of 30 with set work: median and worst of `repeat` requests each, and their queries.
    The teacher is signed in as they are in the admin site."""
    group = (
        TeachingGroup.objects.filter(name__startswith="Generated class")
        .annotate(size=Count("enrolments"))
        .filter(size=30)
        .order_by("pk")
        .first()
    )
    assignment = Assignment.objects.filter(group=group).order_by("-due_at").first()
    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="localhost")
    client.force_login(group.teachers.get())
    pages = {
        "board": reverse("admin:essays_assignment_board", args=[assignment.pk]),
        "markbook": reverse("admin:essays_teachinggroup_markbook", args=[group.pk]),
        "markbook CSV": reverse("admin:essays_teachinggroup_markbook_csv", args=[group.pk]),
    }
    results = {
        "students": group.enrolments.count(),
        "assignments": group.assignments.count(),
    }
    for name, url in pages.items():
        client.get(url, secure=True)  # warm
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
        results[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "worst_ms": round(max(timings), 1),
            "queries": len(queries),
        }
    return results
