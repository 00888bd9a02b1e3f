"""What the marking page shows besides its form: the student named as anonymous marking allows,
the answer with its margin comments and the passages it shares with the model essay, the
comments listed in text order, the previous attempt, and where the next and previous scripts
of the teacher's pile are."""

from dataclasses import dataclass

from essays import feedback
from essays.marking.annotated_text import Highlight, annotation_highlights, render
from essays.marking.anonymity import is_revealed, response_label, shown_number, student_label
from essays.marking.context import previous_attempt
from essays.models import Annotation, Response, Subject
from essays.models.marking import CommentKind, Objective


def shown_name(request, student_response: Response) -> str:
    """The student as this member of staff may see them named: a candidate number while the
    work is marked anonymously, unless they deliberately opened the name."""
    return student_label(student_response, request=request)


@dataclass(frozen=True)
class CommentRow:
    """A margin comment as the list beside the answer shows it, numbered in text order as the
    highlights in the text are."""

    number: int
    annotation: Annotation
    objective_name: str

    @property
    def kind_label(self) -> str:
        return CommentKind(self.annotation.kind).label


def comment_rows(annotations: list[Annotation], subject: Subject | None) -> list[CommentRow]:
    names = subject.objective_names() if subject else {}
    return [
        CommentRow(
            number=number,
            annotation=annotation,
            objective_name=names.get(annotation.objective, annotation.objective),
        )
        for number, annotation in enumerate(annotations, start=1)
    ]


def annotated_answer(student_response: Response, annotations: list[Annotation]):
    """The answer's text as HTML lines, with its margin comments and the passages it shares
    with the model essay highlighted."""
    shared = [
        Highlight(start, end, None)
        for start, end in feedback.shared_spans(student_response.body, student_response.essay.body)
    ]
    return render(student_response.body, [*shared, *annotation_highlights(annotations)])


def objective_choices(subject: Subject | None) -> list[tuple[str, str]]:
    names = subject.objective_names() if subject else {}
    return [("", "None"), *((code, names.get(code, code)) for code in Objective.values)]


def page_context(request, student_response: Response, *, may_change: bool) -> dict:
    essay = student_response.essay
    annotations = list(student_response.annotations.all())
    coverage = student_response.key_point_coverage()
    name = shown_name(request, student_response)
    return {
        "response_obj": student_response,
        "student_shown": name,
        # The page's heading; its subtitle (and so the window's title) is the response's
        # label, by candidate number while it is anonymous (AnonymousMarking).
        "title": "Mark a response",
        "response_label": response_label(student_response, request=request),
        "annotated_text": annotated_answer(student_response, annotations),
        "comments": comment_rows(annotations, essay.subject),
        "comments_open": may_change and not student_response.is_returned,
        "may_add_to_bank": request.user.has_perm("essays.add_commentbankitem"),
        "comment_kinds": CommentKind.choices,
        "objective_choices": objective_choices(essay.subject),
        "previous": previous_attempt(user=request.user, student_response=student_response),
        "name_hidden": shown_number(student_response) is not None
        and not is_revealed(request, student_response),
        "points_made": coverage.made,
        "points_missed": coverage.missed,
        "points_total": coverage.total,
    }


def neighbour_in_pile(pile, pk: int, step: int) -> int | None:
    """The id of the script `step` (1 or -1) places from `pk` in the pile as it is ordered, or
    None past either end. A script no longer in the pile (marked, say, in a list of unmarked
    work) has the pile's first script after it and its last before it."""
    first = before = None
    found = False
    # Ids alone, in the pile's order: a teacher's pile is hundreds of scripts at most.
    for candidate in pile.values_list("pk", flat=True).iterator(chunk_size=2000):
        if found:
            return candidate
        if candidate == pk:
            if step < 0:
                return before
            found = True
            continue
        first = candidate if first is None else first
        before = candidate
    if found:
        return None
    return first if step > 0 else before
