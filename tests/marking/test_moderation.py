"""Moderation's rules (essays/moderation.py): drawing a sample, a blind second mark, the
agreement arithmetic, agreeing a mark; and the report's plot (essays/moderation_plot.py).

13A History is taught by Ms Adams and Mr Brown, who share its marking; Ms Clark, who teaches
neither, second-marks; the head of History draws the samples. The admin pages are
test_moderation_pages.py.
"""

from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from essays import moderation
from essays.models import ModerationSample, ModerationScript, Response
from essays.moderation_plot import scatter, tick_step
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    SubjectFactory,
    TeachingGroupFactory,
)

pytestmark = pytest.mark.django_db


def level_of(mark: int) -> int:
    """The default scheme's bands: 1–5 is level 1, 6–10 level 2, … 21–25 level 5."""
    return max(1, (mark - 1) // 5 + 1)


@pytest.fixture
def department(default_scheme):
    history = SubjectFactory(name="History")
    staff = {
        "head": user_in_group("Heads of department", "head"),
        "adams": user_in_group("Teachers", "adams"),
        "brown": user_in_group("Teachers", "brown"),
        "clark": user_in_group("Teachers", "clark"),
        "editor": user_in_group("Editors", "editor"),
    }
    staff["adams"].first_name, staff["adams"].last_name = "Ann", "Adams"
    staff["adams"].save()
    staff["clark"].first_name, staff["clark"].last_name = "Cat", "Clark"
    staff["clark"].save()
    history.heads.add(staff["head"])
    group = TeachingGroupFactory(
        name="13A History", subject=history, teachers=[staff["adams"], staff["brown"]]
    )
    work = AssignmentFactory(group=group, essay=EssayFactory(status="published"))
    started = timezone.now() - timezone.timedelta(days=2)

    def marked(mark, by, *, minutes=0, attempt=1, student=None, returned=False):
        """A student's script of the work, handed in `minutes` after the first, marked."""
        student = student or EnrolmentFactory(group=group).student
        return ResponseFactory(
            student=student,
            essay=work.essay,
            assignment=work,
            attempt=attempt,
            status="returned" if returned else "submitted",
            submitted_at=started + timezone.timedelta(minutes=minutes),
            returned_at=timezone.now() if returned else None,
            level=None if mark is None else level_of(mark),
            mark=mark,
            marked_by=None if mark is None else staff[by],
        )

    return SimpleNamespace(staff=staff, group=group, work=work, marked=marked, history=history)


def draw(department, *, per_marker=3, second="clark", seed=7):
    return moderation.draw_sample(
        assignment=department.work,
        per_marker=per_marker,
        second_marker=department.staff[second],
        drawn_by=department.staff["head"],
        seed=seed,
    )


def drawn(sample) -> list[Response]:
    return [script.response for script in sample.scripts.select_related("response")]


# Drawing a sample ----------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_sample_in_the_same_order(department):
    for minutes, mark in enumerate([4, 9, 12, 14, 17, 19, 22, 24]):
        department.marked(mark, "adams", minutes=minutes)
    first, again = draw(department, seed=41), draw(department, seed=41)
    assert drawn(first) == drawn(again)
    assert len(drawn(first)) == 3
    other_seeds = {tuple(r.pk for r in drawn(draw(department, seed=seed))) for seed in range(8)}
    assert len(other_seeds) > 1, "every seed drew the same scripts: the draw is not random"


def script(pk, marker, mark, minutes):
    return SimpleNamespace(pk=pk, marked_by_id=marker, mark=mark, submitted_at=minutes)


def test_each_marker_has_n_scripts_with_their_top_and_bottom_mark_whatever_the_seed():
    scripts = [script(pk, 1, mark, pk) for pk, mark in enumerate([3, 8, 11, 15, 18, 23], 1)]
    scripts += [script(pk, 2, mark, pk) for pk, mark in enumerate([6, 9, 13, 20, 21], 10)]
    for seed in range(30):
        chosen = moderation.choose_scripts(scripts, per_marker=3, seed=seed)
        for marker, top, bottom in [(1, 23, 3), (2, 21, 6)]:
            theirs = [s.mark for s in chosen if s.marked_by_id == marker]
            assert len(theirs) == 3
            assert top in theirs and bottom in theirs


def test_of_equal_top_or_bottom_marks_the_earliest_submitted_is_drawn():
    scripts = [
        script(1, 1, 20, minutes=5),
        script(2, 1, 20, minutes=1),  # the earliest of the two top marks
        script(3, 1, 12, minutes=0),
        script(4, 1, 7, minutes=9),
        script(5, 1, 7, minutes=3),  # the earliest of the two bottom marks
        script(6, 1, 14, minutes=2),
    ]
    for seed in range(20):
        chosen = {s.pk for s in moderation.choose_scripts(scripts, per_marker=2, seed=seed)}
        assert chosen == {2, 5}


def test_a_marker_with_fewer_scripts_than_asked_has_all_drawn(department):
    for minutes, mark in enumerate([4, 12, 17, 22, 24]):
        department.marked(mark, "adams", minutes=minutes)
    browns = {department.marked(8, "brown"), department.marked(15, "brown")}
    sample = draw(department, per_marker=3)
    by_marker = {}
    for script_row in sample.scripts.all():
        by_marker.setdefault(script_row.first_marker.username, set()).add(script_row.response)
    assert len(by_marker["adams"]) == 3
    assert by_marker["brown"] == browns


def test_the_latest_attempt_of_each_student_is_drawn_if_it_is_marked(department):
    redrafted = department.marked(3, "adams")
    latest = department.marked(18, "adams", attempt=2, student=redrafted.student)
    waiting = department.marked(20, "adams")
    department.marked(None, "adams", attempt=2, student=waiting.student)  # not marked yet
    unattributed = department.marked(11, "adams")
    Response.objects.filter(pk=unattributed.pk).update(marked_by=None)
    assert set(drawn(draw(department, per_marker=5))) == {latest}


def test_the_first_marks_are_kept_as_they_were_when_drawn(department):
    response = department.marked(14, "adams")
    department.marked(19, "adams")
    sample = draw(department)
    Response.objects.filter(pk=response.pk).update(mark=16, level=4)
    kept = sample.scripts.get(response=response)
    assert (kept.first_marker, kept.first_level, kept.first_mark) == (
        department.staff["adams"],
        3,
        14,
    )


def test_the_second_markers_own_marking_is_left_out(department):
    department.marked(12, "adams")
    department.marked(19, "adams")
    department.marked(9, "brown")
    sample = draw(department, second="brown")
    assert {s.first_marker.username for s in sample.scripts.all()} == {"adams"}


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"per_marker": 1}, "per_marker", "Draw between 2"),
        ({"second": "editor"}, "second_marker", "does not mark work here"),
        ({"second": "adams"}, "second_marker", "cannot moderate their own marking"),
    ],
)
def test_a_sample_that_cannot_be_drawn_is_refused_and_nothing_is_written(
    department, change, field, says
):
    department.marked(12, "adams")
    department.marked(19, "adams")
    with pytest.raises(ValidationError) as refused:
        draw(department, **change)
    assert says in " ".join(refused.value.message_dict[field])
    assert not ModerationSample.objects.exists()
    assert not ModerationScript.objects.exists()


def test_work_with_nothing_marked_or_of_another_subject_is_refused(department):
    department.marked(None, "adams")
    with pytest.raises(ValidationError) as refused:
        draw(department)
    assert "Nothing of this work has been marked" in str(refused.value)
    politics = TeachingGroupFactory(subject=SubjectFactory(name="Politics"))
    department.work = AssignmentFactory(group=politics)
    with pytest.raises(ValidationError) as refused:
        draw(department)
    assert "subject you head" in str(refused.value)
    assert not ModerationSample.objects.exists()


# Second marking ------------------------------------------------------------------------------


def sample_of(department, *marks):
    for minutes, mark in enumerate(marks):
        department.marked(mark, "adams", minutes=minutes)
    return draw(department, per_marker=max(2, len(marks)))


def test_only_the_second_marker_records_a_second_mark_inside_the_band(department):
    sample = sample_of(department, 14, 19)
    script_row = sample.scripts.first()
    with pytest.raises(ValidationError):
        moderation.record_second_mark(
            script=script_row, marker=department.staff["head"], level=4, mark=17
        )
    with pytest.raises(ValidationError) as refused:
        moderation.record_second_mark(
            script=script_row, marker=department.staff["clark"], level=4, mark=12
        )
    assert "Level 4 is 16–20 marks" in str(refused.value)
    script_row.refresh_from_db()
    assert script_row.second_mark is None
    moderation.record_second_mark(
        script=script_row, marker=department.staff["clark"], level=4, mark=17
    )
    script_row.refresh_from_db()
    assert (script_row.second_level, script_row.second_mark) == (4, 17)
    assert script_row.second_marked_at is not None


# The agreement arithmetic --------------------------------------------------------------------


def pair(marker, first_level, first_mark, second_level, second_mark):
    return SimpleNamespace(
        first_marker=marker,
        first_marker_id=id(marker),
        first_level=first_level,
        first_mark=first_mark,
        second_level=second_level,
        second_mark=second_mark,
    )


def colleague(full_name, username):
    return SimpleNamespace(get_full_name=lambda: full_name, get_username=lambda: username)


def test_the_agreement_over_a_small_sample():
    ann, ben = colleague("Ann Adams", "adams"), colleague("", "brown")
    scripts = [
        pair(ann, 3, 14, 4, 17),  # +3, a level apart
        pair(ben, 4, 18, 4, 16),  # −2, same level
        pair(ann, 2, 9, 2, 9),  # 0, same level
        pair(ann, 5, 22, None, None),  # not second-marked yet: left out
    ]
    overall = moderation.agreement(scripts)
    assert overall == moderation.Agreement(
        scripts=3,
        levelled=3,
        same_level=2,
        mean_difference=1 / 3,
        mean_absolute_difference=5 / 3,
        largest_difference=3,
    )
    assert overall.same_level_share == 2 / 3
    assert moderation.agreement_by_marker(scripts) == [
        (ann, moderation.Agreement(2, 2, 1, 1.5, 1.5, 3)),
        (ben, moderation.Agreement(1, 1, 1, -2.0, 2.0, 2)),
    ]


def test_without_levels_or_second_marks_there_is_nothing_to_share_or_average():
    unlevelled = moderation.agreement([pair(None, None, 10, None, 12)])
    assert (unlevelled.levelled, unlevelled.same_level_share) == (0, None)
    assert unlevelled.mean_difference == 2
    nothing = moderation.agreement([pair(None, 3, 12, None, None)])
    assert nothing == moderation.Agreement(0, 0, 0, None, None, None)


# The plot ------------------------------------------------------------------------------------


def test_the_plot_puts_marks_on_axes_from_zero_to_the_maximum_and_separates_equal_ones():
    plot = scatter(
        [("Script 1", 0, 0), ("Script 2", 25, 25), ("Script 3", 10, 15), ("Script 4", 10, 15)],
        maximum=25,
    )
    assert [tick.value for tick in plot.ticks] == [0, 5, 10, 15, 20, 25]
    lowest, highest, third, fourth = plot.points
    assert (lowest.x, lowest.y) == (plot.left, plot.bottom)
    assert (highest.x, highest.y) == (plot.right, plot.top)
    assert (third.x, third.y) == (plot.left + 256 * 10 / 25, plot.bottom - 256 * 15 / 25)
    assert (fourth.x, fourth.y) != (third.x, third.y)
    assert abs(fourth.x - third.x) <= 7 and abs(fourth.y - third.y) <= 7
    assert [tick_step(10), tick_step(40), tick_step(100)] == [2, 10, 20]


# Agreeing a mark -----------------------------------------------------------------------------


def test_an_agreed_mark_replaces_the_students_mark_and_is_written_in_its_history(
    department, client
):
    response = department.marked(14, "adams", returned=True)
    department.marked(19, "adams")
    sample = draw(department)
    script_row = sample.scripts.get(response=response)
    moderation.record_second_mark(
        script=script_row, marker=department.staff["clark"], level=4, mark=17
    )
    moderation.agree_mark(script=script_row, head=department.staff["head"], level=4, mark=16)

    response.refresh_from_db()
    assert (response.level, response.mark) == (4, 16)
    script_row.refresh_from_db()
    assert (script_row.first_mark, script_row.second_mark, script_row.agreed_mark) == (14, 17, 16)
    assert script_row.agreed_by == department.staff["head"]
    entry = LogEntry.objects.get(object_id=str(response.pk))
    assert entry.change_message == (
        "Moderated: first mark 14 (level 3) by Ann Adams, second mark 17 (level 4) by Cat "
        "Clark, agreed 16 (level 4)"
    )
    assert entry.user == department.staff["head"]
    client.force_login(response.student)
    assert "16" in client.get(response.get_absolute_url()).content.decode()


def test_a_mark_is_agreed_only_inside_its_band_and_after_a_second_mark(department):
    response = department.marked(14, "adams")
    department.marked(19, "adams")
    script_row = draw(department).scripts.get(response=response)
    with pytest.raises(ValidationError, match="no second mark yet"):
        moderation.agree_mark(script=script_row, head=department.staff["head"], level=4, mark=16)
    moderation.record_second_mark(
        script=script_row, marker=department.staff["clark"], level=4, mark=17
    )
    with pytest.raises(ValidationError, match="Level 3 is 11–15"):
        moderation.agree_mark(script=script_row, head=department.staff["head"], level=3, mark=16)
    with pytest.raises(ValidationError, match="heads of this subject"):
        moderation.agree_mark(script=script_row, head=department.staff["clark"], level=4, mark=16)
    response.refresh_from_db()
    assert (response.level, response.mark) == (3, 14)
    assert not LogEntry.objects.exists()
    moderation.agree_mark(script=script_row, head=department.staff["head"], level=4, mark=16)
    with pytest.raises(ValidationError, match="second mark stands"):
        moderation.record_second_mark(
            script=script_row, marker=department.staff["clark"], level=3, mark=12
        )
