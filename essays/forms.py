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
