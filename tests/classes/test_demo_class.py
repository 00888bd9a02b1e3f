"""The demo class a new installation shows: a populated board at once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from essays.classes import Status, work_for_student
from essays.marking.anonymity import student_label
from essays.models import (
    Annotation,
    Assignment,
    CommentBankItem,
    Enrolment,
    Extension,
    Response,
    TargetReply,
    TeachingGroup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, default_scheme):
    settings.DEBUG = True
    call_command("loaddata", "fixtures/library.json", verbosity=0)
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    return out.getvalue()


def test_the_demo_class_has_its_teacher_students_and_three_pieces_of_work(demo):
    assert "Demo class 13H History (created)" in demo
    group = TeachingGroup.objects.get(name="13H History")
    assert list(group.teachers.values_list("username", flat=True)) == ["teacher"]
    assert Enrolment.objects.filter(group=group).count() == 9  # the demo student and eight
    assert Assignment.objects.filter(group=group).count() == 3
    names = set(
        get_user_model()
        .objects.filter(enrolments__group=group)
        .exclude(username="student")
        .values_list("first_name", flat=True)
    )
    assert len(names) == 8 and "" not in names


def test_the_demo_work_is_in_every_state_a_teacher_meets(demo):
    first = Assignment.objects.order_by("due_at").first()
    statuses = {}
    for enrolment in Enrolment.objects.filter(group=first.group).select_related("student"):
        for item in work_for_student(enrolment.student):
            if item.assignment == first:
                statuses[enrolment.student.username] = item.status
    assert statuses["mpatel"] == Status.RETURNED
    assert statuses["osmith"] == Status.SUBMITTED
    assert statuses["akhan"] == Status.LATE
    assert statuses["ibrown"] == Status.DRAFT
    assert statuses["ljones"] == Status.NOT_STARTED
    assert Extension.objects.filter(student__username="etaylor").exists()
    assert Response.objects.filter(status="submitted", assignment=first).exists()


def test_the_demo_student_has_work_overdue_and_work_due_soon(demo):
    student = get_user_model().objects.get(username="student")
    work = work_for_student(student)
    assert [item.status for item in work] == [Status.NOT_STARTED] * 3
    assert work[0].due_at < work[1].due_at < work[2].due_at
    assert work[0].due_at < timezone.now() < work[2].due_at


def demo_rows() -> tuple[int, ...]:
    models = (Response, Annotation, TargetReply, Assignment, Extension, Enrolment, get_user_model())
    return tuple(model.objects.count() for model in models)


def test_running_it_again_changes_nothing(demo, settings):
    before = demo_rows()
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert "Demo class 13H History (already there)" in out.getvalue()
    assert demo_rows() == before


def teacher():
    return get_user_model().objects.get(username="teacher")


def test_the_teacher_finds_a_pile_worth_marking(demo, client):
    assert "Waiting to be marked: 9 scripts, 1 of them a redraft" in demo
    pile = Response.objects.visible_to_staff(teacher()).awaiting_return()
    assert pile.count() == 9
    client.force_login(teacher())
    page = client.get(reverse("admin:essays_response_changelist"), {"marked": "no"})
    assert page.context["cl"].result_count == 9

    stalin = Assignment.objects.get(essay__slug__startswith="stalins-foreign-policy")
    waiting = pile.filter(assignment=stalin)
    assert sorted(waiting.values_list("student__username", flat=True)) == [
        "akhan",
        "nwilliams",
        "osmith",
        "zahmed",
    ]
    # Each in their own words, of differing length (and quality) to mark.
    bodies = list(waiting.values_list("body", flat=True))
    assert len(set(bodies)) == 4
    assert len({response.word_count for response in waiting}) == 4
    assert all(body.count("\n\n") >= 2 for body in bodies)


def test_a_redraft_waits_with_the_targets_it_answers(demo):
    redraft = Response.objects.get(redraft_of__isnull=False)
    first = redraft.redraft_of
    assert (redraft.student.username, redraft.attempt, redraft.status) == ("zahmed", 2, "submitted")
    assert redraft.assignment == first.assignment
    assert redraft.assignment.essay.slug == "the-treaty-of-versailles-a-harsh-peace"
    assert first.status == "returned" and first.mark is not None
    assert first.submitted_at < first.returned_at < redraft.submitted_at < timezone.now()
    assert timezone.now() < first.redraft_due_at < redraft.assignment.due_at
    assert len(first.targets()) == 2
    replies = list(redraft.target_replies.all())
    assert [reply.number for reply in replies] == [1, 2]
    assert [reply.target for reply in replies] == first.targets()
    assert all(reply.reply for reply in replies)
    assert redraft.body != first.body and "Brest-Litovsk" in redraft.body


def test_the_first_attempts_margin_comments_quote_its_text(demo):
    first = Response.objects.get(redraft__isnull=False)
    comments = list(first.annotations.all())
    assert len(comments) >= 2
    for comment in comments:
        assert first.body[comment.start : comment.end] == comment.quote
        assert comment.author == teacher()
    assert {comment.kind for comment in comments} == {"strength", "target"}


def test_one_piece_is_marked_anonymously(demo):
    blind = Assignment.objects.get(anonymous_marking=True)
    assert blind.marks_released_at is None
    scripts = list(Response.objects.visible_to_staff(teacher()).filter(assignment=blind))
    assert len(scripts) == 3
    assert all(script.status == "submitted" for script in scripts)
    labels = {student_label(script) for script in scripts}
    assert len(labels) == 3
    assert all(label.startswith("Candidate ") for label in labels)


def test_the_summary_points_to_the_comment_bank(settings, default_scheme):
    settings.DEBUG = True
    call_command("loaddata", "fixtures/library.json", "fixtures/comment_bank.json", verbosity=0)
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    shared = CommentBankItem.objects.filter(shared=True).count()
    assert shared >= 30
    assert f"Comment bank: {shared} shared comments" in out.getvalue()
