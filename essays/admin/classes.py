"""Classes and set work in the admin site, for teachers: their classes (members, join codes,
rosters, the markbook), the work they set (the board of each piece, reminders, extensions) and
setting essays to a class from the library.

Everything here is scoped to the classes the user may see (`TeachingGroup.objects.taught_by`:
the classes they teach; a head of department's, every class of the subjects they head;
a superuser's, all): lists, change pages (another teacher's class is "not found"), the
autocompletes, the board, the markbook and its CSV, and the actions. Students are shown by name
and username, "Maya Patel (mpatel)", and are never picked from a list of every account: they
come in by roster or by join code.
"""

import io
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from essays import rosters
from essays.markbook import (
    assignment_board,
    class_markbook,
    markbook_csv,
    person_label,
    sort_board,
)
from essays.models import Assignment, Enrolment, Essay, Extension, Response, TeachingGroup
from essays.set_work_emails import (
    needs_announcing_again,
    queue_reminders,
    schedule_set_work_emails,
)

ESSAY_TEXTS = ("essay__body", "essay__search_document", "essay__search_vector")
MOST_ESSAYS_SET_AT_ONCE = 20


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker, on the classroom's clock (the site's time
    zone): one input, no script."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


DATETIME_LOCAL = {
    models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput}
}


# The largest id the database holds: a bigger one typed into an address finds nothing.
LARGEST_ID = 2**63 - 1


def as_id(typed) -> int | None:
    """An id from a query string, or None for anything that cannot be one."""
    text = str(typed)
    return int(text) if text.isascii() and text.isdigit() and int(text) <= LARGEST_ID else None


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


def site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def classes_for(user):
    """The classes this member of staff may see, as a plain queryset (no DISTINCT) that counts
    and annotations can be added to."""
    if user.is_superuser:
        return TeachingGroup.objects.all()
    return TeachingGroup.objects.filter(pk__in=TeachingGroup.objects.taught_by(user).values("pk"))


class ScopedToClasses:
    """Change, delete and history pages of objects outside the user's classes are not found
    (404), rather than Django's "perhaps it was deleted" redirect; staff with no permission on
    the model at all are refused (403) before anything is looked up."""

    def get_object(self, request, object_id, from_field=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} {object_id} among yours.")
        return obj

    def scoped_queryset(self, request):
        """What a custom view may open, read as that view needs it."""
        return self.get_queryset(request)

    def scoped_object(self, request, pk: int):
        """The object for a custom view: 403 without permission on the model, 404 outside the
        user's classes."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            return self.scoped_queryset(request).get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404(f"No {self.opts.verbose_name} {pk} among yours.") from None


# Classes --------------------------------------------------------------------------------------


class EnrolmentForm(forms.ModelForm):
    target_mark = forms.IntegerField(
        required=False, min_value=0, max_value=rosters.TARGET_MARK_MAX, label="target mark"
    )

    class Meta:
        model = Enrolment
        fields = ["target_grade", "target_mark", "left_at"]
        widgets = {"left_at": DateTimeLocalInput}
        field_classes = {"left_at": forms.DateTimeField}


class EnrolmentInline(admin.TabularInline):
    """The class's members. Students join by code or come in by roster: the list is for their
    targets and for marking someone as having left (their work and marks are kept)."""

    model = Enrolment
    form = EnrolmentForm
    extra = 0
    fields = ["student_name", "joined_at", "target_grade", "target_mark", "left_at"]
    readonly_fields = ["student_name", "joined_at"]
    verbose_name = "member"
    verbose_name_plural = "members"

    def get_queryset(self, request):
        # The class too: each row's caption is the enrolment's str(), "mpatel in 13H History".
        return super().get_queryset(request).select_related("student", "group")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="student")
    def student_name(self, obj) -> str:
        return person_label(obj.student)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


@admin.register(TeachingGroup)
class TeachingGroupAdmin(ScopedToClasses, admin.ModelAdmin):
    list_display = [
        "name",
        "markbook_link",
        "subject",
        "level",
        "year",
        "teacher_names",
        "member_count",
        "join_code_shown",
        "archived",
    ]
    list_filter = ["archived", "subject", "level", "academic_year"]
    list_select_related = ["subject", "level"]
    search_fields = ["name"]
    filter_horizontal = ["teachers"]
    readonly_fields = ["joining", "created_at"]
    inlines = [EnrolmentInline]
    actions = [
        "regenerate_join_codes",
        "turn_joining_off",
        "turn_joining_on",
        "archive",
        "unarchive",
    ]
    change_form_template = "admin/essays/teachinggroup/change_form.html"

    class Media:
        css = {"all": ["css/classes.css"]}

    def get_fieldsets(self, request, obj=None):
        details = (None, {"fields": ["name", "subject", "level", "academic_year", "teachers"]})
        if obj is None:
            return [details]
        return [
            details,
            (
                "Joining",
                {
                    "description": "Students join with the code (or the link) on their "
                    "Classes page. Or add them from a roster: see “Add students from a CSV”.",
                    "fields": ["joining", "archived", "created_at"],
                },
            ),
        ]

    def get_inlines(self, request, obj):
        # A new class has no members yet: they come by roster or join code once it exists.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return (
            classes_for(request.user)
            .annotate(member_count=Count("enrolments", filter=Q(enrolments__left_at__isnull=True)))
            .prefetch_related("teachers")
            .order_by("-academic_year", "name")
        )

    def scoped_queryset(self, request):
        return classes_for(request.user)

    def get_search_results(self, request, queryset, search_term):
        # Setting work chooses among current classes only.
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "assignment":
            queryset = queryset.filter(archived=False)
        return queryset, distinct

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in NUMBER_BOUNDS:
            bound_number(field, db_field.name)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "teachers":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .order_by("last_name", "first_name", "username")
            )
            kwargs["form_class"] = StaffMultipleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # Whoever makes a class teaches it (they can take themselves off afterwards).
            form.instance.teachers.add(request.user)

    @admin.display(description="year", ordering="academic_year")
    def year(self, obj) -> str:
        return obj.year_label

    @admin.display(description="teachers")
    def teacher_names(self, obj) -> str:
        return ", ".join(person_label(teacher) for teacher in obj.teachers.all())

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj) -> int:
        return obj.member_count

    @admin.display(description="join code", ordering="join_code")
    def join_code_shown(self, obj) -> str:
        return obj.join_code or "joining off"

    @admin.display(description="")
    def markbook_link(self, obj) -> str:
        url = reverse("admin:essays_teachinggroup_markbook", args=[obj.pk])
        return format_html('<a href="{}">Markbook</a>', url)

    @admin.display(description="join code")
    def joining(self, obj) -> str:
        """The code and the link to share, with buttons that post the separate join-code form
        (essays/teachinggroup/change_form.html), never this one."""
        if obj.join_code:
            state = format_html(
                '<strong class="join-code">{}</strong> — students enter it on their Classes '
                'page, or open <a href="{}?code={}">the joining link</a>.',
                obj.join_code,
                reverse("essays:join_class"),
                obj.join_code,
            )
            buttons = [("regenerate", "Regenerate join code"), ("off", "Turn joining off")]
        else:
            state = format_html("{}", "Joining is off: no code lets anyone in.")
            buttons = [("on", "Turn joining on (with a new code)")]
        if obj.archived:
            state = format_html("{} {}", state, "(Archived: the class takes no new members.)")
        return format_html(
            '{}<div class="join-code-buttons">{}</div>',
            state,
            format_html_join(
                " ",
                '<button type="submit" form="join-code-form" name="action" value="{}" '
                'class="button">{}</button>',
                buttons,
            ),
        )

    # The class's own pages ---------------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:pk>/join-code/",
                self.admin_site.admin_view(self.join_code_view),
                name="essays_teachinggroup_join_code",
            ),
            path(
                "<int:pk>/roster/",
                self.admin_site.admin_view(self.roster_view),
                name="essays_teachinggroup_roster",
            ),
            path(
                "<int:pk>/markbook/",
                self.admin_site.admin_view(self.markbook_view),
                name="essays_teachinggroup_markbook",
            ),
            path(
                "<int:pk>/markbook.csv",
                self.admin_site.admin_view(self.markbook_csv_view),
                name="essays_teachinggroup_markbook_csv",
            ),
        ]
        return own + super().get_urls()

    def page_context(self, request, group, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "group": group,
            "title": title,
        }

    @method_decorator(require_POST)
    def join_code_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.scoped_object(request, pk)
        if not self.has_change_permission(request, group):
            raise PermissionDenied
        action = request.POST.get("action")
        if action in ("regenerate", "on"):
            code = group.regenerate_join_code()
            self.message_user(
                request,
                f"{group}’s join code is now {code}; the old code no longer works.",
                messages.SUCCESS,
            )
        elif action == "off":
            group.join_code = None
            group.save(update_fields=["join_code"])
            self.message_user(request, f"Joining {group} by code is off.", messages.SUCCESS)
        else:
            self.message_user(request, "Choose what to do with the join code.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:essays_teachinggroup_change", args=[pk]))

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
            **self.page_context(request, group, f"Add students to {group} from a CSV"),
            "upload": upload,
            "plan": plan,
            "confirm": confirm,
            "max_rows": rosters.MAX_ROWS,
        }
        return TemplateResponse(request, "admin/essays/teachinggroup/roster.html", context)

    def markbook_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.scoped_object(request, pk)
        markbook = class_markbook(group)
        context = {
            **self.page_context(request, group, f"Markbook: {group}"),
            "markbook": markbook,
            "columns": list(zip(markbook.assignments, markbook.averages(), strict=True)),
        }
        return TemplateResponse(request, "admin/essays/teachinggroup/markbook.html", context)

    def markbook_csv_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.scoped_object(request, pk)
        if not request.user.has_perm("essays.export_marks"):
            raise PermissionDenied
        return markbook_csv(class_markbook(group))

    # Actions on the list ------------------------------------------------------------------

    @admin.action(description="Regenerate join code", permissions=["change"])
    def regenerate_join_codes(self, request, queryset):
        groups = list(queryset)
        for group in groups:
            group.regenerate_join_code()
        self.message_user(
            request,
            ngettext(
                "%d class has a new join code; the old one no longer works.",
                "%d classes have new join codes; the old ones no longer work.",
                len(groups),
            )
            % len(groups),
            messages.SUCCESS,
        )

    @admin.action(description="Turn joining by code off", permissions=["change"])
    def turn_joining_off(self, request, queryset):
        changed = TeachingGroup.objects.filter(
            pk__in=queryset.values("pk"), join_code__isnull=False
        ).update(join_code=None)
        self.message_user(
            request,
            ngettext(
                "Joining by code is off for %d class.",
                "Joining by code is off for %d classes.",
                changed,
            )
            % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Turn joining by code on", permissions=["change"])
    def turn_joining_on(self, request, queryset):
        groups = list(queryset.filter(join_code__isnull=True))
        for group in groups:
            group.regenerate_join_code()
        self.message_user(
            request,
            ngettext(
                "Joining by code is on for %d class, with a new code.",
                "Joining by code is on for %d classes, each with a new code.",
                len(groups),
            )
            % len(groups),
            messages.SUCCESS,
        )

    @admin.action(description="Archive selected classes", permissions=["change"])
    def archive(self, request, queryset):
        changed = TeachingGroup.objects.filter(pk__in=queryset.values("pk"), archived=False).update(
            archived=True
        )
        self.message_user(
            request,
            ngettext(
                "Archived %d class: it takes no new members or set work; its work and marks "
                "are kept.",
                "Archived %d classes: they take no new members or set work; their work and "
                "marks are kept.",
                changed,
            )
            % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Unarchive selected classes", permissions=["change"])
    def unarchive(self, request, queryset):
        changed = TeachingGroup.objects.filter(pk__in=queryset.values("pk"), archived=True).update(
            archived=False
        )
        self.message_user(
            request,
            ngettext("Unarchived %d class.", "Unarchived %d classes.", changed) % changed,
            messages.SUCCESS,
        )


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
    bigger than rosters.MAX_BYTES (the form then says it is too big)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = bytearray()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > rosters.MAX_BYTES:
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
            f"{rosters.MAX_ROWS} students and 1 MB. In Excel, save as “CSV UTF-8”."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        try:
            return rosters.read_roster(upload.read())
        except rosters.RosterUnreadable as unreadable:
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
            cleaned["rows"] = [rosters.RosterRow(*row) for row in rows]
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationError(
                "This preview has expired (after an hour) or was changed: upload the file again."
            ) from None
        return cleaned


# Set work -------------------------------------------------------------------------------------


class ClassFilter(admin.SimpleListFilter):
    """The user's own classes only: Django's filter for a foreign key lists every class."""

    title = "class"
    parameter_name = "group__id__exact"

    def lookups(self, request, model_admin):
        classes = classes_for(request.user).only("pk", "name", "academic_year")
        return [(str(group.pk), f"{group} ({group.year_label})") for group in classes]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        group_id = as_id(value)
        return queryset.none() if group_id is None else queryset.filter(group_id=group_id)


class PublishedEssayWidget(AutocompleteSelect):
    """Essay autocomplete over published essays only (PublishedEssayAutocomplete)."""

    def get_url(self):
        return reverse("admin:essays_assignment_essay_autocomplete")


class PublishedEssayAutocomplete(AutocompleteJsonView):
    """The admin's autocomplete, for setting work: published essays whose headline or claim
    has every word typed."""

    def process_request(self, request):
        found = super().process_request(request)
        source_field = found[2]
        if (source_field.model, source_field.name) != (Assignment, "essay"):
            raise PermissionDenied
        return found

    def get_queryset(self):
        essays = Essay.objects.published().only("pk", "headline")
        for word in self.term.split()[:10]:
            essays = essays.filter(Q(headline__icontains=word) | Q(statement__icontains=word))
        return essays.order_by("headline", "pk")


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


def limit_to_current_classes(field: forms.ModelChoiceField, user) -> None:
    field.queryset = classes_for(user).filter(archived=False)
    field.label_from_instance = lambda group: f"{group} ({group.year_label})"


@admin.register(Assignment)
class AssignmentAdmin(ScopedToClasses, admin.ModelAdmin):
    list_display = ["essay", "group", "due_at", "handed_in", "board_link", "set_at"]
    list_display_links = ["essay"]
    list_filter = [ClassFilter, "due_at"]
    list_select_related = ["essay", "group"]
    search_fields = ["essay__headline", "group__name"]
    formfield_overrides = DATETIME_LOCAL
    change_form_template = "admin/essays/assignment/change_form.html"

    class Media:
        css = {"all": ["css/classes.css"]}

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["group", "essay", "instructions"]}),
            (
                "When",
                {
                    "description": "On the classroom’s clock. Students are emailed when the "
                    "work is set, and see it from then.",
                    "fields": ["set_at", "due_at", "cut_off_at"],
                },
            ),
            (
                "Rules",
                {
                    "fields": [
                        "time_limit_minutes",
                        "attempt_first",
                        "max_attempts",
                        "anonymous_marking",
                    ]
                },
            ),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["set_by", "created_at"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Students' work belongs to this class and essay: neither changes once set.
        return ["group", "essay", "set_by", "created_at"] if obj is not None else []

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer(*ESSAY_TEXTS)
        if not request.user.is_superuser:
            queryset = queryset.filter(group__in=classes_for(request.user))
        # Counted as the board counts: current members of the class.
        handed_in = (
            Response.objects.submitted_or_returned()
            .filter(
                assignment=OuterRef("pk"),
                student__enrolments__group=OuterRef("group"),
                student__enrolments__left_at__isnull=True,
            )
            .values("assignment")
            .annotate(students=Count("student", distinct=True))
            .values("students")
        )
        members = (
            Enrolment.objects.current()
            .filter(group=OuterRef("group"))
            .values("group")
            .annotate(members=Count("pk"))
            .values("members")
        )
        return queryset.annotate(
            handed_in_count=Coalesce(Subquery(handed_in), 0),
            member_count=Coalesce(Subquery(members), 0),
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in NUMBER_BOUNDS:
            bound_number(field, db_field.name)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "essay":
            kwargs["queryset"] = Essay.objects.published()
            kwargs["widget"] = PublishedEssayWidget(db_field, self.admin_site)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "group":
            limit_to_current_classes(field, request.user)
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)
        if not change or needs_announcing_again(
            old_set_at=form.initial.get("set_at", obj.set_at), new_set_at=obj.set_at
        ):
            schedule_set_work_emails(obj, site_url=site_url(request))

    def response_add(self, request, obj, post_url_continue=None):
        if {"_continue", "_addanother", IS_POPUP_VAR} & set(request.POST):
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, set_work_message(obj), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:essays_assignment_board", args=[obj.pk]))

    @admin.display(description="handed in", ordering="handed_in_count")
    def handed_in(self, obj) -> str:
        return f"{obj.handed_in_count} of {obj.member_count}"

    @admin.display(description="")
    def board_link(self, obj) -> str:
        url = reverse("admin:essays_assignment_board", args=[obj.pk])
        return format_html('<a href="{}">Board</a>', url)

    # The board and what is done from it ---------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "set/",
                self.admin_site.admin_view(self.set_essays_view),
                name="essays_assignment_set_essays",
            ),
            path(
                "essay-autocomplete/",
                self.admin_site.admin_view(self.essay_autocomplete_view),
                name="essays_assignment_essay_autocomplete",
            ),
            path(
                "<int:pk>/board/",
                self.admin_site.admin_view(self.board_view),
                name="essays_assignment_board",
            ),
            path(
                "<int:pk>/remind/",
                self.admin_site.admin_view(self.remind_view),
                name="essays_assignment_remind",
            ),
            path(
                "<int:pk>/extension/",
                self.admin_site.admin_view(self.extension_view),
                name="essays_assignment_extension",
            ),
        ]
        return own + super().get_urls()

    def scoped_queryset(self, request):
        # The board and its forms read the class and the essay's headline and marks.
        work = Assignment.objects.select_related("group", "essay", "set_by").defer(*ESSAY_TEXTS)
        if request.user.is_superuser:
            return work
        return work.filter(group__in=classes_for(request.user))

    def page_context(self, request, assignment, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "assignment": assignment,
            "group": assignment.group,
            "title": title,
        }

    def essay_autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return PublishedEssayAutocomplete.as_view(admin_site=self.admin_site)(request)

    def board_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object(request, pk)
        now = timezone.now()
        rows, order = sort_board(assignment_board(assignment, now=now), request.GET.get("o", ""))
        columns = [
            ("name", "Student"),
            ("status", "Status"),
            ("submitted", "Submitted"),
            ("late", "Late by"),
            ("words", "Words"),
            ("key_points", "Key points"),
            ("similarity", "Similarity"),
            ("mark", f"Mark / {assignment.essay.marks_available}"),
        ]
        headers = [
            {
                "key": key,
                "label": label,
                "sorted": order.removeprefix("-") == key,
                "descending": order == f"-{key}",
                # A first click shows the most first (the latest, the highest mark); the
                # next reverses it.
                "url": "?o=" + (key if order == f"-{key}" else f"-{key}"),
            }
            for key, label in columns
        ]
        waiting = sum(1 for row in rows if not row.work.handed_in and not row.work.closed(now))
        context = {
            **self.page_context(request, assignment, f"{assignment.essay} — {assignment.group}"),
            "rows": rows,
            "headers": headers,
            "waiting": waiting,
            "handed_in": sum(1 for row in rows if row.work.handed_in),
            "not_set_yet": assignment.set_at > now,
            "can_remind": self.has_change_permission(request, assignment),
            "can_extend": request.user.has_perm("essays.add_extension"),
            "marking_url": reverse("admin:essays_response_changelist")
            + "?"
            + urlencode({"assignment__id__exact": assignment.pk}),
        }
        return TemplateResponse(request, "admin/essays/assignment/board.html", context)

    @method_decorator(require_POST)
    def remind_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object(request, pk)
        if not self.has_change_permission(request, assignment):
            raise PermissionDenied
        board = reverse("admin:essays_assignment_board", args=[pk])
        if assignment.set_at > timezone.now():
            self.message_user(
                request,
                "This work is not set yet: students cannot see it, so nobody was reminded.",
                messages.WARNING,
            )
            return HttpResponseRedirect(board)
        with transaction.atomic():
            reminded, without_email = queue_reminders(assignment, site_url=site_url(request))
        if reminded:
            self.message_user(
                request,
                ngettext(
                    "Reminded %d student who has not handed the work in.",
                    "Reminded %d students who have not handed the work in.",
                    reminded,
                )
                % reminded,
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                "Nobody needed a reminder: everyone still able to hand the work in has.",
                messages.INFO,
            )
        if without_email:
            self.message_user(
                request,
                ngettext(
                    "%d student has no email address and was not reminded.",
                    "%d students have no email address and were not reminded.",
                    without_email,
                )
                % without_email,
                messages.WARNING,
            )
        return HttpResponseRedirect(board)

    def extension_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object(request, pk)
        if not request.user.has_perm("essays.add_extension"):
            raise PermissionDenied
        form = ExtensionForm(
            request.POST if request.method == "POST" else None,
            assignment=assignment,
            initial={"student": request.GET.get("student", "")},
        )
        if request.method == "POST" and form.is_valid():
            extension = form.save(teacher=request.user)
            when = timezone.localtime(extension.due_at)
            self.message_user(
                request,
                f"{person_label(extension.student)} now has until "
                f"{when:%A} {when.day} {when:%B %H:%M} for this work.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:essays_assignment_board", args=[pk]))
        context = {
            **self.page_context(request, assignment, f"Grant an extension: {assignment.essay}"),
            "form": form,
        }
        return TemplateResponse(request, "admin/essays/assignment/extension.html", context)

    def set_essays_view(self, request: HttpRequest) -> HttpResponse:
        """The form "Set to a class…" leads to from the essays list: one piece of set work per
        essay chosen, for one class, with the same dates and rules."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        chosen = request.GET.getlist("essay")
        form = SetWorkForm(data, user=request.user, initial={"essays": chosen})
        if data is None and not form.offered:
            self.message_user(
                request,
                "Choose one or more published essays to set, in the list of essays.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:essays_essay_changelist"))
        if data is not None and form.is_valid():
            with transaction.atomic():
                assignments = form.save(teacher=request.user)
                for assignment in assignments:
                    schedule_set_work_emails(assignment, site_url=site_url(request))
            for assignment in assignments:
                self.message_user(request, set_work_message(assignment), messages.SUCCESS)
            if len(assignments) == 1:
                target = reverse("admin:essays_assignment_board", args=[assignments[0].pk])
            else:
                target = (
                    reverse("admin:essays_assignment_changelist")
                    + "?"
                    + urlencode({"group__id__exact": assignments[0].group_id})
                )
            return HttpResponseRedirect(target)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Set to a class",
            "form": form,
            "essays": form.chosen_essays(),
        }
        return TemplateResponse(request, "admin/essays/assignment/set_work.html", context)


def set_work_message(assignment: Assignment) -> str:
    due = timezone.localtime(assignment.due_at)
    when = (
        "Students are emailed now."
        if assignment.set_at <= timezone.now()
        else f"Students are emailed and see it from {timezone.localtime(assignment.set_at):%A} "
        f"{timezone.localtime(assignment.set_at).day} "
        f"{timezone.localtime(assignment.set_at):%B %H:%M}."
    )
    return (
        f"Set “{assignment.essay}” to {assignment.group}, due {due:%A} {due.day} "
        f"{due:%B %H:%M}. {when}"
    )


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
            for enrolment in assignment.group.enrolments.current().select_related("student")
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
