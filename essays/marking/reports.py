"""Reading marks back out: the work waiting to be marked, and per-essay reports."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from essays.caching import resilient_cache
from essays.models import Essay, Response

AWAITING_KEY = "studyhub:awaiting-marking"
AWAITING_SECONDS = 60


def awaiting_key(user) -> str:
    """Each member of staff sees only their classes' work (Response.objects.visible_to_staff),
    so each has their own count; superusers, who all see everything, share one."""
    return f"{AWAITING_KEY}:all" if user.is_superuser else f"{AWAITING_KEY}:user:{user.pk}"


def essays_awaiting_marking(user) -> list[dict]:
    """Essays with submitted, not yet returned responses this member of staff may see, most
    waiting first: essay_id, essay__headline, waiting. Counting them reads every such response,
    so the answer is kept for a minute (the admin index and the pile's essay filter both show
    it): a newly handed-in response, or a class newly taught, shows within the minute."""

    def count() -> list[dict]:
        return list(
            Response.objects.visible_to_staff(user)
            .awaiting_return()
            .values("essay_id", "essay__headline")
            .annotate(waiting=Count("pk"))
            .order_by("-waiting", "essay__headline")[:200]
        )

    return resilient_cache.get_or_set(awaiting_key(user), count, AWAITING_SECONDS)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


def bars(counts: list[tuple[str, int]], *, width: int = 480, height: int = 160) -> list[Bar]:
    """Geometry for a simple SVG bar chart, computed here so the template only draws."""
    if not counts:
        return []
    tallest = max(count for _, count in counts) or 1
    slot = width / len(counts)
    return [
        Bar(
            label=label,
            count=count,
            x=round(index * slot + slot * 0.15, 1),
            y=round(height - height * count / tallest, 1),
            width=round(slot * 0.7, 1),
            height=round(height * count / tallest, 1),
        )
        for index, (label, count) in enumerate(counts)
    ]


def essay_report(essay: Essay, *, user) -> dict:
    """Marks, levels and missed key points over an essay's submitted responses that this
    member of staff may see (their classes' work only)."""
    responses = list(
        Response.objects.visible_to_staff(user)
        .filter(essay=essay)
        .only("mark", "level", "key_points_covered", "key_points_total", "status")
    )
    marked = [r for r in responses if r.mark is not None]
    scheme = essay.get_mark_scheme()
    levels = list(scheme.levels.all()) if scheme else []
    level_counts = Counter(r.level for r in marked)
    mark_counts = Counter(r.mark for r in marked)
    key_points = essay.key_points()
    made = Counter(note_id for r in responses for note_id in r.key_points_covered)
    missed = sorted(
        ((point, len(responses) - made[point.pk]) for point in key_points),
        key=lambda pair: -pair[1],
    )
    return {
        "responses": len(responses),
        "marked": len(marked),
        "average": round(sum(r.mark for r in marked) / len(marked), 1) if marked else None,
        "level_bars": bars([(f"Level {lv.number}", level_counts[lv.number]) for lv in levels]),
        "mark_bars": bars(
            [(str(mark), mark_counts[mark]) for mark in range(essay.marks_available + 1)]
        ),
        "missed": missed,
    }
