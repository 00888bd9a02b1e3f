"""Classes and set work: a teacher's class (TeachingGroup), who is in it (Enrolment), the essays
set to it with deadlines (Assignment), and one student's new deadline (Extension).

People call a TeachingGroup a *class* ("13H History"); the model keeps its own name because
`class` is a Python keyword and "group" already means an auth group of staff.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from essays.models.library import Essay, Level, Subject

# Eight characters, with none that look like another (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(typed: str) -> str:
    """A code as a student might type it ("cdef-gh34 ", lower case, spaces, a dash)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def current_academic_year() -> int:
    """The year the current school year started in: September onwards is the new year."""
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class TeachingGroupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)

    def taught_by(self, user):
        """The classes a member of staff may see: superusers all; a head of department every
        class of the subjects they head; a teacher the classes they teach."""
        if user.is_superuser:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(teachers=user) | Q(subject__heads=user)).distinct()

    def for_student(self, student):
        """The classes a student is in now (not those they left)."""
        if not student.is_authenticated:
            return self.none()
        return self.filter(enrolments__student=student, enrolments__left_at__isnull=True)


class TeachingGroup(models.Model):
    """A class: shown to people as "13H History"."""

    name = models.CharField(max_length=80, help_text='As the school names it: "13H History".')
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="classes")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="classes")
    academic_year = models.PositiveSmallIntegerField(
        default=current_academic_year,
        help_text="The year the school year starts in: 2026 for 2026/27.",
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="classes_taught", blank=True
    )
    # Null when joining by code is turned off.
    join_code = models.CharField(
        max_length=JOIN_CODE_LENGTH, unique=True, null=True, blank=True, default=new_join_code
    )
    archived = models.BooleanField(
        default=False, help_text="Archived classes take no new members and no new set work."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TeachingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["-academic_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "academic_year"], name="teachinggroup_name_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(academic_year__gte=2000, academic_year__lte=2200),
                name="teachinggroup_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    @property
    def can_be_joined(self) -> bool:
        return bool(self.join_code) and not self.archived

    def regenerate_join_code(self) -> str:
        """A new code (the old one stops working); saved at once."""
        while True:
            code = new_join_code()
            if not TeachingGroup.objects.filter(join_code=code).exists():
                break
        self.join_code = code
        self.save(update_fields=["join_code"])
        return code


class TargetGrade(models.TextChoices):
    A_STAR = "A*", "A*"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class EnrolmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_at__isnull=True)


class Enrolment(models.Model):
    """A student in a class. Leaving keeps the row (and all the student's work and marks)."""

    TargetGrade = TargetGrade

    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, related_name="enrolments", verbose_name="class"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    target_grade = models.CharField(max_length=2, choices=TargetGrade, blank=True)
    target_mark = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Or a target mark, out of each essay's marks."
    )
    left_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["student__last_name", "student__first_name", "student__username"]
        constraints = [
            models.UniqueConstraint(fields=["group", "student"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=Q(target_grade__in=[*TargetGrade.values, ""]),
                name="enrolment_target_grade_valid",
            ),
        ]
        indexes = [models.Index(fields=["student", "left_at"], name="enrolment_student_idx")]

    def __str__(self) -> str:
        return f"{self.student} in {self.group}"

    @property
    def target(self) -> str:
        if self.target_grade:
            return self.target_grade
        return "" if self.target_mark is None else str(self.target_mark)


class AssignmentQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Set work students can see: its set-at time has come."""
        return self.filter(set_at__lte=now or timezone.now())

    def for_student(self, student):
        """Set work of the classes the student is in, once set."""
        if not student.is_authenticated:
            return self.none()
        return self.visible().filter(
            group__enrolments__student=student, group__enrolments__left_at__isnull=True
        )

    def taught_by(self, user):
        return self.filter(group__in=TeachingGroup.objects.taught_by(user))


class Assignment(models.Model):
    """Set work: an essay set to a class, with a deadline."""

    group = models.ForeignKey(
        TeachingGroup, on_delete=models.PROTECT, related_name="assignments", verbose_name="class"
    )
    essay = models.ForeignKey(Essay, on_delete=models.PROTECT, related_name="assignments")
    instructions = models.TextField(blank=True)
    set_at = models.DateTimeField(
        default=timezone.now, help_text="Students see the work from then (it may be later)."
    )
    due_at = models.DateTimeField("due")
    cut_off_at = models.DateTimeField(
        "cut-off",
        null=True,
        blank=True,
        help_text="Optional: after it, submissions are refused. Late work is accepted until then.",
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        "time limit (minutes)",
        null=True,
        blank=True,
        help_text="Optional: replaces the essay's time allowed. The countdown starts when the "
        "student opens the editor.",
    )
    attempt_first = models.BooleanField(
        "attempt first",
        default=False,
        help_text="The model essay stays hidden until the student has submitted for this work.",
    )
    max_attempts = models.PositiveSmallIntegerField("maximum attempts", default=1)
    anonymous_marking = models.BooleanField(
        default=False,
        help_text="Candidate numbers instead of students' names while marking, until the marks "
        "are released.",
    )
    # When the teacher released every mark of this work at once (anonymity ends then).
    marks_released_at = models.DateTimeField(null=True, blank=True, editable=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="assignments_set",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "set work"
        verbose_name_plural = "set work"
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("set_at")), name="assignment_due_after_set"
            ),
            models.CheckConstraint(
                condition=Q(cut_off_at__isnull=True) | Q(cut_off_at__gte=models.F("due_at")),
                name="assignment_cut_off_after_due",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="assignment_max_attempts_positive"
            ),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gt=0),
                name="assignment_time_limit_positive",
            ),
        ]
        indexes = [models.Index(fields=["group", "set_at"], name="assignment_group_set_idx")]

    def __str__(self) -> str:
        return f"{self.essay} for {self.group}"

    def clean(self):
        errors = {}
        if self.set_at and self.due_at and self.due_at <= self.set_at:
            errors["due_at"] = "The work must be due after it is set."
        if self.cut_off_at and self.due_at and self.cut_off_at < self.due_at:
            errors["cut_off_at"] = "The cut-off cannot be before the work is due."
        if self.group_id and self.group.archived and self._state.adding:
            errors["group"] = "This class is archived: set work to a current class."
        if errors:
            raise ValidationError(errors)

    @property
    def time_allowed_minutes(self) -> int:
        return self.time_limit_minutes or self.essay.time_allowed_minutes


class Extension(models.Model):
    """A new due date for one student, with the reason; only that student sees it."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extensions", verbose_name="set work"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions"
    )
    due_at = models.DateTimeField("new due date")
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="extensions_granted",
    )
    granted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["assignment", "student"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="extension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.assignment} due {self.due_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.assignment_id and self.due_at and self.due_at <= self.assignment.set_at:
            raise ValidationError({"due_at": "An extension must end after the work is set."})
