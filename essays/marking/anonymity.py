"""Anonymous marking: set work marked without students' names.

While an assignment set with `anonymous_marking` has marks not yet released, staff pages,
exports and emails name each student's work by a candidate number ("Candidate 4821"), one per
student per assignment, the same for every attempt. A response's name shows again once it is
released (returned) or the whole assignment's marks are (`Assignment.marks_released_at`).
"""

import secrets

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from essays.models import Assignment, Candidate, Response
from essays.people import person_label

FIRST_NUMBER, LAST_NUMBER = 1000, 9999


def is_anonymous(student_response: Response) -> bool:
    """Whether staff see a candidate number rather than the student's name for this work."""
    assignment = student_response.assignment
    return bool(
        assignment is not None
        and assignment.anonymous_marking
        and assignment.marks_released_at is None
        and not student_response.is_returned
    )


def candidate_number(assignment: Assignment, student_id: int) -> int:
    """The student's candidate number for this work: chosen at random the first time it is
    needed, then kept (so it is the same on every page and every attempt)."""
    existing = Candidate.objects.filter(assignment=assignment, student_id=student_id).first()
    if existing is not None:
        return existing.number
    taken = set(Candidate.objects.filter(assignment=assignment).values_list("number", flat=True))
    for _ in range(20):
        number = FIRST_NUMBER + secrets.randbelow(LAST_NUMBER - FIRST_NUMBER + 1)
        if number in taken:
            continue
        try:
            with transaction.atomic():
                return Candidate.objects.create(
                    assignment=assignment, student_id=student_id, number=number
                ).number
        except IntegrityError:
            # Another request numbered this student (or took this number) meanwhile.
            existing = Candidate.objects.filter(
                assignment=assignment, student_id=student_id
            ).first()
            if existing is not None:
                return existing.number
            taken.add(number)
    raise RuntimeError("No free candidate number was found for this set work.")


def number_candidates(assignment: Assignment) -> dict[int, int]:
    """Candidate numbers for every student who has handed in work for `assignment`, created
    for any who have none yet: {student id: number}."""
    students = (
        Response.objects.filter(assignment=assignment)
        .submitted_or_returned()
        .values_list("student_id", flat=True)
        .distinct()
    )
    numbers = dict(
        Candidate.objects.filter(assignment=assignment).values_list("student_id", "number")
    )
    for student_id in set(students) - numbers.keys():
        numbers[student_id] = candidate_number(assignment, student_id)
    return numbers


def student_label(student_response: Response) -> str:
    """How staff pages name the student whose work this is: "Candidate 4821" while it is
    marked anonymously, "Maya Patel (mpatel)" otherwise."""
    if is_anonymous(student_response):
        number = candidate_number(student_response.assignment, student_response.student_id)
        return f"Candidate {number}"
    return person_label(student_response.student)


REVEALED_SESSION_KEY = "revealed_responses"


def is_revealed(request, student_response: Response) -> bool:
    """Whether this member of staff deliberately opened the name behind this work (in this
    session): see `reveal`."""
    return student_response.pk in request.session.get(REVEALED_SESSION_KEY, [])


def reveal(request, student_response: Response) -> None:
    """Show this member of staff the name behind anonymous work for the rest of their session,
    recorded in the response's history (the admin's log) as who opened it and when. The
    record names the work by its candidate number, since the history is read while the work
    is still anonymous."""
    revealed = request.session.get(REVEALED_SESSION_KEY, [])
    if student_response.pk not in revealed:
        request.session[REVEALED_SESSION_KEY] = [*revealed, student_response.pk]
    number = candidate_number(student_response.assignment, student_response.student_id)
    LogEntry.objects.create(
        user_id=request.user.pk,
        content_type=ContentType.objects.get_for_model(Response),
        object_id=str(student_response.pk),
        object_repr=f"Candidate {number}, attempt {student_response.attempt}",
        action_flag=CHANGE,
        change_message="Opened the student's name while the work was marked anonymously.",
    )
