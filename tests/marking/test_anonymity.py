"""Anonymous marking: until a piece of set work's marks are released, no page, export or email
ties a student's name to their script; the pile, the board and exports name it by a candidate
number, the same for every attempt and on every page; a teacher may open one name on purpose,
which the response's history records, and only they then see it.

Releasing the marks (when names come back) is tests/marking/test_release.py."""

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from essays.marking import anonymity
from essays.models import Candidate, Response
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    CandidateFactory,
    EnrolmentFactory,
    EssayFactory,
    ExtensionFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PILE = reverse("admin:essays_response_changelist")
# The students who handed the work in: none of these may show beside their scripts.
NAMES = ["Zainab", "Oyelaran", "zoyelaran", "Quentin", "Vasquez", "qvasquez"]


def assert_names_no_one(text: str) -> None:
    shown = [name for name in NAMES if name in text]
    assert not shown, f"names shown before release: {shown}"


def marking_url(student_response) -> str:
    return reverse("admin:essays_response_change", args=[student_response.pk])


def reveal_url(student_response, work=None) -> str:
    work_pk = work.pk if work is not None else student_response.assignment_id
    return reverse("admin:essays_assignment_reveal", args=[work_pk, student_response.pk])


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def group(teacher):
    return TeachingGroupFactory(name="13H History", teachers=[teacher])


@pytest.fixture
def work(group, default_scheme):
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    return AssignmentFactory(group=group, essay=essay, anonymous_marking=True, max_attempts=2)


@pytest.fixture
def scripts(group, work):
    """Zainab handed in twice (neither marked), Quentin once (marked, not released); Ruth
    handed nothing in."""
    people = {}
    for username, first, last in [
        ("zoyelaran", "Zainab", "Oyelaran"),
        ("qvasquez", "Quentin", "Vasquez"),
        ("rpemberton", "Ruth", "Pemberton"),
    ]:
        people[username] = UserFactory(username=username, first_name=first, last_name=last)
        EnrolmentFactory(group=group, student=people[username])

    def hand_in(username, attempt, **fields):
        return ResponseFactory(
            student=people[username],
            essay=work.essay,
            assignment=work,
            attempt=attempt,
            status="submitted",
            **fields,
        )

    return {
        "first": hand_in("zoyelaran", 1),
        "second": hand_in("zoyelaran", 2),
        "quentin": hand_in("qvasquez", 1, level=3, mark=14),
    }


def numbers(work) -> dict[str, int]:
    return {
        candidate.student.username: candidate.number
        for candidate in Candidate.objects.filter(assignment=work).select_related("student")
    }


# Candidate numbers ----------------------------------------------------------------------------


def test_numbers_are_random_four_digit_one_per_student_and_kept(work, scripts):
    first = anonymity.number_candidates(work)
    assert set(first) == {scripts["first"].student_id, scripts["quentin"].student_id}
    assert all(1000 <= number <= 9999 for number in first.values())
    assert len(set(first.values())) == 2
    assert anonymity.number_candidates(work) == first
    assert (
        anonymity.candidate_number(work, scripts["second"].student_id)
        == first[scripts["first"].student_id]
    )


def test_a_number_already_taken_is_never_given_twice(work, scripts):
    zainab = scripts["first"].student_id
    quentin = scripts["quentin"].student_id
    CandidateFactory(assignment=work, student_id=zainab, number=4821)
    given = anonymity.number_students(work, [zainab, quentin])
    assert given[zainab] == 4821
    assert given[quentin] != 4821


def test_the_label_is_the_candidate_number_until_the_response_is_returned(work, scripts):
    CandidateFactory(assignment=work, student=scripts["quentin"].student, number=4821)
    quentin = scripts["quentin"]
    assert anonymity.student_label(quentin) == "Candidate 4821"
    assert (
        anonymity.response_label(quentin) == "Candidate 4821 — Stalin's foreign policy (attempt 1)"
    )
    Response.objects.filter(pk=quentin.pk).update(status="returned", returned_at=timezone.now())
    quentin.refresh_from_db()
    assert anonymity.student_label(quentin) == "Quentin Vasquez (qvasquez)"


# No name on any staff page or export before release --------------------------------------------


def test_the_pile_shows_candidate_numbers_and_the_same_one_for_every_attempt(
    teacher_client, work, scripts
):
    page = teacher_client.get(PILE).content.decode()
    assert_names_no_one(page)
    shown = numbers(work)
    assert page.count(f">Candidate {shown['zoyelaran']}</a>") == 2  # both of Zainab's attempts
    assert page.count(f">Candidate {shown['qvasquez']}</a>") == 1
    # Each still opens its marking page.
    for script in scripts.values():
        assert f'href="{marking_url(script)}' in page


def test_no_script_in_the_pile_is_ticked_for_an_action_until_the_teacher_ticks_it(
    teacher_client, scripts
):
    page = teacher_client.get(PILE).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="_selected_action"[^>]*>', page)
    assert len(boxes) == len(scripts)
    assert not [box for box in boxes if "checked" in box]


def test_free_practice_and_other_set_work_keep_their_names(teacher_client, group, work, scripts):
    zainab = scripts["first"].student
    ResponseFactory(student=zainab, status="submitted")  # free practice
    named_work = AssignmentFactory(group=group)
    ResponseFactory(
        student=zainab, essay=named_work.essay, assignment=named_work, status="submitted"
    )
    page = teacher_client.get(PILE).content.decode()
    assert page.count(">Zainab Oyelaran (zoyelaran)</a>") == 2
    assert page.count(f">Candidate {numbers(work)['zoyelaran']}</a>") == 2


def test_the_pile_reads_candidate_numbers_with_its_rows(teacher_client, group, work, scripts):
    """No query per row: the pile of 3 scripts and of 23 reads the same number of times."""
    teacher_client.get(PILE)  # the first view numbers any student without a number yet
    with CaptureQueriesContext(connection) as small:
        teacher_client.get(PILE)
    for _ in range(20):
        pupil = EnrolmentFactory(group=group).student
        ResponseFactory(student=pupil, essay=work.essay, assignment=work, status="submitted")
    anonymity.number_candidates(work)
    with CaptureQueriesContext(connection) as big:
        page = teacher_client.get(PILE).content.decode()
    assert page.count("Candidate ") >= 23
    assert len(big) == len(small)


@pytest.mark.parametrize("term", ["Zainab", "oyelaran", "zoyelaran", "zoyelaran@example.com"])
def test_searching_the_pile_by_name_finds_no_anonymous_work(teacher_client, work, scripts, term):
    ResponseFactory(student=scripts["first"].student, status="submitted")  # free practice
    found = teacher_client.get(PILE, {"q": term}).context["cl"].result_list
    assert [r.assignment_id for r in found] == [None]


def test_anonymous_work_is_found_by_its_essay_or_candidate_number(teacher_client, work, scripts):
    CandidateFactory(assignment=work, student=scripts["quentin"].student, number=4821)
    anonymity.number_candidates(work)
    for term in ("4821", "Candidate 4821", "candidate 4821"):
        found = teacher_client.get(PILE, {"q": term}).context["cl"].result_list
        assert [r.pk for r in found] == [scripts["quentin"].pk], term
    found = teacher_client.get(PILE, {"q": "Stalin"}).context["cl"].result_list
    assert len(found) == 3


def test_sorting_the_pile_by_student_puts_candidates_after_names_by_number(
    teacher_client, group, work, scripts
):
    CandidateFactory(assignment=work, student=scripts["first"].student, number=9000)
    CandidateFactory(assignment=work, student=scripts["quentin"].student, number=1500)
    named = ResponseFactory(
        student=UserFactory(username="zz-named"), status="submitted", essay=work.essay
    )
    EnrolmentFactory(group=group, student=named.student)
    pile = teacher_client.get(PILE, {"o": "1"}).context["cl"].result_list
    assert [anonymity.student_label(r) for r in pile] == [
        "zz-named",
        "Candidate 1500",
        "Candidate 9000",
        "Candidate 9000",
    ]


def test_the_board_names_handed_in_work_by_candidate_number(teacher_client, work, scripts):
    response = teacher_client.get(reverse("admin:essays_assignment_board", args=[work.pk]))
    page = response.content.decode()
    assert_names_no_one(page)
    shown = numbers(work)
    rows = response.context["rows"]
    # Ruth, who handed nothing in, is named (to be chased); then the candidates by number.
    assert [row.name for row in rows] == [
        "Ruth Pemberton (rpemberton)",
        *(f"Candidate {n}" for n in sorted(shown.values())),
    ]
    assert f'href="{marking_url(scripts["second"])}">Candidate {shown["zoyelaran"]}</a>' in page
    assert f'href="{marking_url(scripts["quentin"])}">Candidate {shown["qvasquez"]}</a>' in page
    assert "Marked anonymously" in page


def test_the_board_never_sorts_candidates_among_names(teacher_client, work, scripts):
    url = reverse("admin:essays_assignment_board", args=[work.pk])
    for order in ("name", "-name", "status", "-mark", "words"):
        page = teacher_client.get(url, {"o": order}).content.decode()
        assert_names_no_one(page)


def test_the_board_hides_a_candidates_extension(teacher_client, work, scripts):
    ExtensionFactory(assignment=work, student=scripts["quentin"].student)
    page = teacher_client.get(reverse("admin:essays_assignment_board", args=[work.pk]))
    text = page.content.decode()
    assert "extended to" not in text
    assert f"?student={scripts['quentin'].student_id}" not in text


def test_the_markbook_ties_no_mark_or_script_to_a_name(teacher_client, group, work, scripts):
    response = teacher_client.get(reverse("admin:essays_teachinggroup_markbook", args=[group.pk]))
    page = response.content.decode()
    cells = {row.student.username: row.cells[0] for row in response.context["markbook"].rows}
    assert cells["qvasquez"].status == cells["zoyelaran"].status == "handed in"
    assert cells["qvasquez"].mark is None
    assert response.context["markbook"].averages() == [None]
    for script in scripts.values():
        assert marking_url(script) not in page  # a link from a name would name the script
    assert ">14<" not in page
    assert "Work set for anonymous marking shows only “handed in”" in page

    download = teacher_client.get(
        reverse("admin:essays_teachinggroup_markbook_csv", args=[group.pk])
    )
    rows = {
        row[1]: row[3:] for row in csv.reader(io.StringIO(download.content.decode("utf-8-sig")))
    }
    assert rows["qvasquez"] == ["", "handed in"]
    assert rows["rpemberton"] == ["", "not started"]


def csv_rows(download) -> list[dict]:
    return list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))


def test_the_marks_exports_give_candidate_numbers_without_names(teacher_client, work, scripts):
    named = ResponseFactory(
        student=UserFactory(username="anna", first_name="Anna", last_name="Bell"),
        essay=work.essay,
        status="submitted",
    )
    EnrolmentFactory(group=work.group, student=named.student)
    exports = [
        teacher_client.get(reverse("admin:essays_response_export", args=[work.essay.pk])),
        teacher_client.post(
            PILE,
            {
                "action": "export_selected",
                "_selected_action": [named.pk, *(s.pk for s in scripts.values())],
            },
        ),
    ]
    shown = numbers(work)
    for download in exports:
        assert_names_no_one(download.content.decode("utf-8-sig"))
        rows = csv_rows(download)
        # The named row first; then the candidates, by number (not in their students' order).
        assert [(r["Student"], r["Username"], r["Candidate"]) for r in rows] == [
            ("Anna Bell", "anna", ""),
            *sorted(
                [
                    ("", "", str(shown["zoyelaran"])),
                    ("", "", str(shown["zoyelaran"])),
                    ("", "", str(shown["qvasquez"])),
                ],
                key=lambda row: int(row[2]),
            ),
        ]
        quentin = next(r for r in rows if r["Candidate"] == str(shown["qvasquez"]))
        assert quentin["Mark"] == "14"


def test_the_essay_report_names_no_one(teacher_client, work, scripts):
    page = teacher_client.get(reverse("admin:essays_response_report", args=[work.essay.pk]))
    assert "3 submitted responses, 1 marked" in page.content.decode()
    assert_names_no_one(page.content.decode())


def test_the_marking_page_names_no_one(teacher_client, work, scripts):
    page = teacher_client.get(marking_url(scripts["quentin"])).content.decode()
    assert_names_no_one(page)
    assert f"Candidate {numbers(work)['qvasquez']}" in page


def test_saving_a_mark_leaves_no_name_in_the_message_the_history_or_recent_actions(
    teacher_client, work, scripts
):
    quentin = scripts["quentin"]
    saved = teacher_client.post(
        marking_url(quentin),
        {"level": 3, "mark": 13, "went_well": "", "even_better_if": "", "feedback": "Good"},
        follow=True,
    )
    assert saved.status_code == 200
    quentin.refresh_from_db()
    assert (quentin.mark, quentin.status) == (13, "submitted")
    label = f"Candidate {numbers(work)['qvasquez']} — Stalin's foreign policy (attempt 1)"
    assert f"“{escape(label)}” was saved." in saved.content.decode()
    assert_names_no_one(saved.content.decode())
    entry = LogEntry.objects.get(object_id=str(quentin.pk))
    assert entry.object_repr == label
    history = teacher_client.get(
        reverse("admin:essays_response_history", args=[quentin.pk])
    ).content.decode()
    assert f"Change history: {escape(label)}" in history
    assert_names_no_one(history)
    assert_names_no_one(teacher_client.get(reverse("admin:index")).content.decode())
    assert not mail.outbox  # saving a mark tells nobody: only release emails the student


# Opening a name on purpose --------------------------------------------------------------------


def test_opening_a_name_is_recorded_and_shown_to_that_teacher_alone(
    teacher_client, teacher, group, work, scripts
):
    quentin = scripts["quentin"]
    opened = teacher_client.post(reveal_url(quentin))
    assert opened.status_code == 302
    assert opened.url == marking_url(quentin)
    number = numbers(work)["qvasquez"]
    entry = LogEntry.objects.get(object_id=str(quentin.pk))
    assert (entry.user, entry.object_repr) == (
        teacher,
        f"Candidate {number} — Stalin's foreign policy (attempt 1)",
    )
    assert "Opened the student's name" in entry.change_message

    page = teacher_client.get(opened.url).content.decode()
    assert "Quentin Vasquez (qvasquez)" in page
    assert "Zainab" not in page
    # The pile still names the script by its number: the name was opened on its page only.
    assert "Quentin" not in teacher_client.get(PILE).content.decode()

    # Another teacher of the class still sees the candidate number, and the record.
    colleague = user_in_group("Teachers", "colleague")
    group.teachers.add(colleague)
    other = Client()
    other.force_login(colleague)
    theirs = other.get(marking_url(quentin)).content.decode()
    assert_names_no_one(theirs)
    assert f"Candidate {number}" in theirs
    history = other.get(reverse("admin:essays_response_history", args=[quentin.pk]))
    assert "Opened the student&#x27;s name" in history.content.decode()
    assert_names_no_one(history.content.decode())


def test_opening_a_name_keeps_the_teacher_in_the_pile_they_came_from(teacher_client, work, scripts):
    quentin = scripts["quentin"]
    pile = f"assignment__id__exact={work.pk}&mark__isnull=True"
    page = teacher_client.get(marking_url(quentin), {"_changelist_filters": pile})
    form_action = reveal_url(quentin) + "?" + urlencode({"_changelist_filters": pile})
    assert f'action="{escape(form_action)}"' in page.content.decode()
    opened = teacher_client.post(form_action)
    assert opened.url == marking_url(quentin) + "?" + urlencode({"_changelist_filters": pile})


def test_opening_a_name_reached_only_by_post_for_that_works_script(
    client, teacher_client, group, work, scripts
):
    quentin = scripts["quentin"]
    assert teacher_client.get(reveal_url(quentin)).status_code == 405
    other_work = AssignmentFactory(group=group, anonymous_marking=True)
    assert teacher_client.post(reveal_url(quentin, work=other_work)).status_code == 404
    missing = reverse("admin:essays_assignment_reveal", args=[work.pk, 999999])
    assert teacher_client.post(missing).status_code == 404
    client.force_login(user_in_group("Teachers", "other"))
    assert client.post(reveal_url(quentin)).status_code == 404
    client.force_login(user_in_group("Editors", "editor"))
    assert client.post(reveal_url(quentin)).status_code == 403
    assert not LogEntry.objects.exists()


def test_opening_a_name_that_shows_anyway_records_nothing(teacher_client, group):
    named_work = AssignmentFactory(group=group)
    script = ResponseFactory(
        student=EnrolmentFactory(group=group).student,
        essay=named_work.essay,
        assignment=named_work,
        status="submitted",
    )
    page = teacher_client.post(reveal_url(script), follow=True).content.decode()
    assert "This work is not marked anonymously" in page
    assert not LogEntry.objects.exists()


# Turning anonymous marking on -----------------------------------------------------------------


def test_the_set_work_forms_say_what_anonymous_marking_does(teacher_client, work):
    for url in (
        reverse("admin:essays_assignment_change", args=[work.pk]),
        reverse("admin:essays_assignment_add"),
    ):
        page = teacher_client.get(url).content.decode()
        assert "Candidate numbers instead of students’ names" in page
        assert "until the marks are released" in page


def change_form_data(work, **changes) -> dict:
    local = timezone.localtime
    return {
        "instructions": work.instructions,
        "set_at": local(work.set_at).strftime("%Y-%m-%dT%H:%M"),
        "due_at": local(work.due_at).strftime("%Y-%m-%dT%H:%M"),
        "cut_off_at": "",
        "time_limit_minutes": "",
        "max_attempts": work.max_attempts,
        **changes,
    }


def test_turning_it_on_after_work_came_in_numbers_those_students_for_good(
    teacher_client, work, scripts
):
    work.anonymous_marking = False
    work.save()
    page = teacher_client.get(PILE).content.decode()
    assert "Zainab Oyelaran (zoyelaran)" in page  # named, while it is not anonymous
    assert not Candidate.objects.exists()

    saved = teacher_client.post(
        reverse("admin:essays_assignment_change", args=[work.pk]),
        change_form_data(work, anonymous_marking="on"),
    )
    assert saved.status_code == 302
    shown = numbers(work)
    assert set(shown) == {"zoyelaran", "qvasquez"}  # Ruth handed nothing in

    # The same numbers on every page, every attempt, every time.
    zainab = f"Candidate {shown['zoyelaran']}"
    for _ in range(2):
        assert teacher_client.get(PILE).content.decode().count(f">{zainab}</a>") == 2
        board = teacher_client.get(reverse("admin:essays_assignment_board", args=[work.pk]))
        assert zainab in board.content.decode()
        download = teacher_client.get(reverse("admin:essays_response_export", args=[work.essay.pk]))
        assert [r["Candidate"] for r in csv_rows(download)].count(str(shown["zoyelaran"])) == 2
        for script in (scripts["first"], scripts["second"]):
            assert anonymity.student_label(Response.objects.get(pk=script.pk)) == zainab
    assert numbers(work) == shown


def test_work_handed_in_later_is_numbered_when_first_shown(teacher_client, group, work, scripts):
    anonymity.number_candidates(work)
    late = ResponseFactory(
        student=EnrolmentFactory(group=group).student,
        essay=work.essay,
        assignment=work,
        status="submitted",
    )
    page = teacher_client.get(PILE).content.decode()
    number = Candidate.objects.get(assignment=work, student=late.student).number
    assert f"Candidate {number}" in page
    assert len(re.findall(r"Candidate \d{4}", page)) >= 4
