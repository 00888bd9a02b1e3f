"""Moderation in the admin site (essays/admin/moderation.py): drawing a sample, the second
marker's blind marking, the agreement report and agreeing a mark on it, and who may open each.
The department (13A History, marked by Ms Adams and Mr Brown, second-marked by Ms Clark, whose
head draws the samples) is test_moderation.py's."""

import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse

from essays.models import Annotation, ModerationSample, Response
from tests.conftest import user_in_group
from tests.factories import ModerationSampleFactory, UserFactory
from tests.marking.test_moderation import department, draw  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

DRAW = reverse("admin:essays_moderationsample_add")
SAMPLES = reverse("admin:essays_moderationsample_changelist")


def report_url(sample):
    return reverse("admin:essays_moderationsample_report", args=[sample.pk])


def script_url(script):
    return reverse("admin:essays_moderationsample_script", args=[script.sample_id, script.pk])


def agree_url(script):
    return reverse("admin:essays_moderationsample_agree", args=[script.sample_id, script.pk])


@pytest.fixture
def sample(department):  # noqa: F811
    """Three of Ms Adams's scripts and two of Mr Brown's, for Ms Clark to mark blind. One of
    Ms Adams's students, Maya Patel, has feedback, a margin comment and a first mark of 14
    (level 3)."""
    maya = UserFactory(username="mpatel", first_name="Maya", last_name="Patel")
    department.group.enrolments.create(student=maya)
    department.maya = department.marked(14, "adams", student=maya, minutes=30)
    Response.objects.filter(pk=department.maya.pk).update(
        feedback="Secret feedback: a fine start", went_well="Secret strengths"
    )
    Annotation.objects.create(
        response=department.maya,
        start=0,
        end=6,
        quote="Stalin",
        comment="Secret margin comment",
        author=department.staff["adams"],
    )
    for minutes, mark in enumerate([4, 23]):
        department.marked(mark, "adams", minutes=minutes)
    for minutes, mark in enumerate([8, 19]):
        department.marked(mark, "brown", minutes=minutes)
    return draw(department, per_marker=3)


def log_in(client, department, who):  # noqa: F811
    client.force_login(department.staff[who])
    return client


def second_mark_all(client, sample, marks=None):
    """Ms Clark marks every script: one mark above each first mark (within its level)."""
    for script in sample.scripts.order_by("pk"):
        mark = marks.get(script.first_mark) if marks else None
        mark = mark or (
            script.first_mark - 1 if script.first_mark % 5 == 0 else script.first_mark + 1
        )
        client.post(script_url(script), {"level": (mark - 1) // 5 + 1, "mark": mark})


# Drawing -------------------------------------------------------------------------------------


def test_a_head_of_department_draws_a_sample_from_the_board(client, department):  # noqa: F811
    for minutes, mark in enumerate([4, 12, 19, 23]):
        department.marked(mark, "adams", minutes=minutes)
    log_in(client, department, "head")
    board = client.get(reverse("admin:essays_assignment_board", args=[department.work.pk]))
    assert f'href="{DRAW}?assignment={department.work.pk}"' in board.content.decode()
    form = client.get(DRAW, {"assignment": department.work.pk})
    assert form.context["form"].initial["assignment"] == department.work.pk
    done = client.post(
        DRAW,
        {
            "assignment": department.work.pk,
            "per_marker": 3,
            "second_marker": department.staff["clark"].pk,
            "seed": 5,
        },
    )
    sample = ModerationSample.objects.get()
    assert done.url == report_url(sample)
    assert (sample.seed, sample.drawn_by, sample.scripts.count()) == (
        5,
        department.staff["head"],
        3,
    )
    assert LogEntry.objects.filter(object_id=str(sample.pk), action_flag=ADDITION).exists()


def test_a_teacher_sees_no_moderation_link_on_their_board(client, department):  # noqa: F811
    log_in(client, department, "adams")
    board = client.get(reverse("admin:essays_assignment_board", args=[department.work.pk]))
    assert DRAW not in board.content.decode()
    assert client.get(DRAW).status_code == 403


@pytest.mark.parametrize(
    ("posted", "says"),
    [
        ({"per_marker": 1}, "Draw between 2"),
        ({"per_marker": "many"}, "Enter a whole number"),
        ({"second_marker": "editor"}, "Choose a teacher or a head of department"),
        ({"assignment": "elsewhere"}, "Choose set work of a subject you head"),
        ({"nothing_marked": True}, "Nothing of this work has been marked yet"),
    ],
)
def test_the_draw_form_says_why_no_sample_was_drawn(client, department, posted, says):  # noqa: F811
    if not posted.pop("nothing_marked", False):
        department.marked(12, "adams")
    data = {
        "assignment": department.work.pk,
        "per_marker": 3,
        "second_marker": department.staff["clark"].pk,
    }
    data.update(posted)
    if data["second_marker"] == "editor":
        data["second_marker"] = department.staff["editor"].pk
    if data["assignment"] == "elsewhere":
        data["assignment"] = department.work.pk + 1000
    log_in(client, department, "head")
    page = client.post(DRAW, data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "No sample was drawn" in html and says in html
    assert not ModerationSample.objects.exists()


# Blind second marking ------------------------------------------------------------------------


def test_the_blind_marking_page_shows_neither_the_first_mark_nor_any_name(
    client,
    department,  # noqa: F811
    sample,
):
    log_in(client, department, "clark")
    script = sample.scripts.get(response=department.maya)
    page = client.get(script_url(script))
    html = page.content.decode()
    number = list(sample.scripts.order_by("pk")).index(script) + 1
    assert f"Script {number} of 5" in html
    assert "a question of causes" in html  # the essay
    assert "Collective security failed at Munich" in html  # the student's text
    assert "Level 4 (16–20)" in html
    for secret in ("Maya", "Patel", "mpatel", "Adams", "adams", "brown", "Secret"):
        assert secret not in html, f"the blind marking page shows {secret!r}"
    assert 'value="14"' not in html
    assert "<mark" not in html
    assert "checked" not in html
    assert not re.search(r"first mark\s*(is|:)?\s*\d", html, re.IGNORECASE)


def test_the_second_marker_marks_each_script_then_the_next(client, department, sample):  # noqa: F811
    log_in(client, department, "clark")
    first, second, *rest = sample.scripts.order_by("pk")
    start = client.get(reverse("admin:essays_moderationsample_mark", args=[sample.pk]))
    assert start.url == script_url(first)
    refused = client.post(script_url(first), {"level": 4, "mark": 12})
    assert "Level 4 is 16–20 marks" in refused.content.decode()
    first.refresh_from_db()
    assert first.second_mark is None
    saved = client.post(script_url(first), {"level": 4, "mark": 17})
    assert saved.url == script_url(second)
    first.refresh_from_db()
    assert (first.second_level, first.second_mark) == (4, 17)
    assert client.get(script_url(first)).context["form"].initial == {"level": 4, "mark": 17}
    for script in [second, *rest[:-1]]:
        client.post(script_url(script), {"level": 2, "mark": 8})
    finished = client.post(script_url(rest[-1]), {"level": 2, "mark": 8})
    assert finished.url == SAMPLES
    assert not sample.scripts.filter(second_mark__isnull=True).exists()


def test_only_the_second_marker_or_a_superuser_opens_the_scripts(
    client,
    department,  # noqa: F811
    sample,
    superuser,
):
    script = sample.scripts.first()
    other_marker = user_in_group("Teachers", "dean")
    ModerationSampleFactory(second_marker=other_marker)
    expected = {"head": 404, "adams": 404, "editor": 403}
    for who, status in expected.items():
        log_in(client, department, who)
        assert client.get(script_url(script)).status_code == status, who
        assert client.post(script_url(script), {"level": 4, "mark": 17}).status_code == status
    client.force_login(other_marker)
    assert client.get(script_url(script)).status_code == 404
    client.force_login(superuser)
    assert client.get(script_url(script)).status_code == 200
    script.refresh_from_db()
    assert script.second_mark is None


def test_a_second_marker_finds_their_samples_from_the_admin_index(
    client,
    department,  # noqa: F811
    sample,
):
    log_in(client, department, "clark")
    assert SAMPLES in client.get(reverse("admin:index")).content.decode()
    listing = client.get(SAMPLES).content.decode()
    assert "Mark the 5 left" in listing
    assert "Report" not in listing
    assert "Adams" not in listing
    log_in(client, department, "adams")
    assert not client.get(SAMPLES).context["cl"].result_list
    log_in(client, department, "editor")
    assert SAMPLES not in client.get(reverse("admin:index")).content.decode()
    assert client.get(SAMPLES).status_code == 403


# The report and agreeing ---------------------------------------------------------------------


def test_the_report_plots_one_point_per_second_marked_script_beside_a_table(
    client,
    department,  # noqa: F811
    sample,
):
    second_mark_all(log_in(client, department, "clark"), sample)
    assert client.get(report_url(sample)).status_code == 403  # the second marker
    page = log_in(client, department, "head").get(report_url(sample))
    html = page.content.decode()
    svg = html[html.index('<svg class="scatter"') :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count('<circle class="point"') == 5
    assert '<title id="plot-title">' in svg and '<desc id="plot-desc">' in svg
    assert "<script" not in html.split('id="content-main"')[1]
    marks_table = html[
        html.index('<caption id="marks-caption">') : html.index(
            "</table>", html.index('id="marks-caption"')
        )
    ]
    assert marks_table.count('<th scope="row">') == 5
    by_marker = {marker.username: agreement for marker, agreement in page.context["by_marker"]}
    assert by_marker["adams"].scripts == 3 and by_marker["brown"].scripts == 2
    assert page.context["overall"].mean_absolute_difference == 1


def test_a_head_who_second_marks_sees_the_report_only_once_finished(client, department):  # noqa: F811
    department.marked(12, "adams")
    department.marked(19, "adams")
    sample = draw(department, second="head")
    log_in(client, department, "head")
    waiting = client.get(report_url(sample))
    assert waiting.url == reverse("admin:essays_moderationsample_mark", args=[sample.pk])
    second_mark_all(client, sample)
    assert client.get(report_url(sample)).status_code == 200


def test_a_head_agrees_a_mark_which_the_response_and_its_history_show(
    client,
    department,  # noqa: F811
    sample,
):
    second_mark_all(log_in(client, department, "clark"), sample, marks={14: 17})
    script = sample.scripts.get(response=department.maya)
    log_in(client, department, "head")
    prefix = f"script-{script.pk}"
    refused = client.post(agree_url(script), {f"{prefix}-level": 3, f"{prefix}-mark": 18})
    assert refused.status_code == 200
    assert "The mark was not agreed" in refused.content.decode()
    assert "Level 3 is 11–15 marks" in refused.content.decode()
    department.maya.refresh_from_db()
    assert department.maya.mark == 14
    agreed = client.post(agree_url(script), {f"{prefix}-level": 4, f"{prefix}-mark": 16})
    assert agreed.url == f"{report_url(sample)}#script-{script.pk}"
    department.maya.refresh_from_db()
    assert (department.maya.level, department.maya.mark) == (4, 16)
    history = client.get(
        reverse("admin:essays_response_history", args=[department.maya.pk])
    ).content.decode()
    assert (
        "Moderated: first mark 14 (level 3) by Ann Adams, second mark 17 (level 4) by Cat Clark, "
        "agreed 16 (level 4)"
    ) in history
    assert client.get(agree_url(script)).status_code == 405
    log_in(client, department, "clark")
    assert client.post(agree_url(script), {f"{prefix}-mark": 20}).status_code == 403


REPORT_QUERIES = 8


def test_the_report_takes_the_same_queries_for_a_bigger_sample(
    client,
    department,  # noqa: F811
    django_assert_num_queries,
):
    def drawn_and_marked(per_marker):
        for marker in ("adams", "brown"):
            for minutes, mark in enumerate([3, 9, 12, 16, 21, 24][:per_marker]):
                department.marked(mark, marker, minutes=minutes)
        sample = draw(department, per_marker=per_marker)
        second_mark_all(log_in(client, department, "clark"), sample)
        return sample

    small, big = drawn_and_marked(2), drawn_and_marked(6)
    log_in(client, department, "head")
    # Session, user, the user's and their groups' permissions; the sample (with whether the
    # user heads its subject), its scripts and their markers; the mark scheme and its levels.
    with django_assert_num_queries(REPORT_QUERIES):
        client.get(report_url(small))
    with django_assert_num_queries(REPORT_QUERIES):
        page = client.get(report_url(big))
    assert len(page.context["rows"]) == 12


LIST_QUERIES = 6


def test_the_list_of_samples_takes_the_same_queries_for_more_samples(
    client,
    department,  # noqa: F811
    sample,
    django_assert_num_queries,
):
    log_in(client, department, "head")
    # Session, user, permissions (the user's and their groups'); the count and the rows (each
    # with its set work, people, progress and whether the user heads its subject).
    with django_assert_num_queries(LIST_QUERIES):
        client.get(SAMPLES)
    for _ in range(3):
        draw(department, per_marker=2)
    with django_assert_num_queries(LIST_QUERIES):
        listing = client.get(SAMPLES)
    assert len(listing.context["cl"].result_list) == 4
    assert listing.content.decode().count(">Report</a>") == 4


def test_a_head_with_no_set_work_in_their_subjects_is_told_so(client):
    client.force_login(user_in_group("Heads of department", "head-of-nothing"))
    page = client.get(DRAW)
    assert "There is no set work of a subject you head" in page.content.decode()
