"""Adding a class's students from a CSV roster, in the admin site: the class's roster page
(upload, preview, confirm), its forms, and the upload handler that keeps the file in memory.
Reading the file is essays.roster_csv's; what it does to the class, essays.rosters'.
"""

import io

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from essays import roster_csv, rosters
from essays.admin.scoping import site_url


class RosterPage:
    """The roster page of a class, for TeachingGroupAdmin ("Add students from a CSV")."""

    def get_urls(self):
        own = self.page_urls(
            ("<int:pk>/roster/", self.roster_view, "essays_teachinggroup_roster"),
        )
        return own + super().get_urls()

    @method_decorator(csrf_exempt)
    def roster_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        # Upload handlers can only be set before the request body is read, which Django's CSRF
        # check does: the check is made in roster_page instead, as Django's documentation
        # does for this ("Modifying upload handlers on the fly").
        request.upload_handlers = [RosterUploadHandler(request)]
        return self.roster_page(request, pk)

    @method_decorator(csrf_protect)
    def roster_page(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a roster, see what it would do, confirm it. Nothing is stored between the
        preview and the confirmation: the preview's rows travel in the confirm form, signed
        so they cannot be altered, and are planned again when confirmed."""
        group = self.scoped_object(request, pk)
        if not (
            self.has_change_permission(request, group)
            and request.user.has_perm("essays.add_enrolment")
        ):
            raise PermissionDenied
        upload = RosterUploadForm()
        plan = confirm = None
        if request.method == "POST" and "payload" in request.POST:
            confirm = RosterConfirmForm(request.POST, group=group, user=request.user)
            if confirm.is_valid():
                rows = confirm.cleaned_data["rows"]
                try:
                    plan = rosters.import_roster(
                        group=group,
                        rows=rows,
                        teacher=request.user,
                        site_url=site_url(request),
                        previewed=confirm.cleaned_data["fingerprint"],
                    )
                except rosters.RosterRefused as refused:
                    plan = refused.plan
                    self.message_user(request, str(refused), messages.ERROR)
                    confirm = None
                    if not plan.errors:
                        confirm = RosterConfirmForm.for_plan(plan, group=group, user=request.user)
                except IntegrityError:
                    self.message_user(
                        request,
                        "An account or enrolment was made by someone else at the same moment: "
                        "nothing was added. Upload the file again.",
                        messages.ERROR,
                    )
                    confirm = None
                else:
                    self.message_user(request, roster_summary(plan), messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:essays_teachinggroup_change", args=[group.pk])
                    )
            else:
                self.message_user(
                    request,
                    " ".join(confirm.non_field_errors())
                    or "This preview was incomplete: upload the file again.",
                    messages.ERROR,
                )
                confirm = None
        elif request.method == "POST":
            upload = RosterUploadForm(
                request.POST, request.FILES, too_big=getattr(request, "roster_too_big", False)
            )
            if upload.is_valid():
                plan = rosters.plan_roster(group, upload.cleaned_data["rows"])
                if not plan.errors:
                    confirm = RosterConfirmForm.for_plan(plan, group=group, user=request.user)
        context = {
            **self.page_context(request, f"Add students to {group} from a CSV", group=group),
            "upload": upload,
            "plan": plan,
            "confirm": confirm,
            "max_rows": roster_csv.MAX_ROWS,
        }
        return TemplateResponse(request, "admin/essays/teachinggroup/roster.html", context)


def roster_summary(plan: rosters.RosterPlan) -> str:
    parts = []
    if plan.created:
        parts.append(
            ngettext(
                "%d new account (emailed an invitation to choose a password)",
                "%d new accounts (each emailed an invitation to choose a password)",
                plan.created,
            )
            % plan.created
        )
    if plan.matched:
        parts.append(
            ngettext("%d existing account", "%d existing accounts", plan.matched) % plan.matched
        )
    added = plan.created + plan.matched
    summary = ngettext(
        "Added %(n)d student to %(group)s", "Added %(n)d students to %(group)s", added
    ) % {"n": added, "group": plan.group}
    if parts:
        summary += f": {' and '.join(parts)}"
    if plan.already:
        summary += (
            ngettext(
                "; %d was in the class already", "; %d were in the class already", plan.already
            )
            % plan.already
        )
    return summary + "."


class RosterUploadHandler(FileUploadHandler):
    """Keeps an uploaded roster in memory, never in a temporary file, and stops reading one
    bigger than roster_csv.MAX_BYTES (the form then says it is too big)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = bytearray()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > roster_csv.MAX_BYTES:
            self.request.roster_too_big = True
            raise SkipFile
        self.received.extend(raw_data)
        return None

    def file_complete(self, file_size):
        return InMemoryUploadedFile(
            file=io.BytesIO(bytes(self.received)),
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class RosterUploadForm(forms.Form):
    roster = forms.FileField(
        label="CSV file",
        help_text=(
            "A header row, then one student a row. Columns: first name, last name, email; "
            "optionally username and target (a grade such as A* or B, or a mark). At most "
            f"{roster_csv.MAX_ROWS} students and 1 MB. In Excel, save as “CSV UTF-8”."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        try:
            return roster_csv.read_roster(upload.read())
        except roster_csv.RosterUnreadable as unreadable:
            raise ValidationError(str(unreadable)) from None

    def clean(self):
        if self.too_big:
            # The upload handler skipped the file, so the field reports it as missing.
            self.errors.pop("roster", None)
            self.add_error(
                "roster",
                "The file is bigger than 1 MB; a roster can be at most 1 MB. Upload the class "
                "in smaller files.",
            )
        cleaned = super().clean()
        if "roster" in cleaned:
            cleaned["rows"] = cleaned["roster"]
        return cleaned


class RosterConfirmForm(forms.Form):
    """The previewed rows, signed for this user and class, and the plan's fingerprint."""

    payload = forms.CharField(widget=forms.HiddenInput)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    MAX_AGE = 60 * 60  # an hour to look at the preview

    def __init__(self, *args, group, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.salt = f"essays.roster:{user.pk}:{group.pk}"

    @classmethod
    def for_plan(cls, plan: rosters.RosterPlan, *, group, user) -> "RosterConfirmForm":
        form = cls(group=group, user=user)
        rows = [
            [
                planned.row.line,
                planned.row.first_name,
                planned.row.last_name,
                planned.row.email,
                planned.row.username,
                planned.row.target,
            ]
            for planned in plan.rows
        ]
        form.initial = {
            "payload": signing.dumps(rows, salt=form.salt, compress=True),
            "fingerprint": plan.fingerprint,
        }
        return form

    def clean(self):
        cleaned = super().clean()
        try:
            rows = signing.loads(cleaned.get("payload", ""), salt=self.salt, max_age=self.MAX_AGE)
            cleaned["rows"] = [roster_csv.RosterRow(*row) for row in rows]
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationError(
                "This preview has expired (after an hour) or was changed: upload the file again."
            ) from None
        return cleaned
