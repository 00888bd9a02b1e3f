"""The admin forms of classes and set work: a member's targets, a class's teachers, setting
essays to a class from the library, granting an extension, and releasing a piece of work's
marks; with the date-and-time input, the bounds on numbers and the help they share. The
roster's forms are with its page (roster_upload.py).

Students are shown by name and username, "Maya Patel (mpatel)" (essays.people), and are never
picked from a list of every account: only from the class's current members.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from essays.admin.scoping import as_id, limit_to_current_classes
from essays.markbook import current_members
from essays.marking.rules import check_redraft_due
from essays.models import Assignment, Enrolment, Essay, Extension
from essays.people import person_label
from essays.rosters import TARGET_MARK_MAX


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker, on the classroom's clock (the site's time
    zone): one input, no script."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


DATETIME_LOCAL = {
    models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput}
}


# What the forms accept for numbers the database constrains (zero attempts, a year 3000) or
# holds in a small integer: said as a form error in words, never a violated constraint or an
# overflow.
NUMBER_BOUNDS = {
    "max_attempts": (1, 20),
    "time_limit_minutes": (1, 24 * 60),
    "academic_year": (2000, 2200),
}


def bound_number(field: forms.IntegerField, name: str) -> None:
    low, high = NUMBER_BOUNDS[name]
    field.min_value, field.max_value = low, high
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update({"min": low, "max": high})


ANONYMOUS_MARKING_HELP = (
    "Candidate numbers instead of students’ names on the marking pile, the marking page, the "
    "board and exports until the marks are released (“Release marks” on the board). A name can "
    "still be opened from the marking page; opening it is recorded. Turned on after work is "
    "handed in, those students are numbered at once."
)


class NumbersInBounds:
    """For a model admin: its forms keep the numbers in NUMBER_BOUNDS within them, and say
    what anonymous marking does."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in NUMBER_BOUNDS:
            bound_number(field, db_field.name)
        if db_field.name == "anonymous_marking":
            field.help_text = ANONYMOUS_MARKING_HELP
        return field


class EnrolmentForm(forms.ModelForm):
    target_mark = forms.IntegerField(
        required=False, min_value=0, max_value=TARGET_MARK_MAX, label="target mark"
    )

    class Meta:
        model = Enrolment
        fields = ["target_grade", "target_mark", "left_at"]
        widgets = {"left_at": DateTimeLocalInput}
        field_classes = {"left_at": forms.DateTimeField}


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


# What a teacher chooses when setting essays from the library; the rules are the model's
# (Assignment.clean and its constraints), as in the admin's own form.
SET_WORK_FIELDS = [
    "group",
    "instructions",
    "set_at",
    "due_at",
    "cut_off_at",
    "time_limit_minutes",
    "attempt_first",
    "max_attempts",
    "anonymous_marking",
]
MOST_ESSAYS_SET_AT_ONCE = 20


class SetWorkForm(forms.ModelForm):
    essays = forms.ModelMultipleChoiceField(
        queryset=Essay.objects.published(), widget=forms.MultipleHiddenInput
    )

    class Meta:
        model = Assignment
        fields = SET_WORK_FIELDS
        field_classes = dict.fromkeys(("set_at", "due_at", "cut_off_at"), forms.DateTimeField)
        widgets = {
            **dict.fromkeys(("set_at", "due_at", "cut_off_at"), DateTimeLocalInput),
            "instructions": forms.Textarea(attrs={"rows": 4, "cols": 60}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to_current_classes(self.fields["group"], user)
        self.fields["group"].label = "Class"
        for name in ("max_attempts", "time_limit_minutes"):
            bound_number(self.fields[name], name)
        self.fields["anonymous_marking"].help_text = ANONYMOUS_MARKING_HELP
        self.fields["set_at"].initial = timezone.now()
        self.offered: list[Essay] = []
        if not self.is_bound:
            # The essays chosen in the list (?essay=…), published ones only.
            wanted = [pk for pk in map(as_id, self.initial.get("essays", [])) if pk is not None]
            self.offered = list(
                Essay.objects.published()
                .filter(pk__in=wanted)
                .only("pk", "headline")
                .order_by("headline")
            )
            self.initial["essays"] = [essay.pk for essay in self.offered]

    def chosen_essays(self) -> list[Essay]:
        if self.is_bound:
            return list(getattr(self, "cleaned_data", {}).get("essays", []))
        return self.offered

    def clean_essays(self):
        essays = self.cleaned_data["essays"]
        if len(essays) > MOST_ESSAYS_SET_AT_ONCE:
            raise ValidationError(f"Set at most {MOST_ESSAYS_SET_AT_ONCE} essays at a time.")
        return essays

    def save(self, *, teacher) -> list[Assignment]:
        assignments = []
        for essay in self.cleaned_data["essays"]:
            assignment = Assignment(
                essay=essay,
                set_by=teacher,
                **{name: self.cleaned_data[name] for name in SET_WORK_FIELDS},
            )
            assignment.full_clean()
            assignment.save()
            assignments.append(assignment)
        return assignments


class ExtensionForm(forms.Form):
    """A new due date for one current member of the class: granting again replaces the
    student's extension for this work."""

    student = forms.TypedChoiceField(coerce=int, label="Student")
    due_at = forms.DateTimeField(label="New due date", widget=DateTimeLocalInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=1000,
        help_text="Seen by other teachers of the class, not by the student.",
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.members = {
            enrolment.student_id: enrolment.student
            for enrolment in current_members(assignment.group)
        }
        self.existing = {
            extension.student_id: extension
            for extension in Extension.objects.filter(assignment=assignment)
        }
        self.fields["student"].choices = [("", "Choose a student")] + [
            (pk, person_label(student) + self.extension_note(pk))
            for pk, student in self.members.items()
        ]
        due = timezone.localtime(assignment.due_at)
        self.fields[
            "due_at"
        ].help_text = f"The work is due {due:%A} {due.day} {due:%B %H:%M} for the class."

    def extension_note(self, student_pk: int) -> str:
        extension = self.existing.get(student_pk)
        if extension is None:
            return ""
        when = timezone.localtime(extension.due_at)
        return f" — extended to {when.day} {when:%b %H:%M}"

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at <= self.assignment.due_at:
            due = timezone.localtime(self.assignment.due_at)
            raise ValidationError(
                f"An extension must end after the work is due ({due.day} {due:%b %H:%M})."
            )
        return due_at

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        extension = self.existing.get(cleaned["student"]) or Extension(
            assignment=self.assignment, student=self.members[cleaned["student"]]
        )
        extension.due_at = cleaned["due_at"]
        extension.reason = cleaned["reason"]
        try:
            extension.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        self.extension = extension
        return cleaned

    def save(self, *, teacher) -> Extension:
        extension = self.extension
        extension.granted_by = teacher
        extension.granted_at = timezone.now()
        if extension.pk is None:
            # Granted by another teacher a moment ago: theirs is replaced.
            extension, _ = Extension.objects.update_or_create(
                assignment=self.assignment,
                student=extension.student,
                defaults={
                    "due_at": extension.due_at,
                    "reason": extension.reason,
                    "granted_by": teacher,
                    "granted_at": extension.granted_at,
                },
            )
        else:
            extension.save()
        return extension


class ReleaseForm(forms.Form):
    """Releasing a piece of work's marks: as they are, or for redraft by a date."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="yes")
    redraft_due_at = forms.DateTimeField(
        label="Return for redraft, due",
        required=False,
        widget=DateTimeLocalInput,
        help_text="Optional: every student released now is asked to redraft against their "
        "targets by then. Leave it empty to release the marks as they are.",
    )

    def clean_redraft_due_at(self):
        redraft_due_at = self.cleaned_data["redraft_due_at"]
        try:
            check_redraft_due(redraft_due_at)
        except ValidationError as error:
            raise ValidationError(error.message_dict["redraft_due_at"]) from None
        return redraft_due_at
