from django import forms

from essays.writing import check_text


class ResponseForm(forms.Form):
    """The editor's fields, used by the editor without JavaScript and by autosave alike. The
    text is checked by the same rule as every save (essays.writing.check_text). Rendered by hand
    in the editor template: the buttons and the save indicator sit around the text area."""

    body = forms.CharField(
        label="Your answer",
        required=False,
        strip=False,
        widget=forms.Textarea,
    )
    attempt = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].validators = [check_text]


class JoinClassForm(forms.Form):
    """A class's join code as the student types it: any case, with spaces or a dash. Whether it
    leads to a class is essays.classes.join_class()'s to say."""

    code = forms.CharField(
        label="Join code",
        max_length=40,
        help_text="The 8 letters and digits your teacher gave you, for example CDEF-GH34.",
        error_messages={
            "required": "Enter the code your teacher gave you.",
            "max_length": "That is too long for a join code: codes are 8 letters and digits.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
