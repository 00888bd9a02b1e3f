from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import ProhibitNullCharactersValidator

from essays.services import MAX_CHARACTERS, NUL_MESSAGE


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        help_text="For resetting your password and hearing when your work is marked."
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create account"))

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this email address. Log in, or reset its password."
            )
        return email


class ResponseForm(forms.Form):
    """The editor's fields. Rendered by hand in the editor template: the buttons and the save
    indicator sit around the text area."""

    body = forms.CharField(
        label="Your answer",
        required=False,
        strip=False,
        max_length=MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true", "class": "form-control"}),
    )
    attempt = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.validators = [
            v for v in body.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [ProhibitNullCharactersValidator(message=NUL_MESSAGE)]
