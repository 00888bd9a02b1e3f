import functools
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify

from essays.text import count_words, minutes_to_read

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks stay inside a paragraph."""
    return [part.strip() for part in PARAGRAPH_BREAK.split(text.strip()) if part.strip()]


class SlugNamedQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNamed(models.Model):
    """A named thing with a unique slug: subjects, levels and tags."""

    name = models.CharField(max_length=80, unique=True)
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
    def get_absolute_url(self) -> str:
        return f"{catalogue_path()}?subject={self.slug}"


class Level(SlugNamed):
    """A qualification level: the PAPER of an essay document ("A Level", "AS Level", "GCSE")."""

    def get_absolute_url(self) -> str:
        return f"{catalogue_path()}?level={self.slug}"


class Tag(SlugNamed):
    def get_absolute_url(self) -> str:
        return f"{catalogue_path()}?tag={self.slug}"


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


class MarkLevel(models.Model):
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

    headline = models.CharField(max_length=200, help_text="The page's title line.")
    slug = models.SlugField(max_length=200, unique=True)
    statement = models.TextField(
        help_text="The quoted claim the student discusses, with its quotation marks."
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
    # Everything a search looks through, in lower case: kept up to date by
    # refresh_search_document() whenever the essay, its notes or its tags change.
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
        return [note for note in self.notes.all() if note.kind == NoteKind.KEY_POINT]

    def build_search_document(self) -> str:
        parts = [self.headline, self.statement, self.body]
        if self.pk:
            parts += [note.text for note in self.notes.all()]
            parts += [tag.name for tag in self.tags.all()]
        return "\n".join(parts).lower()

    def refresh_search_document(self) -> None:
        """Call after changing an essay's notes or tags, which save() cannot see."""
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


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"


class ResponseQuerySet(models.QuerySet):
    def for_student(self, student):
        """A student's own responses: the only way student-facing code reaches a response."""
        if not student.is_authenticated:
            return self.none()
        return self.filter(student=student)

    def drafts(self):
        return self.filter(status=ResponseStatus.DRAFT)

    def submitted(self):
        """Submitted and returned responses: every response a teacher may see."""
        return self.exclude(status=ResponseStatus.DRAFT)

    def without_texts(self):
        """For lists, which never show a text: the essay selected alongside, and the long texts
        of both (the answer, the feedback, the model essay and its search columns) left in the
        database."""
        return self.select_related("essay").defer(
            "body",
            "feedback",
            "essay__body",
            "essay__search_document",
            "essay__search_vector",
        )


class Response(models.Model):
    """One student's answer to one essay's prompt: a draft until submitted, then read-only."""

    Status = ResponseStatus

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses"
    )
    # Protected: an essay with students' work cannot be deleted (unpublish it instead).
    essay = models.ForeignKey(Essay, on_delete=models.PROTECT, related_name="responses")
    attempt = models.PositiveSmallIntegerField(default=1)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    word_count = models.PositiveIntegerField(default=0)
    # Bumped on every save of the text; a save that names an older version is refused, so a
    # stale tab never overwrites newer text.
    version = models.PositiveIntegerField(default=0)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    mark = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses_marked",
    )
    # When the student first opened the returned response (the nav counts unseen feedback).
    feedback_seen_at = models.DateTimeField(null=True, blank=True)
    # Worked out on submission: the share of the response's word 5-grams found in the model
    # essay, and the essay's key points (note ids) the response makes.
    similarity = models.FloatField(null=True, blank=True)
    key_points_covered = models.JSONField(default=list, blank=True)
    key_points_total = models.PositiveSmallIntegerField(default=0)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ResponseStatus.values), name="response_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(attempt__gte=1), name="response_attempt_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status=ResponseStatus.DRAFT)
                | models.Q(submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
            models.UniqueConstraint(
                fields=["student", "essay"],
                condition=models.Q(status=ResponseStatus.DRAFT),
                name="response_one_draft_per_essay",
            ),
            models.UniqueConstraint(
                fields=["student", "essay", "attempt"], name="response_attempt_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ResponseStatus.RETURNED)
                | models.Q(mark__isnull=False, returned_at__isnull=False),
                name="response_returned_is_marked",
            ),
            models.CheckConstraint(
                condition=models.Q(similarity__isnull=True)
                | models.Q(similarity__gte=0, similarity__lte=1),
                name="response_similarity_share",
            ),
        ]
        permissions = [("export_marks", "Can export marks")]
        indexes = [
            models.Index(fields=["student", "-updated_at"], name="response_student_recent_idx"),
            models.Index(fields=["essay", "status"], name="response_essay_status_idx"),
            models.Index(fields=["status", "submitted_at"], name="response_submitted_idx"),
            # My work and the nav's count of new feedback: one student's responses by status.
            models.Index(fields=["student", "status"], name="response_student_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.essay} (attempt {self.attempt})"

    def get_absolute_url(self) -> str:
        return reverse("essays:response_detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == ResponseStatus.DRAFT

    @property
    def is_returned(self) -> bool:
        return self.status == ResponseStatus.RETURNED

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)

    @property
    def key_points_made(self) -> int:
        return len(self.key_points_covered)


class AttemptFirst(models.Model):
    """A student's choice to write their own answer before reading the model essay."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempt_first_choices"
    )
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-chosen_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "essay"], name="attempt_first_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} attempts {self.essay} first"
