import functools
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify

from essays.models.mark_schemes import MarkScheme
from essays.search import search_document
from essays.text import count_words, minutes_to_read

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"


def one_line(value: str) -> None:
    """Names, headlines and claims are shown on one line (titles, links, lists, the CSV)."""
    if any(ch in LINE_BREAKS for ch in value):
        raise ValidationError(
            "Write this on one line: it contains a line break.", code="line_break"
        )


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks stay inside a paragraph."""
    return [part.strip() for part in PARAGRAPH_BREAK.split(text.strip()) if part.strip()]


class SlugNamedQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNamed(models.Model):
    """A named thing with a unique slug: subjects, levels and tags."""

    name = models.CharField(max_length=80, unique=True, validators=[one_line])
    slug = models.SlugField(max_length=80, unique=True)

    objects = SlugNamedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


def catalogue_path() -> str:
    """The catalogue's address, worked out once per URL configuration and prefix: lists link
    to it from every subject, level and tag they show."""
    return _catalogue_path(get_urlconf(), get_script_prefix())


@functools.cache
def _catalogue_path(urlconf, prefix: str) -> str:
    return reverse("essays:catalogue", urlconf=urlconf)


class Subject(SlugNamed):
    # Heads of department see every class of the subjects they head.
    heads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="subjects_headed",
        help_text="Heads of department: they see every class of this subject.",
    )
    # What AO1, AO2 and AO3 mean in this subject, as its specification words them.
    assessment_objectives = models.TextField(
        blank=True,
        help_text="One a line, AO1 first: “Knowledge and understanding”, then AO2's and AO3's.",
    )

    def get_absolute_url(self) -> str:
        return f"{catalogue_path()}?subject={self.slug}"

    def objective_names(self) -> dict[str, str]:
        """{"AO1": "AO1 · Knowledge and understanding", …}: how comments name the objectives."""
        lines = [line.strip() for line in self.assessment_objectives.splitlines() if line.strip()]
        names = {}
        for number in range(1, 4):
            code = f"AO{number}"
            meaning = lines[number - 1] if len(lines) >= number else ""
            names[code] = f"{code} · {meaning}" if meaning else code
        return names


class Level(SlugNamed):
    """A qualification level: the PAPER of an essay document ("A Level", "AS Level", "GCSE")."""

    def get_absolute_url(self) -> str:
        return f"{catalogue_path()}?level={self.slug}"


class Tag(SlugNamed):
    def get_absolute_url(self) -> str:
        return f"{catalogue_path()}?tag={self.slug}"


class EssayStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class NoteKind(models.TextChoices):
    PLAN = "plan", "Essay plan"
    KEY_POINT = "key_point", "Key point"
    EXAMINER_TIP = "examiner_tip", "Examiner tip"


class EssayQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=EssayStatus.PUBLISHED)

    def for_listing(self):
        return self.select_related("subject", "level").prefetch_related("tags")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class EssayManager(models.Manager.from_queryset(EssayQuerySet)):
    def get_queryset(self):
        # The search vector is PostgreSQL's to read (in a WHERE and ORDER BY), never Python's.
        return super().get_queryset().defer("search_vector")


class Essay(models.Model):
    Status = EssayStatus

    headline = models.CharField(
        max_length=200, help_text="The page's title line.", validators=[one_line]
    )
    slug = models.SlugField(max_length=200, unique=True)
    statement = models.TextField(
        validators=[one_line],
        help_text="The quoted claim the student discusses, with its quotation marks.",
    )
    command_word = models.CharField(
        max_length=40, default="Discuss", help_text='What the student is asked to do: "Discuss".'
    )
    body = models.TextField(help_text="Plain text. Separate paragraphs with a blank line.")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="essays")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="essays")
    tags = models.ManyToManyField(Tag, blank=True, related_name="essays")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    marks_available = models.PositiveSmallIntegerField(default=25)
    mark_scheme = models.ForeignKey(
        MarkScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="essays",
        help_text="Leave empty to use the default mark scheme.",
    )
    time_allowed_minutes = models.PositiveSmallIntegerField(
        default=45, verbose_name="time allowed (minutes)"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="essays_created",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Everything a search looks through, in lower case: built on save, and refreshed when the
    # essay's notes or tags change (essays/signals.py).
    search_document = models.TextField(blank=True, editable=False)
    # On PostgreSQL, the weighted full-text vector of headline, statement and search document,
    # kept by a database trigger (migration 0010) and indexed; unused (NULL) on SQLite.
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)
    # The body's words, counted on save, so lists can show reading times without counting.
    word_count = models.PositiveIntegerField(default=0, editable=False)

    objects = EssayManager()

    class Meta:
        ordering = ["-published_at", "headline"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EssayStatus.values),
                name="essay_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(marks_available__gt=0), name="essay_marks_available_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(time_allowed_minutes__gt=0),
                name="essay_time_allowed_positive",
            ),
            models.CheckConstraint(condition=~models.Q(slug=""), name="essay_slug_not_empty"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="essay_status_published_idx"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs):
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        self.search_document = self.build_search_document()
        self.word_count = count_words(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("essays:detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self):
        # A mark out of the essay's marks must fall in one of its scheme's bands.
        scheme = self.mark_scheme or MarkScheme.objects.default()
        if scheme and self.marks_available and scheme.max_mark != self.marks_available:
            field = "mark_scheme" if self.mark_scheme_id else "marks_available"
            raise ValidationError(
                {
                    field: f"{scheme} is marked out of {scheme.max_mark}, but this essay is out "
                    f"of {self.marks_available}. Choose a scheme with the same maximum."
                }
            )

    @property
    def prompt(self) -> str:
        """The question as the student answers it: the claim, then its command word."""
        return f"{self.statement} {self.command_word}".strip()

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)

    def reading_minutes(self) -> int:
        return minutes_to_read(self.word_count)

    def get_mark_scheme(self) -> MarkScheme | None:
        return self.mark_scheme or MarkScheme.objects.default()

    def key_points(self) -> list["Note"]:
        """The notes a response is checked against: the one way key points are read."""
        return [note for note in self.notes.all() if note.kind == NoteKind.KEY_POINT]

    def build_search_document(self) -> str:
        notes = [note.text for note in self.notes.all()] if self.pk else []
        tags = [tag.name for tag in self.tags.all()] if self.pk else []
        return search_document(
            headline=self.headline, statement=self.statement, body=self.body, notes=notes, tags=tags
        )

    def refresh_search_document(self) -> None:
        """After a change to the essay's notes or tags, which save() cannot see: called by the
        signals that watch them (essays/signals.py)."""
        document = self.build_search_document()
        if document != self.search_document:
            self.search_document = document
            Essay.objects.filter(pk=self.pk).update(search_document=document)


class Note(models.Model):
    Kind = NoteKind

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PLAN)
    text = models.TextField()
    phrases = models.TextField(
        blank=True,
        help_text=(
            "Key points only: one phrase per line (a name, a date, a term) that shows a "
            "response has made this point."
        ),
    )
    position = models.PositiveIntegerField(default=0, help_text="Notes are shown in this order.")

    class Meta:
        ordering = ["essay", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NoteKind.values),
                name="note_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return self.essay.get_absolute_url()

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.text)

    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]
