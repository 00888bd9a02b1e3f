"""The mark panel's form: a level of response (each choice shows its band and descriptor), a
mark in its band, what went well, even better if, feedback; releasing to the student, perhaps
for a redraft by a date; and the bank comments picked into the feedback, whose uses are counted
when the mark is saved."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from essays.marking.annotations import usable_bank_items
from essays.marking.rules import check_mark, check_redraft_due
from essays.models import Response

# Redrafts are due at the end of the chosen day as the school keeps time.
SCHOOL_TIME = ZoneInfo("Europe/London")
RELEASE_BUTTONS = ("_return", "_redraft")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=SCHOOL_TIME)


class LevelChoiceWidget(forms.RadioSelect):
    option_template_name = "admin/essays/response/level_option.html"


class MarkingForm(forms.ModelForm):
    """Level first, then a mark in its band. Releasing (the `_return` and `_redraft` buttons)
    needs a sound mark; a redraft needs a due date that is not past."""

    level = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=LevelChoiceWidget, label="Level"
    )
    redraft_due = forms.DateField(
        required=False,
        label="Redraft due",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="By the end of that day.",
    )
    # Ids of the bank comments picked into the feedback fields (by the page's script),
    # separated by commas: each counts as a use once the mark is saved.
    bank_uses = forms.CharField(required=False, widget=forms.HiddenInput)

    # The member of staff saving the mark: set by ResponseAdmin.get_form for each request.
    marker = None

    class Meta:
        model = Response
        fields = ["level", "mark", "went_well", "even_better_if", "feedback"]
        widgets = {
            "went_well": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "even_better_if": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "feedback": forms.Textarea(attrs={"rows": 4, "cols": 40}),
        }
        help_texts = {"mark": "A mark inside the chosen level's band."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        essay = self.instance.essay if self.instance.essay_id else None
        self.scheme = essay.get_mark_scheme() if essay else None
        self.levels = list(self.scheme.levels.all()) if self.scheme else []
        self.fields["level"].choices = [
            (level.number, f"Level {level.number} ({level.band}): {level.descriptor}")
            for level in self.levels
        ]
        if not self.levels:
            self.fields["level"].widget = forms.HiddenInput()
        self.fields["mark"].widget.attrs.update(
            {"min": 0, "max": essay.marks_available if essay else 99}
        )

    @property
    def releases(self) -> bool:
        return any(button in self.data for button in RELEASE_BUTTONS)

    def clean_bank_uses(self) -> list:
        raw = self.cleaned_data["bank_uses"]
        try:
            ids = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise ValidationError(
                "A comment picked from the bank was not understood: pick it again."
            ) from None
        subject = self.instance.essay.subject if self.instance.essay_id else None
        return usable_bank_items(user=self.marker, subject=subject, ids=ids)

    def clean(self):
        cleaned = super().clean()
        if self.releases and self.instance.is_returned:
            raise ValidationError("This response has already been released to the student.")
        if "_redraft" in self.data:
            self._clean_redraft_due(cleaned)
        if self.errors:
            return cleaned
        if cleaned.get("mark") is None and cleaned.get("level") is None and not self.releases:
            if self.instance.is_returned:
                self.add_error("mark", "A returned response keeps its mark: change it instead.")
            return cleaned
        try:
            check_mark(
                essay=self.instance.essay, level=cleaned.get("level"), mark=cleaned.get("mark")
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field, problems)
        return cleaned

    def _clean_redraft_due(self, cleaned) -> None:
        day = cleaned.get("redraft_due")
        if day is None:
            if "redraft_due" not in self.errors:
                self.add_error("redraft_due", "Choose the day the redraft is due.")
            return
        due_at = end_of_day(day)
        try:
            check_redraft_due(due_at)
        except ValidationError as error:
            self.add_error("redraft_due", error.message_dict["redraft_due_at"])
            return
        cleaned["redraft_due_at"] = due_at
