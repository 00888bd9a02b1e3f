"""The marking page: the mark panel beside the answer, moving through the pile, releasing for a
redraft, what it shows of the previous attempt, bank comments picked into the feedback, how it
names the student, and how many queries it takes."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from essays.models import CommentBankItem, Response, TargetReply
from tests.conftest import user_in_group
from tests.factories import (
    AnnotationFactory,
    AssignmentFactory,
    CommentBankItemFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:essays_response_changelist")
LONDON = ZoneInfo("Europe/London")


def change_url(student_response):
    return reverse("admin:essays_response_change", args=[student_response.pk])


@pytest.fixture
def group(teacher):
    return TeachingGroupFactory(teachers=[teacher])


@pytest.fixture
def pupil(group):
    def new_pupil(**fields):
        return EnrolmentFactory(group=group, student=UserFactory(**fields)).student

    return new_pupil


@pytest.fixture
def essay(default_scheme):
    return EssayFactory(headline="Stalin's foreign policy", status="published")


@pytest.fixture
def submitted(essay, pupil):
    return ResponseFactory(
        essay=essay,
        student=pupil(username="amira", first_name="Amira", last_name="Khan"),
        status="submitted",
        body="Stalin joined the League of Nations.\n\nHe wanted security.",
    )


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def test_the_panel_holds_the_mark_and_the_buttons_beside_the_answer(teacher_client, submitted):
    page = teacher_client.get(change_url(submitted)).content.decode()
    answer = page.index('id="answer-text"')
    panel = page.index('id="mark-panel"')
    assert answer < panel  # on a phone the panel follows the text
    for field in ('name="level"', 'name="mark"', 'name="went_well"', 'name="even_better_if"'):
        assert panel < page.index(field)
    assert 'value="Save and release to student"' in page and 'name="_return"' in page
    assert "Save and release for redraft" in page and 'name="redraft_due"' in page
    assert "Margin comments need JavaScript" in page  # the noscript note
    assert 'id="keys-help"' in page and "Keys for marking" in page
    assert 'href="/admin/essays/response/' in page and "Next script" in page
    assert 'src="/static/js/marking/main.js"' in page and 'type="module"' in page
    assert "View on site" not in page  # the student's own page is theirs alone


def test_the_marking_page_loads_none_of_the_admin_s_own_scripts(teacher_client, submitted):
    """Its modules (static/js/marking/) use none of them, and its form's widgets need none:
    the admin's jQuery, actions.js and the rest would only be parsed and run before the answer
    shows. (The admin's theme and sidebar scripts, on every admin page, stay.)"""
    page = teacher_client.get(change_url(submitted)).content.decode()
    for script in ("jquery", "core.js", "actions.js", "urlify.js", "prepopulate", "xregexp"):
        assert script not in page.lower()
    assert "jsi18n" not in page
    assert 'src="/static/js/marking/main.js"' in page


def test_a_released_response_offers_no_second_release(teacher_client, submitted):
    Response.objects.filter(pk=submitted.pk).update(
        status="returned", level=3, mark=12, returned_at=timezone.now()
    )
    page = teacher_client.get(change_url(submitted)).content.decode()
    assert 'name="_return"' not in page and 'name="_redraft"' not in page
    assert "Released " in page
    response = teacher_client.post(
        change_url(submitted), {"level": 3, "mark": 13, "feedback": "", "_return": "1"}
    )
    assert "already been released" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.mark == 12


def test_release_says_released_and_moves_on(teacher_client, submitted, essay, pupil):
    following = ResponseFactory(
        essay=essay,
        student=pupil(),
        status="submitted",
        submitted_at=timezone.now() - timedelta(hours=1),
    )
    response = teacher_client.post(
        change_url(submitted), {"level": 4, "mark": 17, "feedback": "", "_return": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == change_url(following)
    assert "Released attempt 1 to Amira Khan (amira)." in response.content.decode()


# Next and previous -------------------------------------------------------------------------


@pytest.fixture
def pile(essay, pupil):
    """Three scripts of one essay, newest first, and a newer one of another essay."""
    now = timezone.now()
    scripts = [
        ResponseFactory(
            essay=essay, student=pupil(), status="submitted", submitted_at=now - timedelta(hours=h)
        )
        for h in (1, 2, 3)
    ]
    other = EssayFactory(headline="Causes of the First World War", status="published")
    ResponseFactory(essay=other, student=pupil(), status="submitted", submitted_at=now)
    return scripts


def test_next_and_previous_stay_inside_the_filtered_pile(teacher_client, pile, essay):
    came_from = f"essay__id__exact={essay.pk}"
    filters = "?" + urlencode({"_changelist_filters": came_from})
    first, second, third = pile

    def step(script, direction):
        url = reverse(f"admin:essays_response_{direction}", args=[script.pk])
        return teacher_client.get(url + filters)

    assert step(first, "next").url == change_url(second) + filters
    assert step(second, "next").url == change_url(third) + filters
    assert step(third, "previous").url == change_url(second) + filters
    at_end = step(third, "next")
    assert at_end.url == f"{CHANGELIST}?{came_from}"
    assert (
        "That was the last script in this list." in teacher_client.get(at_end.url).content.decode()
    )
    at_start = step(first, "previous")
    assert at_start.url == f"{CHANGELIST}?{came_from}"
    # The page's own links carry the list along.
    page = teacher_client.get(change_url(second) + filters).content.decode()
    next_link = reverse("admin:essays_response_next", args=[second.pk])
    assert f'href="{next_link}?_changelist_filters=essay__id__exact%3D{essay.pk}"' in page


def test_a_script_that_left_the_pile_goes_on_to_the_pile_s_first(teacher_client, pile, essay):
    first, second, _ = pile
    Response.objects.filter(pk=second.pk).update(level=3, mark=12)  # no longer unmarked
    filters = "?" + urlencode({"_changelist_filters": f"essay__id__exact={essay.pk}&marked=no"})
    url = reverse("admin:essays_response_next", args=[second.pk]) + filters
    assert teacher_client.get(url).url == change_url(first) + filters


def test_release_moves_on_inside_the_set_work_and_class_the_teacher_came_from(
    teacher_client, group, essay, pupil
):
    """From the board's "Mark them" (the pile of one piece of set work), and from the pile of
    one class: the next unmarked script is the newest left of that work, never another's."""
    now = timezone.now()
    work, other_work = AssignmentFactory(group=group, essay=essay), AssignmentFactory(group=group)
    first, second = (
        ResponseFactory(
            essay=essay,
            assignment=work,
            student=pupil(),
            status="submitted",
            submitted_at=now - timedelta(hours=hours),
        )
        for hours in (2, 3)
    )
    ResponseFactory(  # newer, and unmarked, but other work
        essay=other_work.essay, assignment=other_work, student=pupil(), status="submitted"
    )
    for came_from in (
        f"assignment__id__exact={work.pk}",
        f"assignment__group__id__exact={group.pk}&essay__id__exact={essay.pk}",
    ):
        Response.objects.filter(pk__in=[first.pk, second.pk]).update(level=None, mark=None)
        filters = "?" + urlencode({"_changelist_filters": came_from})
        response = teacher_client.post(
            change_url(first) + filters, {"level": 3, "mark": 12, "_next_unmarked": "1"}
        )
        assert response.url == change_url(second) + filters
        response = teacher_client.post(
            change_url(second) + filters, {"level": 3, "mark": 12, "_next_unmarked": "1"}
        )
        assert response.url == f"{CHANGELIST}?{came_from}"


def test_next_is_refused_for_work_that_is_not_yours(client, pile):
    client.force_login(user_in_group("Teachers", "other-teacher"))
    assert client.get(reverse("admin:essays_response_next", args=[pile[0].pk])).status_code == 404


# Release for redraft ------------------------------------------------------------------------


def redraft(client, student_response, day):
    data = {"level": 3, "mark": 12, "feedback": "", "even_better_if": "Date it.", "_redraft": "1"}
    if day is not None:
        data["redraft_due"] = day.isoformat()
    return client.post(change_url(student_response), data)


@pytest.mark.parametrize(
    ("days", "says"),
    [(-1, "A redraft must be due in the future"), (None, "Choose the day the redraft is due.")],
)
def test_a_redraft_due_in_the_past_is_refused_in_the_panel(teacher_client, submitted, days, says):
    day = None if days is None else timezone.localdate() + timedelta(days=days)
    response = redraft(teacher_client, submitted, day)
    assert response.status_code == 200
    page = response.content.decode()
    summary = page.index('id="marking-errors"')
    assert says in page[summary:]
    assert 'href="#id_redraft_due"' in page
    assert '<details class="redraft" open>' in page
    submitted.refresh_from_db()
    assert (submitted.status, submitted.mark, submitted.redraft_due_at) == ("submitted", None, None)
    assert not mail.outbox


def test_release_for_redraft_asks_for_it_by_the_end_of_that_day(
    teacher_client, teacher, submitted, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = redraft(teacher_client, submitted, day)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.RETURNED
    assert submitted.marked_by == teacher
    assert submitted.redraft_due_at == datetime.combine(day, time.max, tzinfo=LONDON)
    assert len(mail.outbox) == 1
    message = teacher_client.get(response.url).content.decode()
    assert f"for a redraft by {day:%-d %B}" in message


# The previous attempt -----------------------------------------------------------------------


@pytest.fixture
def redrafted(essay, submitted, teacher):
    """Attempt 1 returned for redraft with two targets and a margin comment; attempt 2 submitted
    with a reply to the first target."""
    Response.objects.filter(pk=submitted.pk).update(
        status="returned",
        level=3,
        mark=12,
        returned_at=timezone.now(),
        even_better_if="Date the Pact.\nQuote a historian.",
        redraft_due_at=timezone.now() + timedelta(days=3),
    )
    AnnotationFactory(response=submitted, length=6, comment="Which Stalin <policy>?")
    second = ResponseFactory(
        student=submitted.student,
        essay=essay,
        attempt=2,
        status="submitted",
        redraft_of=submitted,
        body="Stalin joined the League of Nations in 1934.\n\nHe wanted security.",
    )
    TargetReply.objects.create(
        response=second, number=1, target="Date the Pact.", reply="Added 1934."
    )
    return second


def test_attempt_two_shows_attempt_one_mark_targets_replies_comments_and_changes(
    teacher_client, redrafted
):
    page = teacher_client.get(change_url(redrafted)).content.decode()
    section = page[page.index('<details class="previous-attempt"') :]
    section = section[: section.index("</details>")]
    assert page.index('class="previous-attempt"') < page.index('id="answer-text"')
    assert "Attempt 1:" in section and "Level 3, 12 / 25" in section
    assert "Level 3 (11–15): Reasonable" in section  # the descriptor
    assert "2 targets, 1 replied to" in section
    assert '<p class="target">Date the Pact.</p>' in section
    assert "Added 1934." in section
    assert '<p class="target">Quote a historian.</p>' in section and "No reply." in section
    assert "Which Stalin &lt;policy&gt;?" in section
    changed = (
        '<del class="diff-removed">Nations.</del><ins class="diff-added">Nations in 1934.</ins>'
    )
    assert changed in section


def test_attempt_two_without_redraft_of_still_shows_the_attempt_before(
    teacher_client, essay, submitted
):
    Response.objects.filter(pk=submitted.pk).update(
        status="returned", level=2, mark=8, returned_at=timezone.now()
    )
    later = ResponseFactory(
        student=submitted.student, essay=essay, attempt=2, status="submitted", body="New text"
    )
    page = teacher_client.get(change_url(later)).content.decode()
    assert "Attempt 1:" in page and "Level 2, 8 / 25" in page
    assert (
        'class="previous-attempt"' not in teacher_client.get(change_url(submitted)).content.decode()
    )


def test_only_staff_who_may_see_both_attempts_see_the_earlier_one(client, essay, default_scheme):
    """Attempt 1 was set work of Ms Adams's class; attempt 2 is free practice, which Mr Brown
    (who also teaches the student) may see: he does not see attempt 1 through it."""
    adams = user_in_group("Teachers", "ms-adams")
    brown = user_in_group("Teachers", "mr-brown")
    student = UserFactory(username="sam")
    class_a = TeachingGroupFactory(teachers=[adams])
    EnrolmentFactory(group=class_a, student=student)
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[brown]), student=student)
    ResponseFactory(
        student=student,
        essay=essay,
        attempt=1,
        assignment=AssignmentFactory(group=class_a, essay=essay),
        returned=True,
        even_better_if="A secret target",
    )
    later = ResponseFactory(student=student, essay=essay, attempt=2, status="submitted")
    client.force_login(brown)
    page = client.get(change_url(later)).content.decode()
    assert 'class="previous-attempt"' not in page and "A secret target" not in page
    client.force_login(adams)
    page = client.get(change_url(later)).content.decode()
    assert 'class="previous-attempt"' in page and "A secret target" in page


# Bank comments picked into What went well and Even better if ---------------------------------


def test_bank_comments_picked_into_the_feedback_count_their_uses(
    teacher_client, teacher, submitted, essay
):
    strength = CommentBankItemFactory(owner=teacher, subject=essay.subject, kind="strength")
    target = CommentBankItemFactory(owner=None, subject=essay.subject, shared=True)
    response = teacher_client.post(
        change_url(submitted),
        {
            "level": 4,
            "mark": 17,
            "went_well": strength.text,
            "even_better_if": target.text,
            "feedback": "",
            "bank_uses": f"{strength.pk},{target.pk}",
            "_continue": "1",
        },
    )
    assert response.status_code == 302
    assert dict(CommentBankItem.objects.values_list("pk", "times_used")) == {
        strength.pk: 1,
        target.pk: 1,
    }


@pytest.mark.parametrize("uses", ["theirs", "12x"])
def test_a_bank_comment_not_yours_to_use_is_refused_and_nothing_saved(
    teacher_client, submitted, essay, uses
):
    theirs = CommentBankItemFactory(owner=UserFactory(), subject=essay.subject)
    response = teacher_client.post(
        change_url(submitted),
        {
            "level": 4,
            "mark": 17,
            "went_well": theirs.text,
            "feedback": "",
            "bank_uses": str(theirs.pk) if uses == "theirs" else uses,
            "_continue": "1",
        },
    )
    assert response.status_code == 200
    assert 'id="marking-errors"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.mark is None
    theirs.refresh_from_db()
    assert theirs.times_used == 0


# Names -----------------------------------------------------------------------------------------


def test_work_marked_anonymously_is_named_by_candidate_number_until_revealed(
    teacher_client, essay, group, pupil
):
    student = pupil(username="zara", first_name="Zara", last_name="Hussain")
    work = AssignmentFactory(group=group, essay=essay, anonymous_marking=True)
    script = ResponseFactory(student=student, essay=essay, assignment=work, status="submitted")
    page = teacher_client.get(change_url(script)).content.decode()
    assert "zara" not in page.lower() and "Hussain" not in page
    number = script.student.candidacies.get().number
    title = page[page.index("<title>") : page.index("</title>")]
    assert f"Candidate {number}" in title
    breadcrumbs = page[page.index('<ol class="breadcrumbs">') :]
    assert f"Candidate {number}" in breadcrumbs[: breadcrumbs.index("</ol>")]
    assert f"Attempt 1 by Candidate {number}" in page

    reveal = reverse("admin:essays_assignment_reveal", args=[work.pk, script.pk])
    assert f'<form method="post" action="{reveal}" class="reveal-form">' in page
    assert "Show the student's name" in page
    teacher_client.post(reveal)
    page = teacher_client.get(change_url(script)).content.decode()
    assert "Show the student's name" not in page
    assert "Attempt 1 by Zara Hussain (zara)" in page


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("pile_size", [1, 12])
def test_the_marking_page_takes_the_same_queries_however_big_the_pile(
    teacher_client, essay, pupil, pile_size, django_assert_num_queries
):
    scripts = [
        ResponseFactory(essay=essay, student=pupil(), status="submitted") for _ in range(pile_size)
    ]
    AnnotationFactory(response=scripts[0])
    filters = "?" + urlencode({"_changelist_filters": f"essay__id__exact={essay.pk}"})
    teacher_client.get(change_url(scripts[0]) + filters)  # once, for the content types' cache
    # Session, user, permissions (2), classes, the response with its student, essay, subject
    # and set work, the scheme and its levels, comments, key points.
    with django_assert_num_queries(10):
        response = teacher_client.get(change_url(scripts[0]) + filters)
    assert response.status_code == 200


@pytest.mark.parametrize("pile_size", [3, 40])
def test_release_and_next_take_the_same_queries_however_big_the_pile(
    teacher_client, essay, pupil, pile_size, django_assert_num_queries
):
    now = timezone.now()
    scripts = [
        ResponseFactory(
            essay=essay, student=pupil(), status="submitted", submitted_at=now - timedelta(hours=h)
        )
        for h in range(pile_size)
    ]
    filters = "?" + urlencode({"_changelist_filters": "marked=no"})
    data = {"level": 4, "mark": 17, "feedback": "", "_return": "1"}
    teacher_client.post(change_url(scripts[-1]) + filters, data)  # the content types' cache
    # Session, user, permissions (2); classes, the response with all it is read with; the
    # scheme and its levels (3 times: the form, the mark's check, releasing); saving the mark,
    # releasing it (and, as tests send it at once, the email: 3), the history; then classes
    # again and the next unmarked script's id; and the transaction's 3 savepoints.
    with django_assert_num_queries(24):
        response = teacher_client.post(change_url(scripts[0]) + filters, data)
    assert response.url == change_url(scripts[1]) + filters
