"""Teachers' classes in the admin site: each class's teachers, members (their targets, and
whether they have left), join code, archiving, and its markbook with its CSV. Students come in
by join code or by roster (roster_upload.py), never picked from a list of every account; they
are shown by name and username, "Maya Patel (mpatel)" (essays.people).

Everything here is scoped to the classes the user may see (scoping.py): lists, change pages
(another teacher's class is "not found"), the autocomplete, the markbook and its CSV, and the
actions. The work set to a class is in set_work.py and board.py.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from essays.admin.class_forms import EnrolmentForm, NumbersInBounds, StaffMultipleChoiceField
from essays.admin.roster_upload import RosterPage
from essays.admin.scoping import ScopedToClasses, classes_for
from essays.markbook import class_markbook, markbook_csv
from essays.models import Enrolment, TeachingGroup
from essays.people import person_label


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


@admin.register(TeachingGroup)
class TeachingGroupAdmin(ScopedToClasses, NumbersInBounds, RosterPage, admin.ModelAdmin):
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
        own = self.page_urls(
            ("<int:pk>/join-code/", self.join_code_view, "essays_teachinggroup_join_code"),
            ("<int:pk>/markbook/", self.markbook_view, "essays_teachinggroup_markbook"),
            (
                "<int:pk>/markbook.csv",
                self.markbook_csv_view,
                "essays_teachinggroup_markbook_csv",
            ),
        )
        return own + super().get_urls()

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

    def markbook_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.scoped_object(request, pk)
        markbook = class_markbook(group)
        context = {
            **self.page_context(request, f"Markbook: {group}", group=group),
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
