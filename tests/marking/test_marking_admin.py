"""Marking in the admin site: the pile, the marking page, returning work, export, reports.

The teacher marks the work of students in their class (`pupil`); who sees whose work is
tests/marking/test_scoping.py."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from essays.admin.pile_rows import rows as pile_rows
from essays.models import Note, Response
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    NoteFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:essays_response_changelist")


def change_url(response):
    return reverse("admin:essays_response_change", args=[response.pk])


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def pupil(teacher):
    """Makes a student in the teacher's class: work the teacher may see and mark."""
    group = TeachingGroupFactory(teachers=[teacher])

    def new_pupil(**fields):
        return EnrolmentFactory(group=group, student=UserFactory(**fields)).student

    return new_pupil


@pytest.fixture
def essay(default_scheme):
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    NoteFactory(
        essay=essay, kind=Note.Kind.KEY_POINT, text="Joined the League", phrases="League of Nations"
    )
    NoteFactory(essay=essay, kind=Note.Kind.KEY_POINT, text="Xinjiang", phrases="Xinjiang")
    return essay


@pytest.fixture
def submitted(essay, pupil):
    return ResponseFactory(
        essay=essay,
        student=pupil(username="amira", first_name="Amira", last_name="Khan"),
        status="submitted",
        body="Stalin joined the League of Nations.\n\nHe wanted security.",
        key_points_covered=[essay.key_points()[0].pk],
        key_points_total=2,
        similarity=0.12,
    )


def test_the_pile_lists_submitted_work_newest_unmarked_first_and_never_drafts(
    teacher_client, essay, freezer, pupil
):
    older = ResponseFactory(essay=essay, student=pupil(), status="submitted")
    freezer.tick(60)
    marked = ResponseFactory(essay=essay, student=pupil(), status="submitted", level=4, mark=17)
    freezer.tick(60)
    newest = ResponseFactory(essay=essay, student=pupil(), status="submitted")
    draft = ResponseFactory(essay=essay, student=pupil(), body="A private draft")

    response = teacher_client.get(CHANGELIST)
    assert list(response.context["cl"].result_list) == [newest, older, marked]
    page = response.content.decode()
    assert "A private draft" not in page
    assert "3 responses" in page
    assert teacher_client.get(change_url(draft)).status_code == 404


def test_the_pile_shows_similarity_and_key_points(teacher_client, submitted):
    page = teacher_client.get(CHANGELIST).content.decode()
    assert "12%" in page
    assert "1/2" in page
    assert "Amira Khan" in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"q": "amira"}, True),
        ({"q": "Khan"}, True),
        ({"q": "amira@example.com"}, True),
        ({"q": "Stalin"}, True),
        ({"q": "nobody"}, False),
        ({"marked": "no"}, True),
        ({"marked": "yes"}, False),
        ({"status": "submitted"}, True),
        ({"status": "returned"}, False),
        ({"status": "draft"}, True),  # unknown values are ignored; drafts still never listed
    ],
)
def test_search_and_filters(teacher_client, submitted, query, found):
    response = teacher_client.get(CHANGELIST, query)
    assert response.status_code == 200
    assert (submitted in response.context["cl"].result_list) is found


def test_the_pile_takes_the_same_queries_for_more_rows(
    teacher_client, essay, django_assert_max_num_queries, pupil
):
    ResponseFactory(essay=essay, student=pupil(), status="submitted")
    with django_assert_max_num_queries(30) as few:
        teacher_client.get(CHANGELIST)
    for _ in range(15):
        ResponseFactory(essay=essay, student=pupil(), status="submitted")
    with django_assert_max_num_queries(len(few.captured_queries)):
        teacher_client.get(CHANGELIST)


def hand_in(essay, pupil, count, **fields):
    return [
        ResponseFactory(essay=essay, student=pupil(), status="submitted", **fields)
        for _ in range(count)
    ]


@pytest.mark.parametrize("pile_size", [60, 130])
def test_a_pile_of_several_pages_takes_the_same_queries_however_big(
    teacher_client, essay, pupil, pile_size, django_assert_num_queries
):
    hand_in(essay, pupil, pile_size - 1)
    hand_in(essay, pupil, 1, mark=12, level=3)
    teacher_client.get(CHANGELIST)  # once, for the essays-awaiting-marking report's cache
    # Session, user, permissions (2), classes, the filters' classes and set work, subjects;
    # the count, the page's ids in the pile's order, then those fifty scripts.
    with django_assert_num_queries(11):
        response = teacher_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 50
    assert f"{pile_size} responses" in response.content.decode()


def test_every_page_of_the_pile_lists_its_own_scripts_in_the_pile_s_order(
    teacher_client, essay, freezer, pupil
):
    scripts = []
    for _ in range(120):
        freezer.tick(60)
        scripts += hand_in(essay, pupil, 1)
    marked = hand_in(essay, pupil, 1, mark=12, level=3)
    expected = [*reversed(scripts), *marked]  # unmarked newest first, then the marked
    shown = []
    for page in (1, 2, 3):
        shown += teacher_client.get(CHANGELIST, {"p": page}).context["cl"].result_list
    assert shown == expected
    oldest_first = teacher_client.get(CHANGELIST, {"o": "6", "marked": "no"})  # submitted_at
    assert list(oldest_first.context["cl"].result_list) == scripts[:50]


def test_the_pile_s_rows_are_what_django_s_own_list_would_write(
    teacher_client, teacher, essay, pupil
):
    """The pile writes its rows itself (essays/admin/pile_rows.py), for speed: cell for cell,
    they are Django's, whatever the script and however the list is filtered and ordered."""
    hand_in(essay, pupil, 55, similarity=0.4)
    hand_in(essay, pupil, 1, mark=12, level=3, word_count=0)
    returned = ResponseFactory(
        essay=essay, student=pupil(first_name="Zoë", last_name="O'Neil <b>"), status="submitted"
    )
    Response.objects.filter(pk=returned.pk).update(
        status="returned", level=2, mark=7, returned_at=timezone.now()
    )
    anonymous_work = AssignmentFactory(essay=essay, anonymous_marking=True)
    anonymous_work.group.teachers.add(teacher)
    script = ResponseFactory(
        essay=essay,
        assignment=anonymous_work,
        student=EnrolmentFactory(group=anonymous_work.group).student,
        status="submitted",
    )
    written = []
    for query in ({}, {"p": 2}, {"essay__id__exact": essay.pk, "q": "Stalin", "o": "-7.2"}):
        cl = teacher_client.get(CHANGELIST, query).context["cl"]
        page = [row[0] for row in pile_rows(cl)]
        assert page == ["".join(items_for_result(cl, result, None)) for result in cl.result_list]
        written += page
    assert f"/change/?_changelist_filters=essay__id__exact%3D{essay.pk}" in written[-1]
    assert any("Candidate " in row for row in written)
    assert not any(script.student.username in row for row in written)
    assert any("Zoë O&#x27;Neil &lt;b&gt;" in row for row in written)


def test_a_pile_past_the_count_s_limit_says_more_than(teacher_client, essay, pupil, monkeypatch):
    monkeypatch.setattr("essays.admin.marking.COUNT_LIMIT", 60)
    hand_in(essay, pupil, 61)
    page = teacher_client.get(CHANGELIST).content.decode()
    assert "More than 60 responses" in page
    assert "61 responses" not in page and "Select all 61" not in page
    assert "Select all responses in this list (more than 60)" in page
    searched = teacher_client.get(CHANGELIST, {"q": "Stalin"}).content.decode()
    assert "More than 60 results" in searched
    monkeypatch.setattr("essays.admin.marking.COUNT_LIMIT", 61)
    assert "61 responses" in teacher_client.get(CHANGELIST).content.decode()


def test_the_marking_page_shows_the_answer_scheme_and_key_points(teacher_client, submitted):
    page = teacher_client.get(change_url(submitted)).content.decode()
    # The answer as written, a line a span with its offset in the text.
    assert '<span class="line" data-start="0">Stalin joined the League of Nations.</span>' in page
    assert '<span class="line" data-start="38">He wanted security.</span>' in page
    assert submitted.essay.prompt in page
    assert "A Level essay (25 marks)" in page
    assert "Level 4 (16–20): Good" in page and "Very good: a sustained" in page
    assert "Key points: 1 of 2 made" in page
    assert "✗ Xinjiang" in page
    assert 'name="body"' not in page  # the student's text is not editable


def test_a_mark_outside_the_levels_band_is_refused(teacher_client, submitted):
    response = teacher_client.post(
        change_url(submitted), {"level": 4, "mark": 14, "feedback": "Good", "_continue": "1"}
    )
    assert response.status_code == 200
    assert "Level 4 is 16–20 marks; 14 is outside it." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.mark is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": 4, "mark": 26}, "This essay is out of 25; 26 is too many."),
        ({"mark": 18}, "Choose the level that best fits the response."),
        ({"level": 9, "mark": 18}, "Select a valid choice."),
        ({"level": 4, "mark": -1}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_other_bad_marks_are_refused(teacher_client, submitted, data, message):
    response = teacher_client.post(
        change_url(submitted), {**data, "feedback": "", "_continue": "1"}
    )
    assert message in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.mark is None


def test_save_and_return_stamps_the_teacher_and_emails_the_student(
    teacher_client, teacher, submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(
            change_url(submitted),
            {"level": 4, "mark": 18, "feedback": "Sharper judgement needed.", "_return": "1"},
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.RETURNED
    assert (submitted.level, submitted.mark, submitted.marked_by) == (4, 18, teacher)
    assert submitted.returned_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amira@example.com"]
    assert f"/responses/{submitted.pk}/" in mail.outbox[0].body
    assert mail.outbox[0].body.startswith("Hello Amira,")


def test_returning_without_a_mark_is_refused(teacher_client, submitted):
    response = teacher_client.post(change_url(submitted), {"feedback": "Nice", "_return": "1"})
    assert response.status_code == 200
    assert "Give a mark before returning the response." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.SUBMITTED


def test_save_and_next_unmarked_moves_through_the_pile(teacher_client, essay, submitted, pupil):
    following = ResponseFactory(essay=essay, student=pupil(), status="submitted")
    response = teacher_client.post(
        change_url(submitted), {"level": 3, "mark": 12, "feedback": "", "_next_unmarked": "1"}
    )
    assert response.url == change_url(following)
    response = teacher_client.post(
        change_url(following), {"level": 2, "mark": 8, "feedback": "", "_next_unmarked": "1"}
    )
    assert response.url == CHANGELIST


def test_return_selected_returns_only_marked_responses(teacher_client, essay, submitted, pupil):
    marked = ResponseFactory(essay=essay, student=pupil(), status="submitted", level=5, mark=22)
    response = teacher_client.post(
        CHANGELIST,
        {"action": "return_selected", "_selected_action": [marked.pk, submitted.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Released 1 response." in page
    assert "1 response was not released" in page
    marked.refresh_from_db()
    submitted.refresh_from_db()
    assert marked.status == "returned" and submitted.status == "submitted"


def test_export_is_safe_to_open_in_a_spreadsheet(teacher_client, essay, submitted):
    Response.objects.filter(pk=submitted.pk).update(
        level=4, mark=18, feedback='=HYPERLINK("http://evil")'
    )
    UserFactory._meta.model.objects.filter(pk=submitted.student.pk).update(first_name="+Amira")
    for response in (
        teacher_client.post(
            CHANGELIST, {"action": "export_selected", "_selected_action": [submitted.pk]}
        ),
        teacher_client.get(reverse("admin:essays_response_export", args=[essay.pk])),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:4] == ["Student", "Username", "Essay", "Attempt"]
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["Student"] == "'+Amira Khan"
        assert row["Feedback"] == '\'=HYPERLINK("http://evil")'
        assert (row["Level"], row["Mark"], row["Key points covered"]) == ("4", "18", "1/2")
        assert row["Similarity to model (%)"] == "12"


def test_the_admin_index_counts_work_awaiting_marking(teacher_client, essay, submitted, pupil):
    ResponseFactory(essay=essay, student=pupil(), status="submitted")
    ResponseFactory(essay=essay, student=pupil())  # a draft: not counted
    page = teacher_client.get(reverse("admin:index")).content.decode()
    assert "Awaiting marking" in page
    assert "2 to mark" in page


def test_the_essay_report_draws_marks_levels_and_missed_points(
    teacher_client, essay, submitted, pupil
):
    ResponseFactory(essay=essay, student=pupil(), status="submitted", level=4, mark=18)
    page = teacher_client.get(
        reverse("admin:essays_response_report", args=[essay.pk])
    ).content.decode()
    assert "2 submitted responses, 1 marked, average mark 18.0 / 25" in page
    assert page.count('class="bar-chart"') == 2
    assert "<title>Level 4: 1</title>" in page
    assert "Key points most often missed" in page
    assert "<td>Xinjiang</td><td>2 of 2</td>" in page


def test_a_returned_response_keeps_a_mark(teacher_client, submitted):
    Response.objects.filter(pk=submitted.pk).update(
        status="returned", level=4, mark=18, returned_at=timezone.now()
    )
    response = teacher_client.post(change_url(submitted), {"feedback": "", "_continue": "1"})
    assert "A returned response keeps its mark" in response.content.decode()
    response = teacher_client.post(
        change_url(submitted), {"level": 5, "mark": 21, "feedback": "Revised", "_continue": "1"}
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.mark) == ("returned", 21)


def test_the_export_says_whether_each_mark_has_been_returned(
    teacher_client, essay, submitted, pupil
):
    Response.objects.filter(pk=submitted.pk).update(level=4, mark=18)
    returned = ResponseFactory(
        essay=essay, student=pupil(username="zed"), returned=True, level=4, mark=17
    )
    response = teacher_client.get(reverse("admin:essays_response_export", args=[essay.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_student = {row["Username"]: row for row in rows}
    assert by_student["amira"]["Returned to student"] == "no"
    assert by_student["amira"]["Returned"] == ""
    assert by_student["zed"]["Returned to student"] == "yes"
    returned_at = timezone.localtime(returned.returned_at).strftime("%Y-%m-%d %H:%M")
    assert by_student["zed"]["Returned"] == returned_at


def test_next_unmarked_stays_inside_the_list_the_teacher_came_from(
    teacher_client, essay, submitted, pupil
):
    other_essay = EssayFactory(headline="Causes of the First World War", status="published")
    # Newer, so first in the whole pile: "next" must not jump to it from essay's list.
    ResponseFactory(
        essay=other_essay, student=pupil(), status="submitted", submitted_at=timezone.now()
    )
    following = ResponseFactory(
        essay=essay,
        student=pupil(),
        status="submitted",
        submitted_at=timezone.now() - timezone.timedelta(hours=1),
    )
    filters = urlencode({"_changelist_filters": f"essay__id__exact={essay.pk}&status=submitted"})
    response = teacher_client.post(
        f"{change_url(submitted)}?{filters}",
        {"level": 3, "mark": 12, "feedback": "", "_return": "1"},
    )
    assert response.status_code == 302
    assert response.url == f"{change_url(following)}?{filters}"
    response = teacher_client.post(
        f"{change_url(following)}?{filters}",
        {"level": 2, "mark": 8, "feedback": "", "_next_unmarked": "1"},
    )
    # Nothing unmarked is left in that list: back to it, filters kept.
    assert response.url == f"{CHANGELIST}?essay__id__exact={essay.pk}&status=submitted"


def test_a_refused_mark_is_announced_in_the_mark_panel_and_takes_focus(teacher_client, submitted):
    response = teacher_client.post(
        change_url(submitted), {"level": 4, "mark": 3, "feedback": "", "_continue": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    summary = page.index('id="marking-errors"')
    # At the top of the panel, before the fields it names.
    assert page.index('id="mark-panel"') < summary < page.index('name="mark"')
    tag = page[page.rindex("<", 0, summary) : page.index(">", summary)]
    assert "autofocus" in tag and 'tabindex="-1"' in tag
    assert "Level 4 is 16–20 marks; 3 is outside it." in page[summary:]
    assert 'href="#id_mark"' in page[summary:]


def test_what_went_well_and_even_better_if_reach_the_student_once_returned(
    teacher_client, submitted
):
    response = teacher_client.post(
        change_url(submitted),
        {
            "level": 4,
            "mark": 17,
            "went_well": "A clear line of argument from the first paragraph.",
            "even_better_if": "Weigh Munich against the Pact.\n\n  Quote a historian by name.  ",
            "feedback": "See me about the plan.",
            "_continue": "1",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.targets() == ["Weigh Munich against the Pact.", "Quote a historian by name."]
    student_client = Client()
    student_client.force_login(submitted.student)
    page = student_client.get(submitted.get_absolute_url()).content.decode()
    assert "What went well" not in page  # not until it is returned
    teacher_client.post(
        change_url(submitted),
        {
            "level": 4,
            "mark": 17,
            "went_well": submitted.went_well,
            "even_better_if": submitted.even_better_if,
            "feedback": submitted.feedback,
            "_return": "1",
        },
    )
    page = student_client.get(submitted.get_absolute_url()).content.decode()
    assert '<h3 class="h6 mt-3">What went well</h3>' in page
    assert "A clear line of argument from the first paragraph." in page
    assert (
        "<ol><li>Weigh Munich against the Pact.</li><li>Quote a historian by name.</li></ol>"
        in page
    )
    assert "See me about the plan." in page


def test_the_export_has_what_went_well_and_the_targets(teacher_client, essay, submitted):
    Response.objects.filter(pk=submitted.pk).update(
        level=4, mark=18, went_well="=cmd|' /C calc'!A0", even_better_if="One\nTwo"
    )
    response = teacher_client.get(reverse("admin:essays_response_export", args=[essay.pk]))
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert row["What went well"] == "'=cmd|' /C calc'!A0"
    assert row["Even better if"] == "One; Two"


def test_save_and_next_unmarked_says_on_the_next_script_that_the_mark_was_kept(
    teacher_client, essay, submitted, pupil
):
    following = ResponseFactory(essay=essay, student=pupil(), status="submitted")
    response = teacher_client.post(
        change_url(submitted),
        {"level": 3, "mark": 12, "feedback": "", "_next_unmarked": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(change_url(following), 302)]
    assert "Saved the mark for Amira Khan (amira) (not released)." in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.mark, submitted.status) == (12, Response.Status.SUBMITTED)


def test_changing_a_released_mark_warns_that_the_student_had_seen_it(teacher_client, submitted):
    Response.objects.filter(pk=submitted.pk).update(
        status=Response.Status.RETURNED, level=3, mark=12, returned_at=timezone.now()
    )
    response = teacher_client.post(
        change_url(submitted),
        {"level": 3, "mark": 14, "feedback": "", "_continue": "1"},
        follow=True,
    )
    assert "Amira Khan (amira) had already seen 12; their work now shows 14." in (
        response.content.decode()
    )
    submitted.refresh_from_db()
    assert submitted.mark == 14
