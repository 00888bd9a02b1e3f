"""Set work in the admin site, for teachers: the list of the work set to their classes (with
how many have handed it in), the form that sets one essay, and "Set to a class…", which sets
several essays chosen in the library to one class at once. Essays are chosen among published
ones only. Saving work queues its announcement to the class (essays.set_work_emails) for its
set-at time. Turning anonymous marking on after work was handed in numbers those students at
once (essays.marking.anonymity). The board of each piece of work, its reminders, extensions and
releasing its marks are in board.py.

Everything here is scoped to the classes the user may see (scoping.py).
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from essays.admin.board import BoardPages
from essays.admin.class_forms import DATETIME_LOCAL, NumbersInBounds, SetWorkForm
from essays.admin.scoping import (
    ClassFilter,
    ScopedToClasses,
    classes_for,
    limit_to_current_classes,
    site_url,
)
from essays.markbook import ESSAY_TEXTS
from essays.marking.anonymity import number_candidates
from essays.models import Assignment, Enrolment, Essay, Response
from essays.set_work_emails import needs_announcing_again, schedule_set_work_emails


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
        # PostgreSQL refuses NUL in a text comparison: it separates words like a space.
        for word in self.term.replace("\x00", " ").split()[:10]:
            essays = essays.filter(Q(headline__icontains=word) | Q(statement__icontains=word))
        return essays.order_by("headline", "pk")


@admin.register(Assignment)
class AssignmentAdmin(ScopedToClasses, NumbersInBounds, BoardPages, admin.ModelAdmin):
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
        if change and obj.anonymous_marking and "anonymous_marking" in form.changed_data:
            # Work already handed in is anonymous from now: every page shows the same numbers.
            number_candidates(obj)
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

    # Setting essays chosen in the library, and choosing an essay ----------------------------

    def get_urls(self):
        own = self.page_urls(
            ("set/", self.set_essays_view, "essays_assignment_set_essays"),
            (
                "essay-autocomplete/",
                self.essay_autocomplete_view,
                "essays_assignment_essay_autocomplete",
            ),
        )
        return own + super().get_urls()

    def scoped_queryset(self, request):
        # The board and its forms read the class and the essay's headline and marks.
        work = Assignment.objects.select_related("group", "essay", "set_by").defer(*ESSAY_TEXTS)
        if request.user.is_superuser:
            return work
        return work.filter(group__in=classes_for(request.user))

    def essay_autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return PublishedEssayAutocomplete.as_view(admin_site=self.admin_site)(request)

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
        context = self.page_context(
            request, "Set to a class", form=form, essays=form.chosen_essays()
        )
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
