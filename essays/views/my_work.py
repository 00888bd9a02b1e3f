"""My work: a student's own responses, one of them (once returned, with its feedback and margin
comments; returned for redraft, the way to the redraft), the model essay beside it, and the
changes between two attempts. Every lookup goes through the signed-in student (anyone else's
work is a 404)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from essays import redrafts, writing
from essays.marking import annotated_text
from essays.marking.rules import mark_feedback_seen
from essays.models import Annotation, CommentKind, Response, TargetReply
from essays.student_state import kept_whole_for_students
from essays.text import text_changes

# Essays a page of My work lists, with every attempt at each.
ESSAYS_PER_PAGE = 10


@login_required
@require_safe
@kept_whole_for_students(params=("page",))
def response_list(request: HttpRequest) -> HttpResponse:
    """The student's responses, attempts at the same essay together, the essay worked on most
    recently first, ten essays a page: however much a student has written, a page reads the
    same few rows (the essays are paged by the index of a student's responses). Each page is
    kept until the student's work changes, a save included (essays/student_state.py)."""
    mine = Response.objects.for_student(request.user)
    by_essay = (
        mine.order_by()
        .values("essay")
        .annotate(last=Max("updated_at"))
        .order_by("-last", "-essay")
        .values_list("essay", flat=True)
    )
    page = Paginator(by_essay, ESSAYS_PER_PAGE).get_page(request.GET.get("page"))
    essay_ids = list(page.object_list)
    responses = mine.filter(essay__in=essay_ids).without_texts()
    groups: dict[int, list[Response]] = {essay_id: [] for essay_id in essay_ids}
    for student_response in responses:
        groups[student_response.essay_id].append(student_response)
    essays = [
        {"essay": attempts[0].essay, "attempts": attempt_rows(attempts)}
        for attempts in groups.values()
        if attempts
    ]
    return render(request, "essays/response_list.html", {"essays": essays, "page": page})


@dataclass(frozen=True)
class AttemptRow:
    """One attempt in My work: which attempt it redrafts, if any, and whether a redraft of it
    is waiting to be started."""

    response: Response
    redraft_of_attempt: int | None
    redraft_wanted: bool


def attempt_rows(attempts: list[Response]) -> list[AttemptRow]:
    """A student's attempts at one essay, newest first."""
    numbers = {attempt.pk: attempt.attempt for attempt in attempts}
    wanted = {attempt.pk for attempt in redrafts.not_yet_redrafted(attempts)}
    return [
        AttemptRow(
            response=attempt,
            redraft_of_attempt=numbers.get(attempt.redraft_of_id),
            redraft_wanted=attempt.pk in wanted,
        )
        for attempt in sorted(attempts, key=lambda r: -r.attempt)
    ]


def own_response(request: HttpRequest, pk: int) -> Response:
    return get_object_or_404(
        Response.objects.for_student(request.user)
        .select_related("essay", "essay__subject", "essay__level")
        .defer("essay__search_document", "essay__search_vector"),
        pk=pk,
    )


@dataclass(frozen=True)
class MarginComment:
    """A margin comment as the student reads it in the list beside their text, numbered as its
    highlight is."""

    number: int
    annotation: Annotation
    objective: str  # the objective as the subject names it ("AO1 · Knowledge…"), or ""

    @property
    def kind(self) -> str:
        """ "Strength" or "Target"; nothing for a general comment."""
        if self.annotation.kind == CommentKind.GENERAL:
            return ""
        return self.annotation.get_kind_display()


def margin_comments(student_response: Response) -> tuple[SafeString, list[MarginComment]]:
    """The response's text with its margin comments highlighted, and the comments in text order
    (numbered as the highlights are). One query."""
    annotations = list(student_response.annotations.all())
    names = student_response.essay.subject.objective_names()
    comments = [
        MarginComment(
            number=number,
            annotation=annotation,
            objective=names.get(annotation.objective, "") if annotation.objective else "",
        )
        for number, annotation in enumerate(annotations, start=1)
    ]
    html = annotated_text.render(
        student_response.body, annotated_text.annotation_highlights(annotations)
    )
    return html, comments


def redraft_context(student_response: Response, *, student) -> dict:
    """A returned response the teacher asked to be redrafted: its redraft, if started (one
    query); a redraft: the attempt it redrafts and the replies to its targets (two)."""
    context = {}
    if redrafts.asked_for(student_response):
        context["redraft"] = (
            Response.objects.for_student(student)
            .filter(redraft_of=student_response)
            .only("pk", "attempt", "status", "essay_id", "redraft_of_id")
            .first()
        )
    if student_response.redraft_of_id is not None:
        context["redraft_of"] = (
            Response.objects.for_student(student)
            .only("pk", "attempt")
            .filter(pk=student_response.redraft_of_id)
            .first()
        )
        context["target_replies"] = list(
            TargetReply.objects.filter(response=student_response).order_by("number")
        )
    return context


@login_required
@require_safe
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student_response = own_response(request, pk)
    mark_feedback_seen(student_response)
    context = {
        "response": student_response,
        **redraft_context(student_response, student=request.user),
    }
    if student_response.is_returned:
        # Margin comments, like the mark, only once the work is returned (released).
        context["annotated_body"], context["comments"] = margin_comments(student_response)
    if not student_response.is_draft:
        # Key points are shown only once the student has submitted (never while drafting).
        coverage = student_response.key_point_coverage()
        context["points_made"] = coverage.made
        context["points_missed"] = coverage.missed
        context["points_total"] = coverage.total
        context["earlier"] = (
            Response.objects.attempts(student=request.user, essay=student_response.essay)
            .submitted_or_returned()
            .filter(attempt__lt=student_response.attempt)
            .order_by("-attempt")
            .first()
        )
    return render(request, "essays/response_detail.html", context)


@login_required
@require_safe
def response_changes(request: HttpRequest, pk: int, earlier_pk: int) -> HttpResponse:
    """What changed between two of the student's attempts at the same essay."""
    student_response = own_response(request, pk)
    earlier = get_object_or_404(
        Response.objects.attempts(student=request.user, essay=student_response.essay),
        pk=earlier_pk,
    )
    return render(
        request,
        "essays/response_changes.html",
        {
            "response": student_response,
            "earlier": earlier,
            "changes": text_changes(earlier.body, student_response.body),
        },
    )


@login_required
@require_safe
def response_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's submitted answer beside the model essay."""
    student_response = own_response(request, pk)
    if student_response.is_draft:
        raise Http404("Drafts are compared after they are submitted.")
    # An earlier answer does not reveal the model essay that set work asks to attempt first.
    hidden = writing.model_essay_hidden(student=request.user, essay=student_response.essay)
    return render(
        request,
        "essays/response_compare.html",
        {"response": student_response, "model_hidden": hidden},
    )
