"""What teachers add to a submitted response while marking, and what marking is checked by:
margin comments (Annotation) and the comment bank they come from (CommentBankItem); a
student's replies to their targets in a redraft (TargetReply); candidate numbers that hide
names while work is marked anonymously (Candidate); and moderation samples, where a second
teacher marks a first teacher's scripts blind (ModerationSample, ModerationScript).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from essays.models.classes import Assignment
from essays.models.library import Subject
from essays.models.responses import Response

COMMENT_MAX_LENGTH = 1000


class CommentKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    TARGET = "target", "Target"
    GENERAL = "general", "General"


class Objective(models.TextChoices):
    """Assessment objectives, numbered as A Level specifications number them; what each means
    in a subject is that subject's `assessment_objectives`."""

    AO1 = "AO1", "AO1"
    AO2 = "AO2", "AO2"
    AO3 = "AO3", "AO3"


def may_share(user, subject: Subject | None) -> bool:
    """Whether `user` may put a comment into the shared bank of `subject` (None: the bank every
    subject shares): exactly when they could curate it there (CommentBankQuerySet.curated_by),
    so nobody shares a comment they could then neither change nor delete."""
    if user.is_superuser or user.has_perm("essays.change_essay"):
        return True
    return subject is not None and subject.heads.filter(pk=user.pk).exists()


class CommentBankQuerySet(models.QuerySet):
    def with_text(self, text: str):
        """Comments with these words, whatever their case: one bank never holds the same
        comment twice (it would be offered twice while marking)."""
        return self.filter(text__iexact=text)

    def usable_by(self, user, subject: Subject | None = None):
        """The comments a member of staff may pick from: their own, and those shared with the
        department (of `subject`, or of any subject when it is None; shared comments for no
        subject in particular go with every subject)."""
        if not user.is_authenticated:
            return self.none()
        shared = Q(shared=True)
        if subject is not None:
            shared &= Q(subject=subject) | Q(subject__isnull=True)
        return self.filter(Q(owner=user) | shared)

    def curated_by(self, user):
        """The comments a member of staff may change or delete: their own; shared comments of
        subjects they head; every shared comment for editors (who keep the library)."""
        if user.is_superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        mine = Q(owner=user)
        if user.has_perm("essays.change_essay"):
            return self.filter(mine | Q(shared=True))
        return self.filter(mine | Q(shared=True, subject__heads=user)).distinct()


class CommentBankItem(models.Model):
    """A comment a teacher gives again and again: picked while marking, in the margin or as a
    "what went well" or "even better if" line."""

    Kind = CommentKind

    text = models.TextField(max_length=COMMENT_MAX_LENGTH)
    kind = models.CharField(max_length=10, choices=CommentKind, default=CommentKind.GENERAL)
    objective = models.CharField(
        "assessment objective", max_length=3, choices=Objective, blank=True
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bank_comments",
        help_text="Leave empty for a comment that suits any subject.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bank_comments",
        help_text="Who wrote it; empty for the starter bank.",
    )
    shared = models.BooleanField(
        "shared with the department",
        default=False,
        help_text="Shared comments are offered to every teacher of the subject; private ones "
        "only to their owner.",
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CommentBankQuerySet.as_manager()

    class Meta:
        verbose_name = "bank comment"
        verbose_name_plural = "comment bank"
        ordering = ["-times_used", "text", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CommentKind.values), name="bankcomment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(objective__in=[*Objective.values, ""]),
                name="bankcomment_objective_valid",
            ),
            models.CheckConstraint(
                condition=Q(shared=True) | Q(owner__isnull=False),
                name="bankcomment_private_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 60 else f"{self.text[:59]}…"

    def count_use(self) -> None:
        CommentBankItem.objects.filter(pk=self.pk).update(times_used=models.F("times_used") + 1)


class Annotation(models.Model):
    """A margin comment on a passage of a submitted response: characters `start` to `end` of
    its text (which never changes once submitted, so the offsets hold), kept with the quoted
    passage itself."""

    Kind = CommentKind

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="annotations")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH)
    kind = models.CharField(max_length=10, choices=CommentKind, default=CommentKind.GENERAL)
    objective = models.CharField(
        "assessment objective", max_length=3, choices=Objective, blank=True
    )
    bank_item = models.ForeignKey(
        CommentBankItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "margin comment"
        ordering = ["start", "end", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="annotation_span"),
            models.CheckConstraint(
                condition=Q(kind__in=CommentKind.values), name="annotation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(objective__in=[*Objective.values, ""]),
                name="annotation_objective_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"On “{self.quote[:40]}”: {self.comment[:60]}"


class TargetReply(models.Model):
    """In a redraft, the student's answer to one of the targets the earlier attempt was
    returned with: what they changed."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="target_replies")
    number = models.PositiveSmallIntegerField(help_text="Which target, counting from 1.")
    target = models.TextField(help_text="The target as the teacher wrote it.")
    reply = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response", "number"]
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="targetreply_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="targetreply_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Target {self.number} of {self.response}"


class Candidate(models.Model):
    """A student's candidate number for one piece of set work marked anonymously: what the
    pile, the marking page, the board and exports show instead of the name until the marks
    are released."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="candidates")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidacies"
    )
    number = models.PositiveIntegerField()

    class Meta:
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="candidate_student_unique"
            ),
            models.UniqueConstraint(
                fields=["assignment", "number"], name="candidate_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.number}"


class ModerationSample(models.Model):
    """Scripts of one piece of set work drawn for a second, blind marking: `per_marker`
    scripts of each teacher who marked it, at random (from `seed`), always with each marker's
    top and bottom mark."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="moderation_samples"
    )
    per_marker = models.PositiveSmallIntegerField(default=5)
    seed = models.PositiveIntegerField()
    second_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="moderation_samples_to_mark",
        help_text="The teacher who marks the sample again, without seeing the first marks.",
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="moderation_samples_drawn",
    )
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(per_marker__gte=2), name="moderationsample_at_least_two"
            )
        ]

    def __str__(self) -> str:
        return f"Moderation of {self.assignment}"


class ModerationScript(models.Model):
    """One script of a sample: the first mark as it stood when drawn, the second (blind)
    mark, and the agreed mark if one replaced the first."""

    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="scripts")
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="moderation_scripts"
    )
    first_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    first_level = models.PositiveSmallIntegerField(null=True, blank=True)
    first_mark = models.PositiveSmallIntegerField()
    second_level = models.PositiveSmallIntegerField(null=True, blank=True)
    second_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    second_marked_at = models.DateTimeField(null=True, blank=True)
    agreed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sample", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "response"], name="moderationscript_unique")
        ]

    def __str__(self) -> str:
        return f"{self.response} in {self.sample}"
