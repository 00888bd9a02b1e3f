"""Classes and set work for `manage.py generate_load_data --classes`."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from essays.management.load_text import BATCH, GENERATED, Progress, paragraphs
from essays.models import Assignment, Enrolment, Level, Response, Subject, TeachingGroup
from essays.text import count_words


def make_classes(rng, student_ids, essay_ids, key_points, used, *, size, per_class, err):
    """Classes of `size` students (the last may be smaller), a teacher for every two, and
    `per_class` pieces of set work each, a week apart, answered by most of the class: on
    time, late, in draft or not at all, some marked and returned."""
    User = get_user_model()
    now = timezone.now()
    subject = Subject.objects.get(name="History")
    level = Level.objects.get(name="A Level")
    rosters = [student_ids[i : i + size] for i in range(0, len(student_ids), size)]
    start = TeachingGroup.objects.filter(name__startswith="Generated class").count()
    password = make_password("generated-teacher-password")
    teachers = User.objects.bulk_create(
        User(
            username=f"{GENERATED}teacher-{start + n + 1}",
            email=f"teacher{start + n + 1}@example.com",
            password=password,
            is_staff=True,
        )
        for n in range((len(rosters) + 1) // 2)
    )
    teachers_group = Group.objects.get(name="Teachers")
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=teacher.pk, group_id=teachers_group.pk) for teacher in teachers
    )
    groups = TeachingGroup.objects.bulk_create(
        TeachingGroup(
            name=f"Generated class {start + n + 1}",
            subject=subject,
            level=level,
            join_code=None,
        )
        for n in range(len(rosters))
    )
    TeachingGroup.teachers.through.objects.bulk_create(
        TeachingGroup.teachers.through(teachinggroup_id=group.pk, user_id=teachers[n // 2].pk)
        for n, group in enumerate(groups)
    )
    Enrolment.objects.bulk_create(
        Enrolment(group=group, student_id=student, joined_at=now - timedelta(days=200))
        for group, roster in zip(groups, rosters, strict=True)
        for student in roster
    )
    progress = Progress(err, "set work", len(groups))
    set_work = answers = 0
    for done, (group, roster) in enumerate(zip(groups, rosters, strict=True), start=1):
        assignments = Assignment.objects.bulk_create(
            Assignment(
                group=group,
                essay_id=essay,
                set_at=now - timedelta(days=7 * (per_class - n) + 5),
                due_at=now - timedelta(days=7 * (per_class - n)),
                max_attempts=1,
            )
            for n, essay in enumerate(rng.sample(essay_ids, per_class))
        )
        batch = []
        for assignment in assignments:
            for student in roster:
                if (student, assignment.essay_id) in used or rng.random() < 0.1:
                    continue
                used.add((student, assignment.essay_id))
                batch.append(answer(rng, assignment, student, key_points, now=now))
        Response.objects.bulk_create(batch, batch_size=BATCH)
        set_work += len(assignments)
        answers += len(batch)
        progress.update(done)
    return len(groups), set_work, answers


def answer(rng, assignment, student, key_points, *, now):
    """One student's response to one piece of set work."""
    roll = rng.random()
    status = (
        Response.Status.DRAFT
        if roll < 0.05
        else Response.Status.SUBMITTED
        if roll < 0.35
        else Response.Status.RETURNED
    )
    handed_in = status != Response.Status.DRAFT
    late = rng.random() < 0.15
    submitted_at = assignment.due_at + (
        timedelta(hours=rng.randint(1, 72)) if late else -timedelta(hours=rng.randint(1, 96))
    )
    level = rng.randint(1, 5)
    body = paragraphs(rng, rng.randint(300, 500))
    points = key_points.get(assignment.essay_id, [])
    return Response(
        student_id=student,
        essay_id=assignment.essay_id,
        assignment=assignment,
        attempt=1,
        body=body,
        status=status,
        word_count=count_words(body),
        version=rng.randint(1, 40),
        time_spent_seconds=rng.randint(600, 2700),
        submitted_at=submitted_at if handed_in else None,
        updated_at=min(submitted_at, now),
        returned_at=now if status == Response.Status.RETURNED else None,
        level=level if status == Response.Status.RETURNED else None,
        mark=(level - 1) * 5 + rng.randint(1, 5) if status == Response.Status.RETURNED else None,
        similarity=round(rng.random() * 0.3, 3),
        key_points_covered=[p.id for p in points if rng.random() < 0.6],
        key_points_total=len(points),
    )
