"""The essays app's models, one module per part of the domain: the library (essays, notes,
subjects, qualification levels, tags), mark schemes (levels of response), and students'
responses."""

from essays.models.library import (
    Essay,
    EssayStatus,
    Level,
    Note,
    NoteKind,
    Subject,
    Tag,
    catalogue_path,
    split_paragraphs,
)
from essays.models.mark_schemes import MarkLevel, MarkScheme, band_problems
from essays.models.responses import (
    AttemptFirst,
    KeyPointCoverage,
    Response,
    ResponseQuerySet,
    ResponseStatus,
)

__all__ = [
    "AttemptFirst",
    "Essay",
    "EssayStatus",
    "KeyPointCoverage",
    "Level",
    "MarkLevel",
    "MarkScheme",
    "Note",
    "NoteKind",
    "Response",
    "ResponseQuerySet",
    "ResponseStatus",
    "Subject",
    "Tag",
    "band_problems",
    "catalogue_path",
    "split_paragraphs",
]
