"""The data the benchmarks set up and read back, run inside Django by `bench.harness.call`.

Each function's result is JSON-serialisable: `call` prints it from `manage.py shell` and the
benchmark script reads it back.
"""

import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.vocabulary import topic_words
from essays import writing
from essays.demo import STALIN
from essays.demo_answers import ANSWERS
from essays.management.load_text import WORDS
from essays.models import (
    Annotation,
    Assignment,
    CommentBankItem,
    Enrolment,
    Essay,
    Level,
    Response,
    Subject,
    Tag,
    TeachingGroup,
)
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


def marking_scripts(count: int) -> list[str]:
    """`count` (up to 15) different answers of three paragraphs to the Stalin essay, each an
    opening, a middle and an ending taken from different students of the demo class."""
    answers = [text.split("\n\n") for text in ANSWERS[STALIN].values()]
    parts = [answer for answer in answers if len(answer) == 3][:5]
    scripts = []
    for n in range(count):
        opening, middle, ending = n % 5, (n + 1 + n // 5) % 5, (n + 2 + 2 * (n // 5)) % 5
        scripts.append("\n\n".join([parts[opening][0], parts[middle][1], parts[ending][2]]))
    assert len(set(scripts)) == count, "the answers must differ"
    return scripts


def prepare_marking(username: str, password: str, count: int) -> dict:
    """For bench/marking.py, after loaddata of the mark schemes, the library and the comment
    bank: a teacher (in Teachers) of a class of `count` students who each handed in a different
    answer to one piece of set work on the Stalin essay. Returns the set work's id and the
    scripts' ids, newest first (the pile's order)."""
    sync_roles(Group, Permission)
    teacher = User.objects.create_user(username, password=password, is_staff=True)
    teacher.groups.add(Group.objects.get(name="Teachers"))
    essay = Essay.objects.get(slug=STALIN)
    group = TeachingGroup.objects.create(
        name="13B History", subject=essay.subject, level=Level.objects.get(slug="a-level")
    )
    group.teachers.add(teacher)
    now = timezone.now()
    assignment = Assignment.objects.create(
        group=group,
        essay=essay,
        set_at=now - timedelta(days=6),
        due_at=now + timedelta(days=1),
        set_by=teacher,
    )
    ids = []
    for n, body in enumerate(marking_scripts(count)):
        student = User.objects.create_user(f"bench-pupil-{n + 1}", first_name=f"Pupil {n + 1}")
        Enrolment.objects.create(group=group, student=student)
        draft, _ = writing.start_draft(
            student=student, essay=essay, body=body, assignment=assignment
        )
        writing.submit_response(student=student, response_id=draft.pk)
        # Handed in a minute apart, the first newest: the pile lists them in this order.
        Response.objects.filter(pk=draft.pk).update(submitted_at=now - timedelta(minutes=n + 1))
        ids.append(draft.pk)
    return {"assignment": assignment.pk, "scripts": ids}


def read_marking(assignment_id: int) -> dict:
    """For bench/marking.py, after marking: each script of the set work as it was saved, with
    its margin comments, and how often each bank comment has been used."""
    scripts = []
    for student_response in Response.objects.filter(assignment_id=assignment_id).order_by("pk"):
        annotations = Annotation.objects.filter(response=student_response).order_by("start")
        scripts.append(
            {
                "id": student_response.pk,
                "status": student_response.status,
                "returned": student_response.returned_at is not None,
                "level": student_response.level,
                "mark": student_response.mark,
                "went_well": student_response.went_well,
                "even_better_if": student_response.even_better_if,
                "annotations": [
                    {
                        "quote": annotation.quote,
                        "in_text": student_response.body[annotation.start : annotation.end],
                        "comment": annotation.comment,
                        "bank_item": annotation.bank_item_id,
                    }
                    for annotation in annotations
                ],
            }
        )
    uses = dict(CommentBankItem.objects.filter(times_used__gt=0).values_list("pk", "times_used"))
    return {"scripts": scripts, "bank_uses": {str(pk): n for pk, n in uses.items()}}
