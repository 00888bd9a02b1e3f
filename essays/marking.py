"""Reading marks back out: CSV export (safe to open in a spreadsheet) and per-essay reports."""

import csv
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from essays.models import Essay, Response

# A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) is written
# with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "Student",
    "Username",
    "Essay",
    "Attempt",
    "Submitted",
    "Words",
    "Level",
    "Mark",
    "Similarity to model (%)",
    "Key points covered",
    "Feedback",
]


AWAITING_KEY = "studyhub:awaiting-marking"
AWAITING_SECONDS = 60


def essays_awaiting_marking() -> list[dict]:
    """Essays with submitted, not yet returned responses, most waiting first: essay_id,
    essay__headline, waiting. Counting them reads every submitted response, so the answer is
    kept for a minute (the admin index and the pile's essay filter both show it)."""

    def count() -> list[dict]:
        return list(
            Response.objects.filter(status=Response.Status.SUBMITTED)
            .values("essay_id", "essay__headline")
            .annotate(waiting=Count("pk"))
            .order_by("-waiting", "essay__headline")[:200]
        )

    return cache.get_or_set(AWAITING_KEY, count, AWAITING_SECONDS)


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_rows(responses):
    for response in responses:
        student = response.student
        yield [
            safe_cell(student.get_full_name() or student.get_username()),
            safe_cell(student.get_username()),
            safe_cell(response.essay.headline),
            response.attempt,
            timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")
            if response.submitted_at
            else "",
            response.word_count,
            safe_cell(response.level),
            safe_cell(response.mark),
            "" if response.similarity is None else round(response.similarity * 100),
            f"{response.key_points_made}/{response.key_points_total}",
            safe_cell(response.feedback),
        ]


def export_csv(responses, *, name: str) -> HttpResponse:
    download = HttpResponse(content_type="text/csv; charset=utf-8")
    download["Content-Disposition"] = f'attachment; filename="{slugify(name) or "marks"}.csv"'
    download.write("\ufeff")  # spreadsheets then read the file as UTF-8
    writer = csv.writer(download)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(responses.select_related("student", "essay")))
    return download


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


def essay_report(essay: Essay) -> dict:
    """Marks, levels and missed key points over an essay's submitted responses."""
    responses = list(
        Response.objects.submitted()
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
