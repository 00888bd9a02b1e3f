"""Levels of response: how an essay is marked. A teacher picks the best-fit level, then a mark
inside that level's band. The rules a scheme must keep live here, so the admin, fixtures and
tests check a scheme the same way."""

import itertools

from django.core.exceptions import ValidationError
from django.db import models


def band_problems(bands: list[tuple[int, int, int]], maximum: int) -> list[str]:
    """What is wrong with a scheme's bands, given as (lowest mark, highest mark, level number):
    bands must not overlap, leave no gaps, run from 0 or 1 to the maximum, and rise with the
    level. An empty list means the bands are sound."""
    if not bands:
        return ["A mark scheme needs at least one level."]
    bands = sorted(bands)
    problems = []
    if bands[0][0] not in (0, 1):
        problems.append(f"The lowest band starts at {bands[0][0]}; start it at 0 or 1.")
    for (_, high, number), (next_low, _, next_number) in itertools.pairwise(bands):
        if next_low <= high:
            problems.append(f"Levels {number} and {next_number} overlap.")
        elif next_low > high + 1:
            problems.append(f"No level covers marks {high + 1}–{next_low - 1}.")
    if bands[-1][1] != maximum:
        problems.append(f"The highest band ends at {bands[-1][1]}; end it at {maximum}.")
    numbers = [number for _, _, number in bands]
    if numbers != sorted(numbers):
        problems.append("Higher levels must have higher marks.")
    return problems


class MarkSchemeQuerySet(models.QuerySet):
    def default(self):
        return self.filter(is_default=True).first()

    def get_by_natural_key(self, name):
        return self.get(name=name)


class MarkLevelQuerySet(models.QuerySet):
    def get_by_natural_key(self, scheme_name, number):
        return self.get(scheme__name=scheme_name, number=number)


class MarkScheme(models.Model):
    """Levels of response: a teacher picks the best-fit level, then a mark inside its band."""

    name = models.CharField(max_length=120, unique=True)
    max_mark = models.PositiveSmallIntegerField(default=25)
    is_default = models.BooleanField(
        default=False, help_text="Used for every essay that is not given a scheme of its own."
    )

    objects = MarkSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="markscheme_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(max_mark__gt=0), name="markscheme_max_mark_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    def level_for(self, number: int):
        return next((level for level in self.levels.all() if level.number == number), None)

    def check_bands(self) -> None:
        """Raise ValidationError if the saved levels' bands are not sound (see band_problems)."""
        bands = [(level.min_mark, level.max_mark, level.number) for level in self.levels.all()]
        problems = band_problems(bands, self.max_mark)
        if problems:
            raise ValidationError(problems)


class MarkLevel(models.Model):
    """One level of response in a scheme (not a qualification level: see Level)."""

    scheme = models.ForeignKey(MarkScheme, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField()
    min_mark = models.PositiveSmallIntegerField()
    max_mark = models.PositiveSmallIntegerField()
    descriptor = models.TextField()

    objects = MarkLevelQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="marklevel_number_unique"),
            models.CheckConstraint(
                condition=models.Q(min_mark__lte=models.F("max_mark")),
                name="marklevel_band_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Level {self.number} ({self.band})"

    @property
    def band(self) -> str:
        return f"{self.min_mark}–{self.max_mark}"

    def natural_key(self):
        return (self.scheme.name, self.number)

    natural_key.dependencies = ["essays.markscheme"]
