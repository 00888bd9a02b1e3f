"""Templates as written: mistakes that would show on every page they are part of."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
# Django's {# #} comment ends at the line's end: one spread over lines is shown as text.
OPEN_COMMENT = re.compile(r"\{#(?![^\n]*#\})")


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_comment_spans_lines(path):
    text = path.read_text()
    for match in OPEN_COMMENT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        pytest.fail(f"{path.relative_to(TEMPLATES)}:{line}: a {{# comment must end on its line")


@pytest.mark.django_db
def test_the_catalogue_shows_no_template_comment(client):
    page = client.get("/").content.decode()
    assert "{#" not in page
    assert "cached_fragment" not in page
