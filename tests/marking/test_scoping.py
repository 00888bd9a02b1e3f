"""Whose work each member of staff sees, marks and exports: their own classes' students' alone.

Two History classes, 13A (Ms Adams) and 13B (Mr Brown), and a Politics class (Ms Khan); the
head of History sees both History classes and not Politics; a superuser sees everything. The
rule itself is `Response.objects.visible_to_staff`; these tests go through every page and
action that reads it.
"""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from essays.models import Response
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    SubjectFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:essays_response_changelist")


def change_url(student_response):
    return reverse("admin:essays_response_change", args=[student_response.pk])


def report_url(essay):
    return reverse("admin:essays_response_report", args=[essay.pk])


def export_url(essay):
    return reverse("admin:essays_response_export", args=[essay.pk])


def csv_usernames(download) -> list[str]:
    return [
        row["Username"] for row in csv.DictReader(io.StringIO(download.content.decode("utf-8-sig")))
    ]


def listed(client, query=None) -> set:
    page = client.get(CHANGELIST, query or {})
    assert page.status_code == 200
    return set(page.context["cl"].result_list)


@pytest.fixture
def school(default_scheme):
    history = SubjectFactory(name="History")
    politics = SubjectFactory(name="Politics")
    staff = {
        "adams": user_in_group("Teachers", "ms-adams"),
        "brown": user_in_group("Teachers", "mr-brown"),
        "khan": user_in_group("Teachers", "ms-khan"),
        "head": user_in_group("Heads of department", "head-of-history"),
        "editor": user_in_group("Editors", "editor"),
        "root": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    history.heads.add(staff["head"])
    class_a = TeachingGroupFactory(name="13A History", subject=history, teachers=[staff["adams"]])
    class_b = TeachingGroupFactory(name="13B History", subject=history, teachers=[staff["brown"]])
    class_p = TeachingGroupFactory(name="13P Politics", subject=politics, teachers=[staff["khan"]])
    maya = UserFactory(username="mpatel", first_name="Maya", last_name="Patel")
    ben = UserFactory(username="bjones", first_name="Ben", last_name="Jones")
    priya = UserFactory(username="priya")
    EnrolmentFactory(group=class_a, student=maya)
    EnrolmentFactory(group=class_b, student=ben)
    EnrolmentFactory(group=class_p, student=priya)
    essay = EssayFactory(headline="Causes of the First World War", status="published")
    practice = EssayFactory(headline="Stalin's foreign policy", status="published")
    politics_essay = EssayFactory(
        headline="Is Parliament sovereign?", subject=politics, status="published"
    )
    set_a = AssignmentFactory(group=class_a, essay=essay)
    set_b = AssignmentFactory(group=class_b, essay=essay)
    work = {
        "a_set": ResponseFactory(student=maya, essay=essay, assignment=set_a, status="submitted"),
        "a_practice": ResponseFactory(student=maya, essay=practice, status="submitted"),
        "b_set": ResponseFactory(student=ben, essay=essay, assignment=set_b, status="submitted"),
        "b_practice": ResponseFactory(student=ben, essay=practice, returned=True),
        "p_practice": ResponseFactory(student=priya, essay=politics_essay, status="submitted"),
        # A student in no class: only a superuser sees their work.
        "nobody's": ResponseFactory(essay=practice, status="submitted"),
    }
    ResponseFactory(student=maya, essay=politics_essay, body="Maya's draft")  # never listed
    return {
        "staff": staff,
        "classes": {"a": class_a, "b": class_b, "p": class_p},
        "students": {"maya": maya, "ben": ben},
        "essays": {"set": essay, "practice": practice},
        "set work": {"a": set_a, "b": set_b},
        "work": work,
    }


def log_in(client, school, who):
    client.force_login(school["staff"][who])
    return client


SEES = {
    "adams": {"a_set", "a_practice"},
    "brown": {"b_set", "b_practice"},
    "khan": {"p_practice"},
    "head": {"a_set", "a_practice", "b_set", "b_practice"},
    "root": {"a_set", "a_practice", "b_set", "b_practice", "p_practice", "nobody's"},
}


@pytest.mark.parametrize("who", SEES)
def test_the_pile_lists_only_the_work_of_the_users_own_students(client, school, who):
    expected = {school["work"][name] for name in SEES[who]}
    assert listed(log_in(client, school, who)) == expected
    assert set(Response.objects.visible_to_staff(school["staff"][who])) == expected


def test_editors_and_visitors_see_no_work(client, school):
    assert not Response.objects.visible_to_staff(school["staff"]["editor"]).exists()
    assert not Response.objects.visible_to_staff(AnonymousUser()).exists()
    assert log_in(client, school, "editor").get(CHANGELIST).status_code == 403


def test_set_work_for_another_teachers_class_stays_with_that_class(client, school):
    """Maya also takes Politics: Ms Khan sees her free practice, not her History set work."""
    EnrolmentFactory(group=school["classes"]["p"], student=school["students"]["maya"])
    work = school["work"]
    assert listed(log_in(client, school, "khan")) == {
        work["p_practice"],
        work["a_practice"],
    }


def test_a_student_who_left_stays_visible_for_work_handed_in_before_leaving(
    client, school, freezer
):
    maya = school["students"]["maya"]
    freezer.tick(60)
    school["classes"]["a"].enrolments.filter(student=maya).update(left_at=timezone.now())
    freezer.tick(60)
    later = ResponseFactory(
        student=maya, essay=EssayFactory(status="published"), status="submitted"
    )
    seen = listed(log_in(client, school, "adams"))
    assert seen == {school["work"]["a_set"], school["work"]["a_practice"]}
    assert later not in seen
    assert client.get(change_url(later)).status_code == 404


def test_another_classs_response_is_not_found_on_every_page_of_it(client, school):
    theirs = school["work"]["b_set"]
    log_in(client, school, "adams")
    for url in (
        change_url(theirs),
        reverse("admin:essays_response_history", args=[theirs.pk]),
        reverse("admin:essays_response_delete", args=[theirs.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "bjones" not in page.content.decode()
    marking = client.post(
        change_url(theirs), {"level": 1, "mark": 2, "feedback": "Not mine", "_return": "1"}
    )
    assert marking.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.mark, theirs.feedback) == ("submitted", None, "")


def test_actions_cannot_reach_another_classs_work(client, school):
    work = school["work"]
    Response.objects.filter(pk__in=[work["a_set"].pk, work["b_set"].pk]).update(level=4, mark=18)
    log_in(client, school, "adams")
    client.post(
        CHANGELIST,
        {"action": "return_selected", "_selected_action": [work["b_set"].pk]},
    )
    work["b_set"].refresh_from_db()
    assert work["b_set"].status == "submitted"

    export = client.post(
        CHANGELIST,
        {"action": "export_selected", "_selected_action": [work["a_set"].pk, work["b_set"].pk]},
    )
    assert csv_usernames(export) == ["mpatel"]
    # "Select all" means all of this user's pile, not all of the school's.
    everything = client.post(
        CHANGELIST,
        {"action": "export_selected", "select_across": "1", "_selected_action": ["0"]},
    )
    assert sorted(csv_usernames(everything)) == ["mpatel", "mpatel"]


@pytest.mark.parametrize(
    ("who", "responses", "usernames"),
    [
        ("adams", 1, ["mpatel"]),
        ("brown", 1, ["bjones"]),
        ("head", 2, ["bjones", "mpatel"]),
        ("khan", 0, []),
        ("root", 2, ["bjones", "mpatel"]),
    ],
)
def test_the_essay_report_and_export_hold_only_the_users_students(
    client, school, who, responses, usernames
):
    essay = school["essays"]["set"]
    log_in(client, school, who)
    report = client.get(report_url(essay)).content.decode()
    assert f"{responses} submitted response" in report
    assert csv_usernames(client.get(export_url(essay))) == usernames


def test_the_awaiting_marking_panel_counts_each_users_own_work(client, school):
    index = reverse("admin:index")
    assert "1 to mark" in log_in(client, school, "adams").get(index).content.decode()
    # Kept per user: Ms Adams's count, just cached, is not what the head of History sees.
    page = log_in(client, school, "head").get(index).content.decode()
    assert "2 to mark" in page  # 13A's and 13B's answers to the set essay
    assert "Is Parliament sovereign?" not in page
    page = log_in(client, school, "khan").get(index).content.decode()
    assert "Is Parliament sovereign?" in page
    assert "Causes of the First World War" not in page


def filter_choices(page) -> dict[str, list[str]]:
    """The pile's filters as its sidebar offers them: parameter → the choices' labels."""
    return {
        getattr(spec, "lookup_kwarg", getattr(spec, "parameter_name", None)): [
            label for _, label in spec.lookup_choices
        ]
        for spec in page.context["cl"].filter_specs
        if spec.has_output() and hasattr(spec, "lookup_choices")
    }


def test_the_pile_filters_offer_only_the_users_classes_and_set_work(client, school):
    page = log_in(client, school, "adams").get(CHANGELIST)
    choices = filter_choices(page)
    assert choices["assignment__group__id__exact"] == ["13A History (2026/27)"]
    assert choices["assignment__id__exact"] == ["13A History: Causes of the First World War"]
    # Work waiting to be marked, by essay: Maya's two, not Ben's or Priya's.
    assert sorted(choices["essay__id__exact"]) == [
        "Causes of the First World War",
        "Stalin's foreign policy",
    ]
    assert "13B History" not in page.content.decode()

    choices = filter_choices(log_in(client, school, "head").get(CHANGELIST))
    assert sorted(choices["assignment__group__id__exact"]) == [
        "13A History (2026/27)",
        "13B History (2026/27)",
    ]
    class_b = {"assignment__group__id__exact": school["classes"]["b"].pk}
    choices = filter_choices(client.get(CHANGELIST, class_b))
    assert choices["assignment__id__exact"] == ["13B History: Causes of the First World War"]


def test_filtering_by_class_or_set_work_narrows_the_pile(client, school):
    log_in(client, school, "head")
    work = school["work"]
    by_class = {"assignment__group__id__exact": school["classes"]["a"].pk}
    assert listed(client, by_class) == {work["a_set"]}
    by_set_work = {"assignment__id__exact": school["set work"]["b"].pk}
    assert listed(client, by_set_work) == {work["b_set"]}


def test_filtering_by_another_teachers_class_or_set_work_shows_nothing(client, school):
    log_in(client, school, "adams")
    for query in (
        {"assignment__group__id__exact": school["classes"]["b"].pk},
        {"assignment__id__exact": school["set work"]["b"].pk},
        {"essay__id__exact": school["essays"]["set"].pk, "q": "bjones"},
    ):
        page = client.get(CHANGELIST, query)
        assert list(page.context["cl"].result_list) == [], query
        assert "13B History" not in page.content.decode()


def test_the_autocompletes_from_a_response_leak_nothing_of_another_class(client, school):
    """No relation leads an autocomplete to responses (none points at them); from a response,
    its student and marker are accounts, which teachers may not list, and its set work is
    scoped like the rest of the classes admin."""
    log_in(client, school, "adams")
    for field_name in ("student", "marked_by", "assignment", "essay"):
        reply = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "essays", "model_name": "response", "field_name": field_name},
        )
        # Accounts are not for teachers to list; essays are the library; set work is the
        # classes admin's, scoped to the user's classes (403 while it is not registered).
        expected = {"student": {403}, "marked_by": {403}, "essay": {200}, "assignment": {200, 403}}
        assert reply.status_code in expected[field_name], field_name
        page = reply.content.decode()
        for theirs in ("bjones", "Ben Jones", "13B History"):
            assert theirs not in page, (field_name, theirs)


def test_students_are_shown_by_name_and_username(client, school):
    log_in(client, school, "adams")
    assert "Maya Patel (mpatel)" in client.get(CHANGELIST).content.decode()
    marking_page = client.get(change_url(school["work"]["a_set"])).content.decode()
    assert "Attempt 1 by Maya Patel (mpatel)" in marking_page


def next_unmarked(client, student_response, filters: str) -> str:
    """Mark the response from the pile filtered by `filters`; where "next" leads."""
    reply = client.post(
        f"{change_url(student_response)}?{urlencode({'_changelist_filters': filters})}",
        {"level": 3, "mark": 12, "feedback": "", "_next_unmarked": "1"},
    )
    assert reply.status_code == 302
    return reply.url


def test_next_unmarked_stays_inside_the_class_the_teacher_came_from(client, school):
    maya = school["students"]["maya"]
    # Newer and unmarked, but free practice: not in 13A's set work.
    ResponseFactory(student=maya, essay=EssayFactory(status="published"), status="submitted")
    second_set = AssignmentFactory(group=school["classes"]["a"])
    following = ResponseFactory(
        student=maya,
        essay=second_set.essay,
        assignment=second_set,
        status="submitted",
        submitted_at=timezone.now() - timezone.timedelta(hours=1),
    )
    filters = f"assignment__group__id__exact={school['classes']['a'].pk}"
    came_from = urlencode({"_changelist_filters": filters})
    log_in(client, school, "adams")
    assert next_unmarked(client, school["work"]["a_set"], filters) == (
        f"{change_url(following)}?{came_from}"
    )
    # Nothing unmarked is left in 13A's set work: back to that list.
    assert next_unmarked(client, following, filters) == f"{CHANGELIST}?{filters}"


def test_next_unmarked_stays_inside_the_set_work_the_teacher_came_from(client, school):
    class_a, maya = school["classes"]["a"], school["students"]["maya"]
    classmate = EnrolmentFactory(group=class_a, student=UserFactory(username="sam")).student
    # Newer, unmarked, the same class, other set work: "next" must not go there.
    other_set = AssignmentFactory(group=class_a)
    ResponseFactory(student=maya, essay=other_set.essay, assignment=other_set, status="submitted")
    following = ResponseFactory(
        student=classmate,
        essay=school["essays"]["set"],
        assignment=school["set work"]["a"],
        status="submitted",
        submitted_at=timezone.now() - timezone.timedelta(hours=1),
    )
    filters = f"assignment__id__exact={school['set work']['a'].pk}"
    came_from = urlencode({"_changelist_filters": filters})
    log_in(client, school, "adams")
    assert next_unmarked(client, school["work"]["a_set"], filters) == (
        f"{change_url(following)}?{came_from}"
    )
    assert next_unmarked(client, following, filters) == f"{CHANGELIST}?{filters}"


# Session, user, permissions (the user's and their groups'); the filters' choices: classes,
# set work, subjects, essays with work waiting (the user's class ids, then the count); the
# pile's class ids, its count and its rows.
PILE_QUERIES = 12


def test_the_pile_takes_the_same_queries_for_more_classes_students_and_work(
    client, school, django_assert_num_queries
):
    log_in(client, school, "head")
    cache.clear()  # the waiting essays are read afresh: the cost once a minute
    with django_assert_num_queries(PILE_QUERIES):
        client.get(CHANGELIST)
    for _ in range(5):
        group = TeachingGroupFactory(
            subject=school["classes"]["a"].subject, teachers=[school["staff"]["adams"]]
        )
        assignment = AssignmentFactory(group=group)
        for _ in range(3):
            student = EnrolmentFactory(group=group).student
            ResponseFactory(
                student=student, essay=assignment.essay, assignment=assignment, status="submitted"
            )
            ResponseFactory(student=student, status="submitted")
    cache.clear()
    with django_assert_num_queries(PILE_QUERIES):
        page = client.get(CHANGELIST)
    assert len(page.context["cl"].result_list) == 4 + 5 * 3 * 2
    with django_assert_num_queries(PILE_QUERIES - 2):  # the waiting essays from the cache
        client.get(CHANGELIST)
