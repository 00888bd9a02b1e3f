from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.template.loader import render_to_string

from studyhub.mail import queue_email
from studyhub.usernames import lookalike_of, mixes_lookalike_scripts


class LoginForm(AuthenticationForm):
    remember = forms.BooleanField(
        label="Keep me signed in",
        required=False,
        help_text="Leave this unticked on a shared or school computer: you are signed out when "
        "the browser closes.",
    )


NAME_HELP = "Your teachers see your name on your work."


def require_names(form: forms.BaseForm) -> None:
    """First and last names are optional on Django's user model; StudyHub needs both, so
    teachers know whose work they mark."""
    for name in ("first_name", "last_name"):
        form.fields[name].required = True
        form.fields[name].widget.attrs["autocomplete"] = (
            "given-name" if name == "first_name" else "family-name"
        )
    form.fields["first_name"].help_text = NAME_HELP


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        help_text="For resetting your password and hearing when your work is marked."
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_names(self)

    def clean_username(self):
        # Django's UsernameField has already normalised it (NFKC: "ｊｏ" is "jo").
        username = super().clean_username()
        if username and lookalike_of(username):
            raise forms.ValidationError(
                "This username looks the same as someone else's (some of its letters are "
                "from another alphabet but look alike). Please choose a different one."
            )
        if username and mixes_lookalike_scripts(username):
            raise forms.ValidationError(
                "This username mixes letters from different alphabets that look alike, such "
                "as a Cyrillic “а” among Latin letters. Please use letters from one alphabet."
            )
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this email address. Log in, or reset its password."
            )
        return email


class NamesForm(forms.ModelForm):
    """The account page: a signed-in user's first and last names."""

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_names(self)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, its email queued for the background worker instead of sent inside
    the request: a slow mail server never holds up the page (studyhub/mail.py)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        queue_email(to=[to_email], subject=subject, body=body)
