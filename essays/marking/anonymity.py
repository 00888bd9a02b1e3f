"""Anonymous marking: set work marked without students' names.

While an assignment set with `anonymous_marking` has marks not yet released, staff pages,
exports and emails name each student's work by a candidate number ("Candidate 4821"), one per
student per assignment, the same for every attempt. A response's name shows again once it is
released (returned) or the whole assignment's marks are (`Assignment.marks_released_at`).

Numbers are drawn at random, not in the order work came in, so a number says nothing about who
handed in first. Lists read them with the rows (`with_candidate_numbers`, one subquery) and
number any student who has none yet in one go (`number_students`), never a query per row.

A member of staff may still open the name behind one script deliberately (`reveal`): for the
rest of their session only, recorded in the response's history.
"""

import secrets

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from essays.models import Assignment, Candidate, Response
from essays.people import person_label

FIRST_NUMBER, LAST_NUMBER = 1000, 9999
# The annotation `with_candidate_numbers` adds to each response.
ANNOTATION = "candidate_number"
# An anonymous response whose student has no number yet (`with_candidate_numbers`).
UNNUMBERED = 0


def hides_names(assignment: Assignment | None) -> bool:
    """Whether this set work is marked anonymously and its marks are not yet all released."""
    return bool(
        assignment is not None
        and assignment.anonymous_marking
        and assignment.marks_released_at is None
    )


def is_anonymous(student_response: Response, *, assignment: Assignment | None = None) -> bool:
    """Whether staff see a candidate number rather than the student's name for this work.
    Pass the response's `assignment` when it is at hand, to save reading it again."""
    if assignment is None:
        assignment = student_response.assignment
    return hides_names(assignment) and not student_response.is_returned


def candidate_label(number: int) -> str:
    return f"Candidate {number}"


def free_numbers(taken: set[int], count: int) -> list[int]:
    """`count` numbers not in `taken`, at random."""
    available = [n for n in range(FIRST_NUMBER, LAST_NUMBER + 1) if n not in taken]
    if len(available) < count:
        raise RuntimeError("No free candidate number was found for this set work.")
    return secrets.SystemRandom().sample(available, count)


def candidate_number(assignment: Assignment | int, student_id: int) -> int:
    """The student's candidate number for this work (an Assignment or its id): chosen at
    random the first time it is needed, then kept (so it is the same on every page and every
    attempt)."""
    assignment_id = getattr(assignment, "pk", assignment)
    existing = Candidate.objects.filter(assignment_id=assignment_id, student_id=student_id).first()
    if existing is not None:
        return existing.number
    taken = set(
        Candidate.objects.filter(assignment_id=assignment_id).values_list("number", flat=True)
    )
    for _ in range(20):
        (number,) = free_numbers(taken, 1)
        try:
            with transaction.atomic():
                return Candidate.objects.create(
                    assignment_id=assignment_id, student_id=student_id, number=number
                ).number
        except IntegrityError:
            # Another request numbered this student (or took this number) meanwhile.
            existing = Candidate.objects.filter(
                assignment_id=assignment_id, student_id=student_id
            ).first()
            if existing is not None:
                return existing.number
            taken.add(number)
    raise RuntimeError("No free candidate number was found for this set work.")


def number_students(assignment: Assignment | int, student_ids) -> dict[int, int]:
    """Candidate numbers for these students on this work, giving any who have none a number:
    {student id: number} for every student numbered on the work. One query when all have
    numbers, a few more (never one per student) when some are new."""
    assignment_id = getattr(assignment, "pk", assignment)
    numbers = dict(
        Candidate.objects.filter(assignment_id=assignment_id).values_list("student_id", "number")
    )
    missing = sorted(set(student_ids) - numbers.keys())
    if not missing:
        return numbers
    chosen = free_numbers(set(numbers.values()), len(missing))
    try:
        with transaction.atomic():
            Candidate.objects.bulk_create(
                Candidate(assignment_id=assignment_id, student_id=student_id, number=number)
                for student_id, number in zip(missing, chosen, strict=True)
            )
        numbers.update(zip(missing, chosen, strict=True))
    except IntegrityError:
        # Another request numbered some of them meanwhile: one at a time, keeping theirs.
        for student_id in missing:
            numbers[student_id] = candidate_number(assignment_id, student_id)
    return numbers


def number_candidates(assignment: Assignment) -> dict[int, int]:
    """Candidate numbers for every student who has handed in work for `assignment`, created
    for any who have none yet: {student id: number}."""
    students = (
        Response.objects.filter(assignment=assignment)
        .submitted_or_returned()
        .values_list("student_id", flat=True)
        .distinct()
    )
    return number_students(assignment, set(students))


def with_candidate_numbers(responses):
    """`responses` with `candidate_number` on each: the number staff see instead of the name,
    UNNUMBERED (0) for anonymous work whose student has no number yet, None where the name
    shows. One subquery, read with the rows."""
    hidden = Exists(
        Assignment.objects.filter(
            pk=OuterRef("assignment_id"), anonymous_marking=True, marks_released_at__isnull=True
        )
    ) & ~Q(status=Response.Status.RETURNED)
    number = Candidate.objects.filter(
        assignment_id=OuterRef("assignment_id"), student_id=OuterRef("student_id")
    ).values("number")[:1]
    return responses.annotate(
        **{
            ANNOTATION: Case(
                When(hidden, then=Coalesce(Subquery(number), Value(UNNUMBERED))),
                default=None,
                output_field=IntegerField(),
            )
        }
    )


def fill_candidate_numbers(responses) -> None:
    """Number the students of any anonymous responses in this list (read through
    `with_candidate_numbers`) who have no number yet, and put it on each response: one
    `number_students` per piece of set work concerned."""
    missing: dict[int, set[int]] = {}
    for student_response in responses:
        if getattr(student_response, ANNOTATION, None) == UNNUMBERED:
            missing.setdefault(student_response.assignment_id, set()).add(
                student_response.student_id
            )
    numbers = {
        assignment_id: number_students(assignment_id, students)
        for assignment_id, students in missing.items()
    }
    for student_response in responses:
        if getattr(student_response, ANNOTATION, None) == UNNUMBERED:
            setattr(
                student_response,
                ANNOTATION,
                numbers[student_response.assignment_id][student_response.student_id],
            )


def shown_number(student_response: Response) -> int | None:
    """The candidate number staff see for this work, or None where they see the name. Read
    from `with_candidate_numbers` when the response came through it."""
    if hasattr(student_response, ANNOTATION):
        number = getattr(student_response, ANNOTATION)
        if number is None:
            return None
        if number != UNNUMBERED:
            return number
        number = candidate_number(student_response.assignment_id, student_response.student_id)
        setattr(student_response, ANNOTATION, number)
        return number
    if not is_anonymous(student_response):
        return None
    return candidate_number(student_response.assignment_id, student_response.student_id)


def student_label(student_response: Response, *, request=None) -> str:
    """How staff pages name the student whose work this is: "Candidate 4821" while it is
    marked anonymously, "Maya Patel (mpatel)" otherwise. With the `request`, the name shows
    to a member of staff who opened it (`reveal`)."""
    number = shown_number(student_response)
    if number is None or (request is not None and is_revealed(request, student_response)):
        return person_label(student_response.student)
    return candidate_label(number)


def response_label(student_response: Response, *, request=None) -> str:
    """The response as the admin's titles, messages and history name it: as
    `Response.__str__` does, with the candidate number in place of the student while the
    work is anonymous."""
    number = shown_number(student_response)
    if number is None or (request is not None and is_revealed(request, student_response)):
        return str(student_response)
    return (
        f"{candidate_label(number)} — {student_response.essay} (attempt {student_response.attempt})"
    )


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
    LogEntry.objects.create(
        user_id=request.user.pk,
        content_type=ContentType.objects.get_for_model(Response),
        object_id=str(student_response.pk),
        object_repr=response_label(student_response)[:200],
        action_flag=CHANGE,
        change_message="Opened the student's name while the work was marked anonymously.",
    )
