"""Students' responses: one student's answer to one essay, a draft until submitted.

"Response" is the model's name (its table and URLs depend on it); in code, a variable holding
one is called `student_response`, so it is never mistaken for an HTTP response.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from essays.models.classes import Assignment, Enrolment, TeachingGroup
from essays.models.library import Essay, Note, split_paragraphs
from essays.models.mark_schemes import MarkLevel


@dataclass(frozen=True)
class KeyPointCoverage:
    """Which of an essay's key points a submitted response makes, and which it misses."""

    made: list[Note]
    missed: list[Note]

    @property
    def total(self) -> int:
        return len(self.made) + len(self.missed)


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

    def attempts(self, *, student, essay):
        """A student's attempts at one essay (drafts included)."""
        return self.for_student(student).filter(essay=essay)

    def drafts(self):
        return self.filter(status=ResponseStatus.DRAFT)

    def submitted_or_returned(self):
        """Every response that has been handed in, returned or not. Which of them a member of
        staff may see is visible_to_staff()."""
        return self.exclude(status=ResponseStatus.DRAFT)

    def visible_to_staff(self, user):
        """The handed-in work a member of staff may see, mark and export: the one home of that
        rule, which the marking pile, the marking page, returning, reports and exports all read.

        Superusers see all of it. Anyone else sees the work of students in a class they teach
        (`TeachingGroup.objects.taught_by`: heads of department every class of the subjects they
        head): those students' free practice, and their set work for those classes (not the set
        work of another teacher's class the student is also in). A student who has left the
        class stays visible for what they handed in before leaving, and nothing after. Editors,
        who teach no class, see none.
        """
        handed_in = self.submitted_or_returned()
        if user.is_superuser:
            return handed_in
        # The classes are read first (one small query). Knowing exactly which they are, the
        # database finds their students' work through the indexes; handed taught_by as a
        # subquery, it cannot tell a teacher's two classes from the whole school (teacher OR
        # head) and reads every response: ten times slower with 200,000 of them.
        classes = list(
            TeachingGroup.objects.taught_by(user).order_by().values_list("pk", flat=True)
        )
        members = Enrolment.objects.filter(group__in=classes)
        member_when_handed_in = members.filter(
            models.Q(left_at__isnull=True) | models.Q(left_at__gt=models.OuterRef("submitted_at")),
            student=models.OuterRef("student"),
        )
        return handed_in.filter(
            # The first narrows to the classes' students (by index); the second keeps what each
            # handed in while a member.
            models.Q(student__in=members.values("student")),
            models.Exists(member_when_handed_in),
            models.Q(assignment__isnull=True) | models.Q(assignment__group__in=classes),
        )

    def awaiting_return(self):
        """Handed in and not yet returned to the student."""
        return self.filter(status=ResponseStatus.SUBMITTED)

    def without_texts(self):
        """For lists, which never show a text: the essay selected alongside, and the long texts
        of both (the answer, the feedback, the model essay and its search columns) left in the
        database."""
        return self.select_related("essay").defer(
            "body",
            "went_well",
            "even_better_if",
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
    # Set work this answers; none for free practice. Protected like the essay.
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name="set work",
    )
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
    # Structured feedback, as UK schools give it: what went well, and even better if — one
    # target a line, which a redraft answers one by one. `feedback` stays for anything else.
    went_well = models.TextField("what went well", blank=True)
    even_better_if = models.TextField("even better if", blank=True, help_text="One target a line.")
    feedback = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses_marked",
    )
    # Returned for redraft: the student is asked to write the next attempt against the
    # targets by this date. The next attempt records which response it redrafts.
    redraft_due_at = models.DateTimeField("redraft due", null=True, blank=True)
    redraft_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redraft",
        help_text="The returned attempt this one redrafts.",
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
                condition=models.Q(redraft_due_at__isnull=True)
                | models.Q(status=ResponseStatus.RETURNED),
                name="response_redraft_asked_when_returned",
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
            # An assignment's board: its responses by student.
            models.Index(fields=["assignment", "student"], name="response_assignment_idx"),
            # A teacher's marking pile: their students' handed-in work counted, ordered and
            # filtered from the index alone (essays/migrations/0020_pile_indexes.py).
            models.Index(
                fields=["student", "status", "mark", "submitted_at", "assignment", "id"],
                name="response_pile_student_idx",
            ),
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

    def mark_level(self):
        """The level of response this was marked at, with its band and descriptor, from the
        essay's mark scheme (the default one if the essay has none); one query."""
        if self.level is None:
            return None
        schemes = (
            models.Q(scheme_id=self.essay.mark_scheme_id)
            if self.essay.mark_scheme_id
            else models.Q(scheme__is_default=True)
        )
        return MarkLevel.objects.filter(schemes, number=self.level).first()

    def targets(self) -> list[str]:
        """The "even better if" targets, one a line."""
        return [line.strip() for line in self.even_better_if.splitlines() if line.strip()]

    def key_point_coverage(self) -> KeyPointCoverage:
        """The essay's key points this response makes and misses, as recorded on submission:
        the one place students' pages and the marking page read it from."""
        covered = set(self.key_points_covered)
        points = self.essay.key_points()
        return KeyPointCoverage(
            made=[point for point in points if point.pk in covered],
            missed=[point for point in points if point.pk not in covered],
        )


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
