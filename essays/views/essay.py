"""An essay's page, and choosing to attempt an essay before reading it.

What every reader sees of a published essay (its question, subject, level, tags, the model
essay and its notes) is rendered once per version of the library and kept in the cache
(`essay_parts`); a signed-in student's page adds their attempts and whether the model essay is
hidden from them; a student's whole page is kept until their work or the library changes
(essays/student_state.py)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST, require_safe

from essays import writing
from essays.caching import cache_for_visitors, kept_with_library
from essays.models import Essay, Response
from essays.student_state import kept_whole_for_students


@dataclass(frozen=True)
class EssayParts:
    """A published essay as its page shows it to everyone: what the page needs to know of it,
    and the HTML of its header and of its model essay with notes."""

    pk: int
    slug: str
    headline: str
    description: str
    header: str
    model_essay: str

    def essay(self) -> Essay:
        """An Essay standing for this one in links and lookups (its id, slug and headline)."""
        return Essay(pk=self.pk, slug=self.slug, headline=self.headline)


def essay_parts(request: HttpRequest, slug: str) -> EssayParts:
    """The essay's shared parts, kept until the library changes; a 404 for anything but a
    published essay."""

    def build() -> EssayParts:
        essay = get_object_or_404(
            Essay.objects.published().for_listing().prefetch_related("notes"), slug=slug
        )
        context = {"essay": essay}
        return EssayParts(
            pk=essay.pk,
            slug=essay.slug,
            headline=essay.headline,
            description=essay.prompt,
            header=render_to_string("essays/essay/header.html", context),
            model_essay=render_to_string("essays/essay/model_essay.html", context),
        )

    return kept_with_library(request, "essay", build)


@require_safe
@cache_for_visitors(params=())
@kept_whole_for_students()
def essay_detail(request: HttpRequest, slug: str) -> HttpResponse:
    parts = essay_parts(request, slug)
    essay = parts.essay()
    context = {"essay": essay, "parts": parts}
    if request.user.is_authenticated:
        attempts = list(
            Response.objects.attempts(student=request.user, essay=essay)
            .order_by("attempt")
            .only("pk", "essay_id", "attempt", "status", "word_count", "mark", "returned_at")
        )
        for attempt in attempts:
            attempt.essay = essay
        context |= {
            "attempts": attempts,
            "model_hidden": writing.model_essay_hidden(student=request.user, essay=essay),
            "has_submitted": any(not a.is_draft for a in attempts),
            "draft": next((a for a in attempts if a.is_draft), None),
        }
    return render(request, "essays/essay_detail.html", context)


@login_required
@require_POST
def attempt_first(request: HttpRequest, slug: str) -> HttpResponse:
    essay = get_object_or_404(Essay.objects.published(), slug=slug)
    writing.choose_attempt_first(student=request.user, essay=essay)
    messages.info(
        request,
        "The model essay and notes are hidden until you submit your answer. Good luck!",
    )
    return redirect("essays:respond", slug=essay.slug)
