"""The marking page's JSON endpoints: adding, editing and deleting margin comments, searching
the comment bank and adding to it. Each answers JSON: what was saved (with the answer's text
and the list of comments rendered again, so the page shows exactly what the server holds), or
{"error": "…"} with 400, 403 or 404, which the page shows in its panel. The rules are
essays.marking.annotations; these views only read the request and write the answer."""

import json
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from essays.admin.marking_page import annotated_answer, comment_rows
from essays.marking import annotations as rules
from essays.models import Annotation, CommentBankItem, CommentKind, Response

NOT_FOUND = "No response you may mark has this address."


def json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def json_endpoint(view):
    """Refusals as JSON the page can show: a broken rule (400), staff who may not mark (403),
    work that is not theirs or does not exist (404, the same for both)."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            return json_error(str(error) or "You may not do this.", 403)
        except (Response.DoesNotExist, Annotation.DoesNotExist):
            return json_error(NOT_FOUND, 404)
        except ValidationError as error:
            return json_error(" ".join(error.messages))

    return answer


def read_json(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("The request was not understood: reload the page.") from None
    if not isinstance(data, dict):
        raise ValidationError("The request was not understood: reload the page.")
    return data


def bank_item_json(item: CommentBankItem, objective_names: dict[str, str]) -> dict:
    return {
        "id": item.pk,
        "text": item.text,
        "kind": item.kind,
        "kind_label": CommentKind(item.kind).label,
        "objective": item.objective,
        "objective_name": objective_names.get(item.objective, ""),
    }


def comments_answer(
    request, student_response: Response, saved: Annotation | None, status: int = 200
) -> JsonResponse:
    """The comments as they now stand: the saved one (if any), the answer's text with every
    highlight, and the list beside it."""
    annotations = list(student_response.annotations.all())
    rows = comment_rows(annotations, student_response.essay.subject)
    list_html = render_to_string(
        "admin/essays/response/comment_list.html",
        {
            "comments": rows,
            "response_obj": student_response,
            "comments_open": True,
            # Rendered for the page's script, which shows the buttons it handles.
            "scripted": True,
            "may_add_to_bank": request.user.has_perm("essays.add_commentbankitem"),
        },
        request=request,
    )
    answer = {
        "text_html": annotated_answer(student_response, annotations),
        "list_html": list_html,
        "count": len(rows),
    }
    for row in rows:
        if saved is not None and row.annotation.pk == saved.pk:
            annotation = row.annotation
            answer["annotation"] = {
                "id": annotation.pk,
                "number": row.number,
                "start": annotation.start,
                "end": annotation.end,
                "quote": annotation.quote,
                "comment": annotation.comment,
                "kind": annotation.kind,
                "objective": annotation.objective,
                "bank_item": annotation.bank_item_id,
            }
    return JsonResponse(answer, status=status)


@require_POST
@json_endpoint
def create_annotation(request: HttpRequest, response_id: int) -> JsonResponse:
    student_response = rules.find_response(user=request.user, response_id=response_id)
    data = read_json(request)
    annotation = rules.add_annotation(
        student_response=student_response,
        author=request.user,
        start=data.get("start"),
        end=data.get("end"),
        quote=data.get("quote"),
        comment=data.get("comment"),
        kind=data.get("kind", CommentKind.GENERAL),
        objective=data.get("objective", ""),
        bank_item_id=data.get("bank_item"),
    )
    return comments_answer(request, student_response, annotation, status=201)


@require_POST
@json_endpoint
def update_annotation(request: HttpRequest, response_id: int, annotation_id: int) -> JsonResponse:
    student_response = rules.find_response(user=request.user, response_id=response_id)
    annotation = student_response.annotations.get(pk=annotation_id)
    annotation.response = student_response
    data = read_json(request)
    rules.edit_annotation(
        annotation=annotation,
        editor=request.user,
        comment=data.get("comment"),
        kind=data.get("kind", CommentKind.GENERAL),
        objective=data.get("objective", ""),
        bank_item_id=data.get("bank_item"),
    )
    return comments_answer(request, student_response, annotation)


@require_POST
@json_endpoint
def delete_annotation(request: HttpRequest, response_id: int, annotation_id: int) -> JsonResponse:
    student_response = rules.find_response(user=request.user, response_id=response_id)
    annotation = student_response.annotations.get(pk=annotation_id)
    annotation.response = student_response
    rules.delete_annotation(annotation=annotation)
    return comments_answer(request, student_response, None)


@require_GET
@json_endpoint
def search_bank(request: HttpRequest, response_id: int) -> JsonResponse:
    student_response = rules.find_response(user=request.user, response_id=response_id)
    subject = student_response.essay.subject
    items = rules.search_bank(
        user=request.user,
        subject=subject,
        query=request.GET.get("q", "")[:200],
        kind=request.GET.get("kind", ""),
    )
    names = subject.objective_names()
    return JsonResponse({"items": [bank_item_json(item, names) for item in items]})


@require_POST
@json_endpoint
def add_to_bank(request: HttpRequest, response_id: int) -> JsonResponse:
    student_response = rules.find_response(user=request.user, response_id=response_id)
    subject = student_response.essay.subject
    data = read_json(request)
    item = rules.add_to_bank(
        owner=request.user,
        subject=subject,
        text=data.get("text"),
        kind=data.get("kind", CommentKind.GENERAL),
        objective=data.get("objective", ""),
    )
    return JsonResponse(
        {"item": bank_item_json(item, subject.objective_names()), "message": "Added to your bank."},
        status=201,
    )


def annotation_urls(admin_site) -> list:
    """The endpoints' addresses, under the responses' admin pages."""
    wrap = admin_site.admin_view
    return [
        path(
            "<int:response_id>/annotations/",
            wrap(create_annotation),
            name="essays_response_annotations",
        ),
        path(
            "<int:response_id>/annotations/<int:annotation_id>/",
            wrap(update_annotation),
            name="essays_response_annotation",
        ),
        path(
            "<int:response_id>/annotations/<int:annotation_id>/delete/",
            wrap(delete_annotation),
            name="essays_response_annotation_delete",
        ),
        path("<int:response_id>/bank/", wrap(search_bank), name="essays_response_bank"),
        path("<int:response_id>/bank/add/", wrap(add_to_bank), name="essays_response_bank_add"),
    ]
