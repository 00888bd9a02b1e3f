"""Moderation: a head of department draws a sample of a piece of set work's marked scripts, a
second teacher marks them blind, and the two marks are compared and, where they differ, agreed.

Who may do what (`may_draw`, `may_second_mark`, `may_see_report`, `samples_for`), drawing a
sample (`draw_sample`, choosing with `choose_scripts`), recording a blind second mark
(`record_second_mark`), the agreement arithmetic (`agreement`, `agreement_by_marker`) and
agreeing a mark (`agree_mark`). The report's scatter plot is drawn by moderation_plot.py.
"""

import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from essays import student_state
from essays.marking.anonymity import student_label
from essays.marking.rules import check_mark
from essays.models import Assignment, ModerationSample, ModerationScript, Response, Subject
from essays.people import display_name

# Who may be asked to second-mark: staff in the groups that mark.
MARKING_GROUPS = ("Teachers", "Heads of department")
MIN_PER_MARKER = 2
MAX_PER_MARKER = 50
# Seeds are stored in a PositiveIntegerField: kept below the smallest database's limit.
MAX_SEED = 2**31 - 1


# Who may do what -----------------------------------------------------------------------------


def heads(user):
    """A condition on samples: of a subject this user heads."""
    return Exists(
        Subject.heads.through.objects.filter(
            subject_id=OuterRef("assignment__group__subject_id"), user_id=user.pk
        )
    )


def samples_for(user):
    """The samples a member of staff may see: those they drew, those of the subjects they head,
    and those they are the second marker of; every one for superusers. Each is annotated with
    `headed` (the user heads its subject), which `may_see_report` reads."""
    if not user.is_authenticated:
        return ModerationSample.objects.none()
    samples = ModerationSample.objects.annotate(headed=heads(user))
    if user.is_superuser:
        return samples
    return samples.filter(Q(drawn_by=user) | Q(second_marker=user) | Q(headed=True))


def drawable_assignments(user):
    """The set work this user may draw samples of: that of the subjects they head."""
    if user.is_superuser:
        return Assignment.objects.all()
    if not user.is_authenticated or not user.has_perm("essays.add_moderationsample"):
        return Assignment.objects.none()
    return Assignment.objects.filter(group__subject__heads=user)


def may_draw(user, assignment: Assignment) -> bool:
    return drawable_assignments(user).filter(pk=assignment.pk).exists()


def possible_second_markers():
    """Active staff in a marking group: who may be asked to mark a sample blind."""
    return (
        get_user_model()
        .objects.filter(
            Exists(
                get_user_model().groups.through.objects.filter(
                    user_id=OuterRef("pk"), group__name__in=MARKING_GROUPS
                )
            ),
            is_active=True,
            is_staff=True,
        )
        .order_by("first_name", "last_name", "username")
    )


def may_second_mark(user, sample: ModerationSample) -> bool:
    return user.is_superuser or sample.second_marker_id == user.pk


def may_see_report(user, sample: ModerationSample) -> bool:
    """The report shows first marks, and agrees marks: for whoever drew the sample, heads of
    its subject and superusers. A sample read through `samples_for` knows whether the user
    heads its subject; any other is asked."""
    if user.is_superuser or sample.drawn_by_id == user.pk:
        return True
    headed = getattr(sample, "headed", None)
    if headed is None:
        headed = Subject.heads.through.objects.filter(
            subject_id=sample.assignment.group.subject_id, user_id=user.pk
        ).exists()
    return bool(headed)


# Drawing a sample ----------------------------------------------------------------------------


def marked_scripts(assignment: Assignment):
    """Each student's latest handed-in attempt at this work, if it is marked and we know who
    marked it: what a sample is drawn from."""
    later = Response.objects.submitted_or_returned().filter(
        assignment=assignment, student=OuterRef("student"), attempt__gt=OuterRef("attempt")
    )
    return (
        Response.objects.submitted_or_returned()
        .filter(assignment=assignment, mark__isnull=False, marked_by__isnull=False)
        .exclude(Exists(later))
        .only("pk", "student_id", "marked_by_id", "level", "mark", "submitted_at", "attempt")
    )


def choose_scripts(scripts: Iterable, *, per_marker: int, seed: int) -> list:
    """`per_marker` scripts of each marker (all of them when they marked no more), always
    with their top and bottom mark (of equal marks, the earliest submitted), the rest at
    random from `seed`; in an order shuffled from the same seed, so the order a second marker
    meets them in says nothing about the first marks. Pure: the same scripts and seed always
    give the same sample."""
    rng = random.Random(seed)
    by_marker: dict[int, list] = {}
    for script in sorted(scripts, key=lambda script: script.pk):
        by_marker.setdefault(script.marked_by_id, []).append(script)
    chosen = []
    for marker in sorted(by_marker):
        theirs = by_marker[marker]
        if len(theirs) <= per_marker:
            chosen.extend(theirs)
            continue
        top = min(theirs, key=lambda s: (-s.mark, s.submitted_at, s.pk))
        bottom = min(theirs, key=lambda s: (s.mark, s.submitted_at, s.pk))
        picked = [top] if top is bottom else [top, bottom]
        rest = [script for script in theirs if script not in picked]
        chosen.extend(picked + rng.sample(rest, per_marker - len(picked)))
    rng.shuffle(chosen)
    return chosen


def check_sample(*, assignment: Assignment, per_marker: int, second_marker, drawn_by) -> list:
    """The scripts a sample would be drawn from, or ValidationError (by field) saying why none
    can be drawn. The second marker's own scripts are left out: nobody moderates themselves."""
    if not may_draw(drawn_by, assignment):
        raise ValidationError(
            {"assignment": "Choose set work of a subject you head of department for."}
        )
    if not MIN_PER_MARKER <= per_marker <= MAX_PER_MARKER:
        raise ValidationError(
            {
                "per_marker": f"Draw between {MIN_PER_MARKER} (each marker's top and bottom "
                f"mark) and {MAX_PER_MARKER} scripts of each marker."
            }
        )
    if not possible_second_markers().filter(pk=second_marker.pk).exists():
        raise ValidationError(
            {
                "second_marker": f"{display_name(second_marker)} does not mark work here: choose "
                "a teacher or a head of department."
            }
        )
    scripts = list(marked_scripts(assignment))
    if not scripts:
        raise ValidationError(
            {
                "assignment": "Nothing of this work has been marked yet (with its marker "
                "recorded, as returning work records it): draw a sample once its scripts are "
                "marked."
            }
        )
    others = [script for script in scripts if script.marked_by_id != second_marker.pk]
    if not others:
        raise ValidationError(
            {
                "second_marker": f"{display_name(second_marker)} marked every marked script of "
                "this work, and cannot moderate their own marking: choose someone else."
            }
        )
    return others


def draw_sample(
    *,
    assignment: Assignment,
    per_marker: int,
    second_marker,
    drawn_by,
    seed: int | None = None,
) -> ModerationSample:
    """Draw a sample (see `choose_scripts`) and snapshot each script's first mark, all in one
    transaction. Raises ValidationError (by field) when no sample can be drawn."""
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    with transaction.atomic():
        scripts = check_sample(
            assignment=assignment,
            per_marker=per_marker,
            second_marker=second_marker,
            drawn_by=drawn_by,
        )
        sample = ModerationSample.objects.create(
            assignment=assignment,
            per_marker=per_marker,
            seed=seed,
            second_marker=second_marker,
            drawn_by=drawn_by,
        )
        ModerationScript.objects.bulk_create(
            ModerationScript(
                sample=sample,
                response=script,
                first_marker_id=script.marked_by_id,
                first_level=script.level,
                first_mark=script.mark,
            )
            for script in choose_scripts(scripts, per_marker=per_marker, seed=seed)
        )
    return sample


# Second marking ------------------------------------------------------------------------------


def record_second_mark(
    *, script: ModerationScript, marker, level: int | None, mark: int | None
) -> None:
    """The second marker's blind mark of a script, checked as any mark is (`check_mark`). Once
    a mark has been agreed, the second mark stands as it was."""
    if not may_second_mark(marker, script.sample):
        raise ValidationError("Only the sample's second marker marks its scripts.")
    mark_level = check_mark(essay=script.response.essay, level=level, mark=mark)
    now = timezone.now()
    level = mark_level.number if mark_level else None
    updated = ModerationScript.objects.filter(pk=script.pk, agreed_mark__isnull=True).update(
        second_level=level, second_mark=mark, second_marked_at=now
    )
    if not updated:
        raise ValidationError("A mark has been agreed for this script: its second mark stands.")
    script.second_level, script.second_mark, script.second_marked_at = level, mark, now


def next_to_mark(sample: ModerationSample, *, after: ModerationScript | None = None):
    """The next script the second marker has not marked: after `after` in the sample's order,
    else the first; None when every script is marked."""
    waiting = sample.scripts.filter(second_mark__isnull=True).order_by("pk")
    if after is not None:
        following = waiting.filter(pk__gt=after.pk).first()
        if following is not None:
            return following
    return waiting.first()


# The agreement arithmetic --------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """How far a second marking agrees with the first over a set of scripts: differences are
    second mark minus first, so a positive mean says the first marker marked low."""

    scripts: int
    # Scripts whose two levels are both known (none without a mark scheme), and how many of
    # them are in the same level.
    levelled: int
    same_level: int
    mean_difference: float | None
    mean_absolute_difference: float | None
    largest_difference: int | None

    @property
    def same_level_share(self) -> float | None:
        return self.same_level / self.levelled if self.levelled else None


def agreement(scripts: Sequence) -> Agreement:
    """The agreement over `scripts` (anything with first_/second_ level and mark): those not
    yet second-marked are left out."""
    marked = [script for script in scripts if script.second_mark is not None]
    differences = [script.second_mark - script.first_mark for script in marked]
    levelled = [
        script
        for script in marked
        if script.first_level is not None and script.second_level is not None
    ]
    return Agreement(
        scripts=len(marked),
        levelled=len(levelled),
        same_level=sum(script.first_level == script.second_level for script in levelled),
        mean_difference=sum(differences) / len(differences) if differences else None,
        mean_absolute_difference=(
            sum(abs(d) for d in differences) / len(differences) if differences else None
        ),
        largest_difference=max((abs(d) for d in differences), default=None),
    )


def agreement_by_marker(scripts: Sequence) -> list[tuple[object, Agreement]]:
    """The agreement for each first marker (by name), as (marker, Agreement): `scripts` must
    have their first_marker selected. A marker whose account was deleted is None."""
    by_marker: dict = {}
    for script in scripts:
        by_marker.setdefault(script.first_marker_id, []).append(script)
    return sorted(
        ((theirs[0].first_marker, agreement(theirs)) for theirs in by_marker.values()),
        key=lambda pair: display_name(pair[0]).casefold() if pair[0] else "",
    )


# Agreeing a mark -----------------------------------------------------------------------------


def describe_mark(mark: int, level: int | None) -> str:
    return f"{mark} (level {level})" if level is not None else str(mark)


def agree_mark(*, script: ModerationScript, head, level: int | None, mark: int | None) -> None:
    """The mark the head of department agrees after moderation replaces the response's level
    and mark (a returned response shows its student the new mark), and is recorded with the
    first and second marks: on the script, and in the response's history. One transaction."""
    if not may_see_report(head, script.sample):
        raise ValidationError("Only the heads of this subject agree moderated marks.")
    if script.second_mark is None:
        raise ValidationError("This script has no second mark yet: agree a mark once it has.")
    mark_level = check_mark(essay=script.response.essay, level=level, mark=mark)
    level = mark_level.number if mark_level else None
    now = timezone.now()
    with transaction.atomic():
        student_response = Response.objects.select_for_update().get(pk=script.response_id)
        Response.objects.filter(pk=student_response.pk).update(
            level=level, mark=mark, updated_at=now
        )
        student_state.student_changed(student_response.student_id)
        ModerationScript.objects.filter(pk=script.pk).update(
            agreed_level=level, agreed_mark=mark, agreed_by=head, agreed_at=now
        )
        first = display_name(script.first_marker) if script.first_marker else "a former teacher"
        second = display_name(script.sample.second_marker)
        LogEntry.objects.create(
            user_id=head.pk,
            content_type=ContentType.objects.get_for_model(Response),
            object_id=str(student_response.pk),
            object_repr=f"{student_label(student_response)}, attempt {student_response.attempt}",
            action_flag=CHANGE,
            change_message=(
                f"Moderated: first mark {describe_mark(script.first_mark, script.first_level)} "
                f"by {first}, second mark "
                f"{describe_mark(script.second_mark, script.second_level)} by {second}, "
                f"agreed {describe_mark(mark, level)}"
            ),
        )
    script.agreed_level, script.agreed_mark, script.agreed_by, script.agreed_at = (
        level,
        mark,
        head,
        now,
    )
