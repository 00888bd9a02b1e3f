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


def prepare_signed_in(password: str, students: int) -> dict:
    """For bench/signed_in.py, after `generate_load_data --classes`: the people its pages are
    requested as. A student in a class with set work and some of their own work (the essay,
    editor, catalogue, classes and progress pages); "bench-mywork-20" and "bench-mywork-500",
    with 20 and 500 handed-in responses (My work at both sizes); and `students` students
    ("bench-writer-N") with a draft each of one essay, for the autosaves. Can be run again on
    the same data: what it made the first time is reused."""
    enrolment = (
        Enrolment.objects.filter(left_at__isnull=True, group__assignments__isnull=False)
        .order_by("pk")
        .select_related("student", "group")
        .first()
    )
    if enrolment is None:
        raise SystemExit("no class with set work: generate the data with --classes")
    student = enrolment.student
    if not student.has_usable_password() or not student.check_password(password):
        student.set_password(password)
        student.save(update_fields=["password"])
    essay = (
        Essay.objects.published().filter(responses__student=student).order_by("pk").first()
        or Essay.objects.published().order_by("pk").first()
    )
    hashed = make_password(password)
    essays = list(Essay.objects.published().order_by("pk").values_list("pk", flat=True)[:500])
    now = timezone.now()
    for size in (20, 500):
        owner, created = User.objects.get_or_create(
            username=f"bench-mywork-{size}", defaults={"password": hashed}
        )
        if created:
            Response.objects.bulk_create(
                Response(
                    student=owner,
                    essay_id=essay_id,
                    body="A handed-in answer. " * 40,
                    word_count=160,
                    status=Response.Status.SUBMITTED,
                    submitted_at=now - timedelta(hours=n),
                    updated_at=now - timedelta(hours=n),
                )
                for n, essay_id in enumerate(essays[:size])
            )
    writers = []
    for n in range(1, students + 1):
        writer, _ = User.objects.get_or_create(
            username=f"bench-writer-{n}", defaults={"password": hashed}
        )
        draft = writing.current_draft(student=writer, essay=essay)
        if draft is None:
            draft, _ = writing.start_draft(student=writer, essay=essay, body="A first line.")
        writers.append(
            {"username": writer.username, "draft": draft.pk, "attempt": draft.attempt,
             "version": draft.version}
        )  # fmt: skip
    return {
        "student": student.username,
        "essay": essay.slug,
        "writers": writers,
        "essays": Essay.objects.count(),
        "responses": Response.objects.count(),
        "classes": TeachingGroup.objects.count(),
        "student_responses": Response.objects.filter(student=student).count(),
    }


# For bench/scale_out.py: a class of a school trust on several application servers ------------

SCALE_CLASS = "13S History"


def prepare_scale_class(count: int, password: str) -> dict:
    """After loaddata of the mark schemes and the library: a teacher ("scale-teacher", in
    Teachers) of a class of `count` students ("scale-student-1", … each with an email address),
    and an editor ("scale-editor", in Editors). Returns the ids and slugs the load needs: the
    class, the essay to set (the Stalin essay) and another published essay for visitors."""
    sync_roles(Group, Permission)  # a flushed database has lost its groups
    teacher = User.objects.create_user(
        "scale-teacher", email="scale-teacher@example.com", password=password, is_staff=True
    )
    teacher.groups.add(Group.objects.get(name="Teachers"))
    editor = User.objects.create_user(
        "scale-editor", email="scale-editor@example.com", password=password, is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    essay = Essay.objects.get(slug=STALIN)
    group = TeachingGroup.objects.create(
        name=SCALE_CLASS, subject=essay.subject, level=Level.objects.get(slug="a-level")
    )
    group.teachers.add(teacher)
    hashed = make_password(password)
    students = User.objects.bulk_create(
        User(
            username=f"scale-student-{n}",
            first_name=f"Student {n}",
            email=f"scale-student-{n}@example.com",
            password=hashed,
        )
        for n in range(1, count + 1)
    )
    Enrolment.objects.bulk_create(Enrolment(group=group, student=s) for s in students)
    visitor_essay = Essay.objects.published().exclude(pk=essay.pk).order_by("pk").first()
    return {
        "group": group.pk,
        "essay": essay.pk,
        "slug": essay.slug,
        "visitor_essay": visitor_essay.pk,
        "visitor_slug": visitor_essay.slug,
        "visitor_headline": visitor_essay.headline,
    }


def sign_in(usernames: list[str]) -> dict:
    """Sessions for these users, as logging in makes them, without checking each password (a
    password hash is a second of CPU: 200 of them would be most of the load). Returns each
    user's session key, for the `sessionid` cookie."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from studyhub.middleware import LAST_ACTIVE

    keys = {}
    for user in User.objects.filter(username__in=usernames):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LAST_ACTIVE] = int(time.time())
        session.create()
        keys[user.username] = session.session_key
    return keys


def read_scale_work(essay_id: int) -> dict:
    """Every response of the class's students to the essay, by student: what the load wrote."""
    rows = Response.objects.filter(
        essay_id=essay_id, student__username__startswith="scale-student-"
    ).values("student__username", "attempt", "assignment_id", "status", "body", "version")
    work = {}
    for row in rows:
        work.setdefault(row.pop("student__username"), []).append(row)
    return work


def mark_handed_in(assignment_id: int) -> int:
    """Give every handed-in response to the set work a mark inside the scheme's top level, as
    a teacher marking the pile would. Returns how many were marked."""
    assignment = Assignment.objects.select_related("essay").get(pk=assignment_id)
    top = assignment.essay.get_mark_scheme().levels.order_by("-number").first()
    return (
        Response.objects.filter(assignment=assignment)
        .submitted_or_returned()
        .update(level=top.number, mark=top.min_mark)
    )


def expected_subjects(assignment_id: int) -> dict:
    """The subjects of the two emails each student of the set work should get: "work set" and
    "your essay has been marked", rendered from the same templates the worker uses."""
    from django.template.loader import render_to_string

    assignment = Assignment.objects.select_related("essay", "group").get(pk=assignment_id)
    context = {"assignment": assignment, "student_response": Response(essay=assignment.essay)}
    # As essays.marking.emails.render_email makes a subject: one line.
    return {
        name: " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
        for name, template in (("work set", "work-set"), ("marked", "response-returned"))
    }


def task_queue() -> dict:
    """The background tasks, for bench/scale_out.py: how many of each task in each state, how
    many were claimed more than once, and how many each worker ran."""
    from django_tasks_db.models import DBTaskResult

    counts, claimed_twice, by_worker = {}, 0, {}
    for task_path, status, worker_ids in DBTaskResult.objects.values_list(
        "task_path", "status", "worker_ids"
    ):
        name = task_path.rsplit(".", 1)[-1]
        counts.setdefault(name, {}).setdefault(status, 0)
        counts[name][status] += 1
        claimed_twice += len(worker_ids) > 1
        for worker in set(worker_ids):
            by_worker[worker] = by_worker.get(worker, 0) + 1
    unfinished = DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).count()
    return {
        "counts": counts,
        "claimed_twice": claimed_twice,
        "by_worker": by_worker,
        "unfinished": unfinished,
    }


def rename_essay(essay_id: int, headline: str) -> str:
    """An editor's change made outside the admin (a shell, an import): Essay.save(), whose
    post_save signal moves the library's version on (essays/signals.py)."""
    essay = Essay.objects.get(pk=essay_id)
    essay.headline = headline
    essay.save()
    return essay.headline
