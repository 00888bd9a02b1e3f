"""A student's classes: joining one with its code, the set work of every class they are in and
the redrafts their teachers asked for, with the one step that moves each piece on, and their
marks over time against their targets. The rules (who may join, each student's deadline, where
work stands) are in essays/classes.py, and those of redrafts in essays/redrafts.py."""

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from essays.classes import (
    JoinRefused,
    Status,
    StudentWork,
    due_in_words,
    join_class,
    work_for_student,
)
from essays.forms import JoinClassForm
from essays.models import Assignment, Enrolment, Response, TeachingGroup, normalise_join_code
from essays.redrafts import Redraft, RedraftStatus, redrafts_for_student
from essays.student_state import kept_whole_for_students


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """GET: the form, the code filled in from ?code= (a link a teacher shares). POST: join."""
    if request.method == "POST":
        form = JoinClassForm(request.POST)
        if form.is_valid():
            try:
                enrolment, joined = join_class(student=request.user, code=form.cleaned_data["code"])
            except JoinRefused as refused:
                form.add_error("code", str(refused))
            else:
                if joined:
                    messages.success(request, f"You joined {enrolment.group}.")
                else:
                    messages.info(request, f"You are already in {enrolment.group}.")
                return redirect("essays:classes")
    else:
        code = normalise_join_code(request.GET.get("code", ""))
        form = JoinClassForm(initial={"code": code[: JoinClassForm.base_fields["code"].max_length]})
    return render(
        request, "essays/join_class.html", {"form": form}, status=400 if form.errors else 200
    )


@dataclass(frozen=True)
class WorkRow:
    """One piece of set work as the classes page shows it, with the one step that moves it on:
    "start", "continue", "feedback", "submitted" or "closed" (past the cut-off, nothing in)."""

    work: StudentWork
    due_words: str
    overdue: bool
    step: str
    mark: str

    @property
    def assignment(self):
        return self.work.assignment


def due_words(work: StudentWork, now: datetime) -> str:
    """ "due tomorrow 09:00", "3 days late", "extended to Friday 09:00"; for work handed in
    after its date has passed, the date it was due (it is not late now)."""
    local = timezone.localtime(work.due_at)
    date = f"{local.day} {local:%b %H:%M}"
    if work.due_at >= now:
        words = due_in_words(work.due_at, now=now)
        return f"extended to {words.removeprefix('due ')}" if work.extension else words
    if work.handed_in:
        return f"extended to {date}" if work.extension else f"was due {date}"
    late = due_in_words(work.due_at, now=now)
    return f"{late} (extended to {date})" if work.extension else late


def next_step(work: StudentWork, now: datetime) -> str:
    if work.status is Status.RETURNED:
        return "feedback"
    if work.handed_in:
        return "submitted"
    if work.closed(now):
        return "closed"
    return "continue" if work.status is Status.DRAFT else "start"


def work_row(work: StudentWork, now: datetime) -> WorkRow:
    mark = ""
    if work.status is Status.RETURNED and work.latest.mark is not None:
        mark = f"{work.latest.mark} / {work.assignment.essay.marks_available}"
    return WorkRow(
        work=work,
        due_words=due_words(work, now),
        overdue=work.overdue(now),
        step=next_step(work, now),
        mark=mark,
    )


@dataclass(frozen=True)
class RedraftRow:
    """A redraft as the classes page shows it, with the step that moves it on: "start",
    "continue" or "handed in"."""

    redraft: Redraft
    due_words: str
    status: RedraftStatus
    step: str

    @property
    def returned(self):
        return self.redraft.returned


def redraft_row(redraft: Redraft, now: datetime) -> RedraftRow:
    if redraft.handed_in:
        step = "handed in"
        local = timezone.localtime(redraft.due_at)
        words = f"due {local.day} {local:%b %H:%M}"
    else:
        step = "start" if redraft.redraft is None else "continue"
        words = due_in_words(redraft.due_at, now=now)
    return RedraftRow(redraft=redraft, due_words=words, status=redraft.status(now), step=step)


@login_required
@require_safe
@kept_whole_for_students()
def class_list(request: HttpRequest) -> HttpResponse:
    """The student's classes and their set work: overdue first, then the soonest due, then
    what is handed in (essays.classes.work_for_student); and the redrafts asked of them, in the
    same order. The page is kept between visits until the student's work, their classes' set
    work or the day changes, or a deadline passes (essays/student_state.py)."""
    lists, until = class_lists(request)
    response = render(request, "essays/classes.html", {"lists": mark_safe(lists)})
    response.kept_until = until
    return response


def class_lists(request: HttpRequest) -> tuple[str, datetime]:
    """The classes page's lists, and the first moment they would read differently by the clock
    alone: the next midnight ("due tomorrow" becomes "due today"), deadline or cut-off, or set
    work yet to appear."""
    now = timezone.now()
    work = work_for_student(request.user, now=now)
    asked = redrafts_for_student(request.user, now=now)
    groups = list(
        TeachingGroup.objects.for_student(request.user)
        .select_related("subject", "level")
        .prefetch_related("teachers")
    )
    html = render_to_string(
        "essays/classes/lists.html",
        {
            "rows": [work_row(item, now) for item in work],
            "redraft_rows": [redraft_row(item, now) for item in asked],
            "groups": groups,
        },
        request=request,
    )
    moments = [next_midnight(now)]
    for item in work:
        moments += [item.due_at, item.assignment.cut_off_at]
    moments += [item.due_at for item in asked]
    moments.append(
        Assignment.objects.filter(group__in=groups, set_at__gt=now).aggregate(first=Min("set_at"))[
            "first"
        ]
    )
    return html, min(moment for moment in moments if moment is not None and moment > now)


def next_midnight(now: datetime) -> datetime:
    today = timezone.localtime(now).date()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time()))


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    percent: int
    label: str  # under the point, on the x axis: the date it was handed in


@dataclass(frozen=True)
class Segment:
    x1: float
    x2: float
    y: float


@dataclass(frozen=True)
class LineChart:
    """Geometry for a line chart of marks as percentages (0 to 100), computed here so the
    template only draws. The target is drawn as a level stretch under each mark: a target mark
    is a different share of essays with different marks available."""

    points: list[Point]
    line: str  # the polyline's points
    target: list[Segment]
    grid: list[tuple[float, str]]  # (y, "50%")
    left: float
    right: float
    bottom: float
    width: float
    height: float

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def grid_label_x(self) -> float:
        return self.left - 6


def line_chart(
    percents: list[tuple[int, str]],
    targets: list[float | None],
    *,
    width: int = 480,
    height: int = 220,
) -> LineChart:
    left, right, top, bottom = 44, width - 12, 24, height - 30
    slot = (right - left) / len(percents)

    def y_for(percent: float) -> float:
        return round(bottom - (bottom - top) * min(max(percent, 0), 100) / 100, 1)

    every = math.ceil(len(percents) / 8)  # at most eight dates under the axis
    points = [
        Point(
            x=round(left + slot * (index + 0.5), 1),
            y=y_for(percent),
            percent=percent,
            label=label if index % every == 0 else "",
        )
        for index, (percent, label) in enumerate(percents)
    ]
    target = [
        Segment(
            x1=round(left + slot * index, 1), x2=round(left + slot * (index + 1), 1), y=y_for(t)
        )
        for index, t in enumerate(targets)
        if t is not None
    ]
    return LineChart(
        points=points,
        line=" ".join(f"{point.x},{point.y}" for point in points),
        target=target,
        grid=[(y_for(percent), f"{percent}%") for percent in (0, 25, 50, 75, 100)],
        left=left,
        right=right,
        bottom=bottom,
        width=width,
        height=height,
    )


def day_month(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b}"


def percent_of(mark: int, marks_available: int) -> int:
    return round(100 * mark / max(marks_available, 1))


@dataclass(frozen=True)
class ClassProgress:
    enrolment: Enrolment
    marks: list[Response]  # returned set work of this class, oldest first
    chart: LineChart | None
    summary: str  # the chart's description for screen readers

    @property
    def group(self) -> TeachingGroup:
        return self.enrolment.group


def class_progress(enrolment: Enrolment, marks: list[Response]) -> ClassProgress:
    if not marks:
        return ClassProgress(enrolment=enrolment, marks=[], chart=None, summary="")
    percents = [percent_of(r.mark, r.essay.marks_available) for r in marks]
    target_mark = enrolment.target_mark
    targets = [
        None if target_mark is None else percent_of(target_mark, r.essay.marks_available)
        for r in marks
    ]
    labels = [day_month(r.submitted_at) for r in marks]
    summary = (
        f"Your marks in {enrolment.group} as a share of each essay's marks, oldest first: "
        + ", ".join(f"{percent}%" for percent in percents)
        + "."
    )
    if target_mark is not None:
        summary += f" Your target is {target_mark} marks (the dashed line)."
    return ClassProgress(
        enrolment=enrolment,
        marks=marks,
        chart=line_chart(list(zip(percents, labels, strict=True)), targets),
        summary=summary,
    )


@login_required
@require_safe
@kept_whole_for_students()
def progress(request: HttpRequest) -> HttpResponse:
    """For each class the student is in, their marks on its returned set work over time, against
    their target: a chart, and the same marks in a table. Kept between visits until the
    student's work or classes change (essays/student_state.py)."""
    enrolments = list(
        Enrolment.objects.current()
        .filter(student=request.user)
        .select_related("group", "group__subject")
        .order_by("group__name")
    )
    marks: dict[int, list[Response]] = {enrolment.group_id: [] for enrolment in enrolments}
    returned = (
        Response.objects.for_student(request.user)
        .filter(status=Response.Status.RETURNED, assignment__group__in=list(marks))
        .without_texts()
        .select_related("assignment")
        .order_by("submitted_at", "pk")
    )
    for student_response in returned:
        marks[student_response.assignment.group_id].append(student_response)
    classes = [class_progress(enrolment, marks[enrolment.group_id]) for enrolment in enrolments]
    return render(request, "essays/progress.html", {"classes": classes})
