"""What teachers read about a class's set work: the board of one piece of work (every student
in the class, where their work stands, late or not, its words, key points, similarity and mark)
and the markbook of a class (students × set work). Each is a fixed handful of queries however
big the class, and neither reads a text.

Where a student's work stands follows essays.classes (StudentWork): the latest attempt they
handed in, or their draft if they have handed nothing in, against their own deadline (their
extension's, if they have one). Drafts are the student's own: the board says one exists, and
nothing more.

Set work marked anonymously (essays.marking.anonymity) keeps names apart from scripts until its
marks are released: the board names handed-in work by candidate number (sorted by it, after
the named students), and the markbook, which lists students by name, says only that such work
is handed in, without its mark, whether it is marked, or whether it was late, and leaves its
marks out of the averages.
"""

import csv
import functools
import html
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.text import slugify

from essays.classes import Status, StudentWork, due_in_words, effective_due, is_late
from essays.marking.anonymity import candidate_label, hides_names, is_anonymous, number_students
from essays.marking.export import safe_cell
from essays.models import Assignment, Enrolment, Extension, Response, TeachingGroup
from essays.people import display_name, person_label

# The essay's long texts, deferred wherever set work is listed (here and in the admin).
ESSAY_TEXTS = ("essay__body", "essay__search_document", "essay__search_vector")


def current_members(group: TeachingGroup) -> list[Enrolment]:
    return list(group.enrolments.current().select_related("student"))


def student_work(
    assignment: Assignment,
    responses: list[Response],
    extension: Extension | None,
) -> StudentWork:
    """One student's standing on one piece of work, from their responses to it (attempt
    order). A redraft the teacher asked for is not an attempt at the work (essays/classes.py):
    it changes neither where the work stands nor how late it was."""
    responses = [r for r in responses if r.redraft_of_id is None]
    handed_in = [r for r in responses if not r.is_draft]
    latest = handed_in[-1] if handed_in else next((r for r in responses if r.is_draft), None)
    return StudentWork(
        assignment=assignment,
        due_at=effective_due(assignment, extension),
        extension=extension,
        latest=latest,
        submitted_attempts=len(handed_in),
    )


# What the board, the markbook and the reminders read of each response: no text, nor anything
# else a class's hundreds of responses would be read for in vain.
RESPONSE_FIELDS = (
    "student",
    "essay",
    "assignment",
    "attempt",
    "status",
    "word_count",
    "submitted_at",
    "level",
    "mark",
    "redraft_due_at",
    "redraft_of",
    "similarity",
    "key_points_covered",
    "key_points_total",
)


def responses_by_student(responses) -> dict[tuple[int, int], list[Response]]:
    """(assignment id, student id) → their responses, in attempt order."""
    grouped: dict[tuple[int, int], list[Response]] = {}
    for student_response in responses.only(*RESPONSE_FIELDS).order_by("attempt"):
        key = (student_response.assignment_id, student_response.student_id)
        grouped.setdefault(key, []).append(student_response)
    return grouped


class HandedIn:
    """What a teacher reads of one student's work on one piece of set work (`self.work`): the
    attempt handed in, and its mark. Worked out once a row or cell: the pages read it again
    and again (a markbook's 600 cells)."""

    work: StudentWork

    @cached_property
    def handed_in(self) -> Response | None:
        """The attempt a teacher may open and mark."""
        return self.work.latest if self.work.handed_in else None

    @property
    def mark(self) -> int | None:
        return self.handed_in.mark if self.handed_in else None


class EnrolledStudent:
    """A row of the board or the markbook: one member of the class (`self.enrolment`)."""

    enrolment: Enrolment

    @property
    def student(self):
        return self.enrolment.student

    @property
    def name(self) -> str:
        return person_label(self.student)


@dataclass
class BoardRow(EnrolledStudent, HandedIn):
    enrolment: Enrolment
    work: StudentWork
    now: datetime
    # The candidate number shown instead of the name while the work is marked anonymously.
    candidate: int | None = None
    # The student's latest redraft of this work, when their teacher asked for one.
    redraft: Response | None = None

    @property
    def name(self) -> str:
        return person_label(self.student) if self.candidate is None else self.candidate_label

    @property
    def candidate_label(self) -> str:
        return candidate_label(self.candidate)

    @property
    def status(self) -> Status:
        return self.work.status

    @property
    def marking(self) -> str:
        """Where the marking of the work handed in stands: "not marked", "marked, not
        released", "released"; empty when nothing is handed in."""
        handed_in = self.handed_in
        if handed_in is None:
            return ""
        if self.redraft is not None:
            if self.redraft.is_draft:
                return "released, redraft being written"
            return "redraft released" if self.redraft.is_returned else "redraft handed in"
        if handed_in.is_returned:
            return "released"
        return "not marked" if handed_in.mark is None else "marked, not released"

    @property
    def redraft_due_at(self) -> datetime | None:
        """When the redraft is due, if the work was released for redraft."""
        return self.handed_in.redraft_due_at if self.handed_in else None

    @property
    def submitted_at(self) -> datetime | None:
        return self.handed_in.submitted_at if self.handed_in else None

    @property
    def late_seconds(self) -> float:
        """How late, for sorting: handed in late, or overdue and still not in."""
        until = self.submitted_at or (None if self.work.handed_in else self.now)
        if until is None or until <= self.work.due_at:
            return 0
        return (until - self.work.due_at).total_seconds()

    @property
    def late_by(self) -> str:
        """ "2 days late", "3 hours late"; empty if not late."""
        if not self.late_seconds:
            return ""
        return due_in_words(self.work.due_at, now=self.submitted_at or self.now)

    @property
    def words(self) -> int | None:
        return self.handed_in.word_count if self.handed_in else None

    @property
    def key_points(self) -> str:
        handed_in = self.handed_in
        if handed_in is None or not handed_in.key_points_total:
            return ""
        return f"{handed_in.key_points_made}/{handed_in.key_points_total}"

    @property
    def key_points_share(self) -> float | None:
        handed_in = self.handed_in
        if handed_in is None or not handed_in.key_points_total:
            return None
        return handed_in.key_points_made / handed_in.key_points_total

    @property
    def similarity(self) -> float | None:
        return self.handed_in.similarity if self.handed_in else None


# Work that needs chasing first.
STATUS_ORDER = [Status.NOT_STARTED, Status.DRAFT, Status.LATE, Status.SUBMITTED, Status.RETURNED]

BOARD_SORTS = {
    # Named students by last name, then candidates by number: sorted among the names by their
    # hidden ones, candidates would give away who they are.
    "name": lambda row: (
        (0, row.student.last_name.lower(), row.student.first_name.lower())
        if row.candidate is None
        else (1, row.candidate)
    ),
    "status": lambda row: STATUS_ORDER.index(row.status),
    "submitted": lambda row: row.submitted_at,
    "late": lambda row: row.late_seconds,
    "words": lambda row: row.words,
    "key_points": lambda row: row.key_points_share,
    "similarity": lambda row: row.similarity,
    "mark": lambda row: row.mark,
}


def sort_board(rows: list[BoardRow], order: str) -> tuple[list[BoardRow], str]:
    """Rows sorted by a column ("mark", or "-mark" for descending); rows with nothing in that
    column (no mark yet) go last either way. An unknown column sorts by name. Returns the rows
    and the order used."""
    column = order.removeprefix("-")
    if column not in BOARD_SORTS:
        column, order = "name", "name"
    descending = order.startswith("-")
    key = BOARD_SORTS[column]
    by_name = sorted(rows, key=BOARD_SORTS["name"])
    present = [row for row in by_name if key(row) is not None]
    missing = [row for row in by_name if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing, order


def latest_redraft(responses: list[Response]) -> Response | None:
    """The last redraft among a student's responses to a piece of work (attempt order)."""
    return next((r for r in reversed(responses) if r.redraft_of_id is not None), None)


def assignment_board(assignment: Assignment, *, now: datetime | None = None) -> list[BoardRow]:
    """Every current member of the class and where their work on this assignment stands,
    in the class's order (last name). Three queries: the members, the extensions, the
    responses (without their texts); and, for work marked anonymously, the candidate numbers
    (numbering in one go any student who has none yet)."""
    now = now or timezone.now()
    enrolments = current_members(assignment.group)
    extensions = {
        extension.student_id: extension
        for extension in Extension.objects.filter(assignment=assignment)
    }
    responses = responses_by_student(Response.objects.filter(assignment=assignment))
    rows = [
        BoardRow(
            enrolment=enrolment,
            work=student_work(
                assignment,
                responses.get((assignment.pk, enrolment.student_id), []),
                extensions.get(enrolment.student_id),
            ),
            now=now,
            redraft=latest_redraft(responses.get((assignment.pk, enrolment.student_id), [])),
        )
        for enrolment in enrolments
    ]
    if hides_names(assignment):
        anonymous = [
            row
            for row in rows
            if row.handed_in is not None and is_anonymous(row.handed_in, assignment=assignment)
        ]
        if anonymous:
            numbers = number_students(assignment, [row.student.pk for row in anonymous])
            for row in anonymous:
                row.candidate = numbers[row.student.pk]
    return rows


ANONYMOUS_HANDED_IN = "handed in"


class MarkingPages:
    """The addresses of responses' marking pages, for a page that links to hundreds of them
    (a markbook's cells): the URL is reversed once and each response's id put in it."""

    def __init__(self):
        self.parts = None

    def __call__(self, pk: int) -> str:
        if self.parts is None:
            # Reversed on first use, inside the request, so the site's own prefix is in it.
            self.parts = reverse("admin:essays_response_change", args=[0]).rsplit("/0/", 1)
        before, after = self.parts
        return f"{before}/{pk}/{after}"


def escape(value) -> str:
    """A value escaped for HTML, as the template would write it."""
    return html.escape(str(value))


@functools.cache
def state_class(state: str) -> str:
    """A markbook cell's class for where the work stands: "status-not-started"…"""
    return f"status-{slugify(state)}"


@dataclass
class MarkbookCell(HandedIn):
    work: StudentWork
    marking_pages: MarkingPages | None = None

    @cached_property
    def anonymous(self) -> bool:
        """Handed in for anonymous marking, marks not yet released: beside a name, the cell
        says no more than that it is handed in."""
        handed_in = self.handed_in
        return handed_in is not None and is_anonymous(handed_in, assignment=self.work.assignment)

    @cached_property
    def opens(self) -> Response | None:
        """The attempt the cell links to: none for anonymous work, whose marking page (by
        candidate number) a link from a name would tie to that name."""
        return None if self.anonymous else self.handed_in

    @cached_property
    def opens_url(self) -> str:
        """The marking page the cell links to, if it links to one."""
        if self.opens is None:
            return ""
        return (self.marking_pages or MarkingPages())(self.opens.pk)

    @cached_property
    def mark(self) -> int | None:
        return None if self.anonymous else super().mark

    @cached_property
    def level(self) -> int | None:
        return self.opens.level if self.opens else None

    @cached_property
    def late(self) -> bool:
        opens = self.opens
        return opens is not None and is_late(opens.submitted_at, self.work.due_at)

    @cached_property
    def work_status(self) -> Status:
        return self.work.status

    @cached_property
    def late_flag(self) -> bool:
        """Handed in late, and the status does not already say so."""
        return self.late and self.work_status != Status.LATE

    @cached_property
    def overdue(self) -> bool:
        return self.work.overdue(timezone.now())

    @cached_property
    def state(self) -> str:
        """Where the work stands, for the page's styles: "handed in" for anonymous work."""
        return ANONYMOUS_HANDED_IN if self.anonymous else str(self.work_status)

    @cached_property
    def html(self) -> SafeString:
        """The cell as the markbook's table shows it: the mark (and level) or, until there is
        one, where the work stands, linked to the marking page when a teacher may open it from
        here; flagged late or overdue. Written here, every value escaped, rather than by the
        template's tags and filters, which took most of the page's time over a class's 600
        cells."""
        if self.opens is None:
            shown = escape(self.status)
        else:
            if self.mark is None:
                text = escape(self.work_status)
            elif self.level:
                text = f'{escape(self.mark)} <span class="quiet">(L{escape(self.level)})</span>'
            else:
                text = escape(self.mark)
            shown = f'<a href="{escape(self.opens_url)}">{text}</a>'
        if self.late_flag:
            shown += ' <span class="flag-late">late</span>'
        elif self.overdue:
            shown += ' <span class="flag-late">overdue</span>'
        return SafeString(f'<td class="markbook-cell {state_class(self.state)}">{shown}</td>')

    @cached_property
    def status(self) -> str:
        """ "returned", "submitted", "late", "draft", "not started"; "(late)" after a late
        piece of work once it is returned; "handed in" for anonymous work."""
        if self.anonymous:
            return ANONYMOUS_HANDED_IN
        status = str(self.work_status)
        if self.work_status is Status.RETURNED and self.late:
            return f"{status} (late)"
        return status


@dataclass
class MarkbookRow(EnrolledStudent):
    enrolment: Enrolment
    cells: list[MarkbookCell]

    @property
    def average(self) -> float | None:
        marks = [cell.mark for cell in self.cells if cell.mark is not None]
        return round(sum(marks) / len(marks), 1) if marks else None


@dataclass
class Markbook:
    group: TeachingGroup
    assignments: list[Assignment]
    rows: list[MarkbookRow]

    @property
    def has_anonymous(self) -> bool:
        return any(cell.anonymous for row in self.rows for cell in row.cells)

    def averages(self) -> list[float | None]:
        """Each piece of work's average mark over the students with one."""
        averages = []
        for index in range(len(self.assignments)):
            marks = [row.cells[index].mark for row in self.rows]
            marks = [mark for mark in marks if mark is not None]
            averages.append(round(sum(marks) / len(marks), 1) if marks else None)
        return averages


def class_markbook(group: TeachingGroup) -> Markbook:
    """The class's current members × its set work (soonest due first). Four queries: the set
    work, the members, the extensions, the responses (without their texts)."""
    assignments = list(
        group.assignments.select_related("essay").defer(*ESSAY_TEXTS).order_by("due_at", "pk")
    )
    enrolments = current_members(group)
    extensions = {
        (extension.assignment_id, extension.student_id): extension
        for extension in Extension.objects.filter(assignment__group=group)
    }
    responses = responses_by_student(Response.objects.filter(assignment__group=group))
    marking_pages = MarkingPages()
    rows = [
        MarkbookRow(
            enrolment=enrolment,
            cells=[
                MarkbookCell(
                    student_work(
                        assignment,
                        responses.get((assignment.pk, enrolment.student_id), []),
                        extensions.get((assignment.pk, enrolment.student_id)),
                    ),
                    marking_pages,
                )
                for assignment in assignments
            ],
        )
        for enrolment in enrolments
    ]
    return Markbook(group=group, assignments=assignments, rows=rows)


def markbook_csv(markbook: Markbook) -> HttpResponse:
    """The markbook as CSV: per piece of work, the mark and where the work stands. Safe to open
    in a spreadsheet (no cell runs as a formula) and read as UTF-8."""
    group = markbook.group
    download = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"markbook {group.name} {group.year_label}") or "markbook"
    download["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    download.write("\ufeff")  # spreadsheets then read the file as UTF-8
    writer = csv.writer(download)
    header = ["Student", "Username", "Target"]
    for assignment in markbook.assignments:
        title = (
            f"{assignment.essay.headline} "
            f"(due {timezone.localtime(assignment.due_at):%Y-%m-%d}, "
            f"out of {assignment.essay.marks_available})"
        )
        header += [safe_cell(f"{title}: mark"), safe_cell(f"{title}: status")]
    writer.writerow(header)
    for row in markbook.rows:
        student = row.student
        cells = [
            safe_cell(display_name(student)),
            safe_cell(student.get_username()),
            safe_cell(row.enrolment.target),
        ]
        for cell in row.cells:
            cells += ["" if cell.mark is None else cell.mark, cell.status]
        writer.writerow(cells)
    return download
