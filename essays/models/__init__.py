"""The essays app's models, one module per part of the domain: the library (essays, notes,
subjects, qualification levels, tags), mark schemes (levels of response), classes and set work,
and students' responses."""

from essays.models.classes import (
    Assignment,
    Enrolment,
    Extension,
    TargetGrade,
    TeachingGroup,
    normalise_join_code,
)
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
    "Assignment",
    "AttemptFirst",
    "Enrolment",
    "Essay",
    "EssayStatus",
    "Extension",
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
    "TargetGrade",
    "TeachingGroup",
    "band_problems",
    "catalogue_path",
    "normalise_join_code",
    "split_paragraphs",
]
