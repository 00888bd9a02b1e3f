"""Autosave: the editor's script saves the student's text here as they write. Always answers
JSON, so the page can tell the student where their text is whatever happened."""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from essays import writing
from essays.forms import ResponseForm
from essays.views.writing import student_essay


def autosave_form(payload: bytes) -> ResponseForm | None:
    """The editor form bound to an autosave's JSON, so a save from the script is checked by the
    same rules as the form without JavaScript; None when the JSON is not a save at all."""
    try:
        data = json.loads(payload)
        fields = {name: data[name] for name in ("body", "attempt", "version")}
    except (ValueError, KeyError, TypeError, RecursionError):
        # RecursionError: JSON nested thousands deep.
        return None
    whole_numbers = all(
        isinstance(fields[name], int) and not isinstance(fields[name], bool)
        for name in ("attempt", "version")
    )
    if not isinstance(fields["body"], str) or not whole_numbers:
        return None
    return ResponseForm(fields)


@never_cache
def autosave(request: HttpRequest, slug: str) -> JsonResponse:
    """Saves from the editor's script. Answers JSON whatever happens, so the page can always
    tell the student where their text is."""
    if request.method != "POST":
        return JsonResponse({"error": "method", "message": "Use POST."}, status=405)
    if not request.user.is_authenticated:
        return JsonResponse(
            {
                "error": "login",
                "message": "You are logged out. Your text is kept in this browser: log in "
                "again to save it.",
                "login_url": f"{reverse('login')}?next="
                + reverse("essays:respond", kwargs={"slug": slug}),
            },
            status=401,
        )
    essay = student_essay(request, slug, "slug")
    try:
        payload = request.body
    except RequestDataTooBig:
        return JsonResponse(
            {
                "error": "too_big",
                "message": f"Your text is too long to save; StudyHub keeps up to "
                f"{writing.MAX_CHARACTERS:,} characters.",
            },
            status=400,
        )
    form = autosave_form(payload)
    if form is None or form.has_error("attempt") or form.has_error("version"):
        return JsonResponse(
            {
                "error": "invalid",
                "message": "The save was not understood: send JSON with body (text), attempt "
                "(1 or more) and version (0 or more) as whole numbers.",
            },
            status=400,
        )
    if not form.is_valid():
        return JsonResponse(
            {"error": "invalid", "message": " ".join(form.errors["body"])}, status=400
        )
    try:
        draft = writing.save_draft(student=request.user, essay=essay, **form.cleaned_data)
    except writing.StaleDraft as stale:
        current = stale.current
        return JsonResponse(
            {
                "error": "stale",
                "message": "This draft was changed in another tab or on another device.",
                "server": {
                    "body": current.body,
                    "attempt": current.attempt,
                    "version": current.version,
                    "saved_at": current.updated_at.isoformat(),
                    "word_count": current.word_count,
                },
            },
            status=409,
        )
    except writing.NotADraft as submitted:
        return JsonResponse(
            {
                "error": "submitted",
                "message": f"Attempt {submitted.response.attempt} has been submitted, so this "
                "text was not saved into it. Your text is kept in this browser.",
                "response_url": submitted.response.get_absolute_url(),
            },
            status=409,
        )
    return JsonResponse(
        {
            "response": draft.pk,
            "attempt": draft.attempt,
            "version": draft.version,
            "saved_at": draft.updated_at.isoformat(),
            "word_count": draft.word_count,
            "submit_url": reverse("essays:submit", kwargs={"slug": essay.slug}),
        }
    )
