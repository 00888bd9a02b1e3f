"""The forms of moderation's admin pages (essays/admin/moderation.py): drawing a sample, a
blind second mark, an agreed mark; and how a rule's refusal is shown on them."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from essays import moderation
from essays.markbook import ESSAY_TEXTS
from essays.people import person_label


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """A rule's ValidationError shown on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


class DrawSampleForm(forms.Form):
    assignment = forms.ModelChoiceField(
        queryset=None,
        label="Set work",
        error_messages={"invalid_choice": "Choose set work of a subject you head."},
    )
    per_marker = forms.IntegerField(
        label="Scripts of each marker",
        initial=5,
        widget=forms.NumberInput(
            attrs={"min": moderation.MIN_PER_MARKER, "max": moderation.MAX_PER_MARKER}
        ),
        help_text="Each marker’s top and bottom mark, and the rest at random. A marker with "
        "fewer scripts has all of them drawn.",
    )
    second_marker = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "invalid_choice": "Choose a teacher or a head of department to mark the sample."
        },
        help_text="A teacher who marks the scripts again without seeing the first marks. "
        "Scripts they marked themselves are left out of the sample.",
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=moderation.MAX_SEED,
        help_text="Leave empty for a fresh random draw; the same seed draws the same sample again.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = (
            moderation.drawable_assignments(user)
            .select_related("essay", "group")
            .defer(*ESSAY_TEXTS)
            .order_by("-due_at", "pk")
        )
        self.fields["assignment"].label_from_instance = lambda work: (
            f"{work.essay.headline} — {work.group} (due {timezone.localtime(work.due_at):%d %b %Y})"
        )
        self.fields["second_marker"].queryset = moderation.possible_second_markers()
        self.fields["second_marker"].label_from_instance = person_label


class MarkForm(forms.Form):
    """A level (each shown with its band and descriptor) and a mark: the second marker's blind
    mark, and the head of department's agreed one."""

    level = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
    )
    mark = forms.IntegerField(min_value=0)

    def __init__(self, *args, levels, essay, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (level.number, f"Level {level.number} ({level.band}): {level.descriptor}")
            for level in levels
        ]
        if not levels:
            del self.fields["level"]
        self.fields["mark"].max_value = essay.marks_available
        self.fields["mark"].widget.attrs.update({"min": 0, "max": essay.marks_available})
        self.fields["mark"].help_text = f"Out of {essay.marks_available}, inside the level’s band."


class AgreeForm(MarkForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "level" in self.fields:
            self.fields["level"].widget = forms.Select()
            self.fields["level"].choices = [
                ("", "Choose a level"),
                *[(number, f"Level {number}") for number, _ in self.fields["level"].choices],
            ]
        self.fields["mark"].help_text = ""


def levels_of(essay) -> list:
    scheme = essay.get_mark_scheme()
    return list(scheme.levels.all()) if scheme else []


def difference(script) -> str:
    """Second mark minus first, signed: "+3", "-2", "0"; empty before the second mark."""
    if script.second_mark is None:
        return ""
    change = script.second_mark - script.first_mark
    return f"{change:+d}" if change else "0"
