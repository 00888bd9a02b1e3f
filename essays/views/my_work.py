"""My work: a student's own responses, one of them, the model essay beside it, and the changes
between two attempts. Every lookup goes through the signed-in student (anyone else's work is a
404)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from essays import writing
from essays.marking.rules import mark_feedback_seen
from essays.models import Response
from essays.text import text_changes


@login_required
@require_safe
def response_list(request: HttpRequest) -> HttpResponse:
    """The student's responses, attempts at the same essay together, most recent work first."""
    responses = list(
        Response.objects.for_student(request.user).without_texts().order_by("-updated_at", "-pk")
    )
    groups: dict[int, list[Response]] = {}
    for student_response in responses:
        groups.setdefault(student_response.essay_id, []).append(student_response)
    essays = [
        {"essay": attempts[0].essay, "attempts": sorted(attempts, key=lambda r: -r.attempt)}
        for attempts in groups.values()
    ]
    return render(request, "essays/response_list.html", {"responses": responses, "essays": essays})


def own_response(request: HttpRequest, pk: int) -> Response:
    return get_object_or_404(
        Response.objects.for_student(request.user)
        .select_related("essay", "essay__subject", "essay__level")
        .defer("essay__search_document", "essay__search_vector"),
        pk=pk,
    )


@login_required
@require_safe
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student_response = own_response(request, pk)
    mark_feedback_seen(student_response)
    context = {"response": student_response}
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
