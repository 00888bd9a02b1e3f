"""Teachers' marking in the admin site: the pile of submitted responses, the marking page
(its form in marking_form.py, what it shows beside the form in marking_page.py, its margin
comments and comment bank in annotations.py), releasing work (perhaps for a redraft), moving
through the pile, CSV export and per-essay reports. Drafts never appear here, and each member of
staff sees only their classes' work (Response.objects.visible_to_staff): every page and action
below reads responses through it."""

import copy

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import ngettext

from essays.admin import pile_rows
from essays.admin.annotations import annotation_urls
from essays.admin.anonymous_marking import STUDENT_ORDER, AnonymousMarking
from essays.admin.marking_form import MarkingForm
from essays.admin.marking_page import neighbour_in_pile, page_context
from essays.admin.pile_filters import (
    ClassFilter,
    EssayFilter,
    MarkedFilter,
    SetWorkFilter,
    StatusFilter,
    SubjectFilter,
)
from essays.marking import anonymity, reports
from essays.marking.annotations import count_bank_uses
from essays.marking.export import export_csv
from essays.marking.rules import return_response
from essays.models import Essay, Response

# The pile counts its scripts exactly up to this many; past it the list says "more than
# 10,000" (the pages past the 200th are reached by filtering or searching, not by number).
# Counting a whole school's 200,000 responses would cost more than the rest of the page.
COUNT_LIMIT = 10_000


class PilePaginator(Paginator):
    """The pile's pages, read in two steps: first the ids of a page's scripts in the pile's
    order (the database sorts narrow index entries, never whole responses: a teacher's
    thousands of scripts, or a school's 200,000), then those fifty scripts. And a count that
    stops past COUNT_LIMIT (`count_stopped`)."""

    @cached_property
    def count(self) -> int:
        # Ids alone: neither the candidate numbers nor the joins the rows are read with.
        return self.object_list.order_by().values_list("pk")[: COUNT_LIMIT + 1].count()

    @property
    def count_stopped(self) -> bool:
        """Whether the pile holds more than COUNT_LIMIT scripts (and `count` says one more)."""
        return self.count > COUNT_LIMIT

    @property
    def limit_label(self) -> str:
        return f"{COUNT_LIMIT:,}"

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        rows = [found[pk] for pk in ids if pk in found]
        # Anonymous work whose student has no number yet is numbered for the page in one go.
        anonymity.fill_candidate_numbers(rows)
        return self._get_page(rows, number, self)


class ResponseChangeList(ChangeList):
    """The list never shows the texts: leave them out of the rows it reads and sorts."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).without_texts()

    def result_table(self) -> dict:
        """The page's table, for the pile's change_list.html."""
        return pile_rows.result_table(self)


class PileOrder(ResponseChangeList):
    """The pile as the list filters, searches and orders it, for finding the next script: no
    page of rows is read (nor counted), and its filters offer no choices (`pile_only`), so
    it costs no query of its own."""

    def get_results(self, request):
        self.result_list = []


@admin.register(Response)
class ResponseAdmin(AnonymousMarking, admin.ModelAdmin):
    form = MarkingForm
    list_display = [
        "student_name",
        "essay",
        "attempt",
        "status",
        "word_count",
        "submitted_at",
        "level",
        "mark",
        "similarity_percent",
        "key_points",
    ]
    list_display_links = ["student_name", "essay"]
    list_filter = [
        StatusFilter,
        MarkedFilter,
        ("assignment__group", ClassFilter),
        ("assignment", SetWorkFilter),
        ("essay__subject", SubjectFilter),
        EssayFilter,
        "submitted_at",
    ]
    list_per_page = 50
    paginator = PilePaginator
    # Counting every submitted response again for "(N total)" is a second full count.
    show_full_result_count = False
    list_select_related = ["student", "essay"]
    search_fields = [
        "student__username",
        "student__first_name",
        "student__last_name",
        "student__email",
        "essay__headline",
    ]
    # No date_hierarchy: its links come from reading the date of every submitted response on
    # each page view (seconds with 200,000 of them); the "submitted" filter covers the need.
    actions = ["return_selected", "export_selected"]
    # The marking page lays these out itself (its template): the answer, and beside it the mark
    # panel; who wrote it and when are shown as text there, named as anonymity allows.
    fields = ["level", "mark", "went_well", "even_better_if", "feedback"]
    # The student's own page is theirs alone: a link to it would be "not found" to staff.
    view_on_site = False
    change_form_template = "admin/essays/response/change_form.html"
    # Newest unmarked first, then the rest newest first.
    ordering = [F("mark").asc(nulls_first=True), "-submitted_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to_staff(request.user)

    def get_object(self, request, object_id, from_field=None):
        """The response at this address if this user may see it. Anything else (a draft,
        another class's work, an id that never existed) is "not found", one 404 for all, so the
        answer tells nobody what exists. Staff who may not see responses at all are refused
        (403) first, as on the rest of the pile."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # What the marking page reads besides the response, in the same query.
        queryset = self.get_queryset(request).select_related(
            "student", "essay__subject", "essay__mark_scheme", "assignment", "marked_by"
        )
        object_id = str(object_id)
        student_response = queryset.filter(pk=object_id).first() if object_id.isdigit() else None
        if student_response is None:
            raise Http404("No response you may see has this address.")
        return student_response

    def get_changelist(self, request, **kwargs):
        return PileOrder if getattr(request, "pile_only", False) else ResponseChangeList

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="student", ordering=STUDENT_ORDER)
    def student_name(self, obj) -> str:
        return anonymity.student_label(obj)

    @admin.display(description="similarity", ordering="similarity")
    def similarity_percent(self, obj) -> str:
        return "—" if obj.similarity is None else f"{obj.similarity:.0%}"

    @admin.display(description="key points")
    def key_points(self, obj) -> str:
        return f"{obj.key_points_made}/{obj.key_points_total}" if obj.key_points_total else "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # The form checks bank comments against what this member of staff may use.
        return type(form.__name__, (form,), {"marker": request.user})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            may_change = self.has_change_permission(request, obj)
            context.update(page_context(request, obj, may_change=may_change))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Save the mark and count the bank comments picked into it; with "release" (perhaps
        for a redraft), release it to the student in the same transaction. Whoever sets the
        mark is its marker from then, released or not (moderation samples draft marks too)."""
        if obj.mark is not None and (
            obj.marked_by_id is None or {"level", "mark"} & set(form.changed_data)
        ):
            obj.marked_by = request.user
        if obj.is_returned and {"level", "mark"} & set(form.changed_data):
            # The student has already seen the mark: say so, rather than change it silently.
            # (The admin's history records the change.)
            self.message_user(
                request,
                f"{anonymity.student_label(obj, request=request)} had already seen "
                f"{form.initial.get('mark')}; their work now shows {obj.mark}. Tell them why.",
                messages.WARNING,
            )
        super().save_model(request, obj, form, change)
        count_bank_uses(form.cleaned_data["bank_uses"])
        if form.releases:
            return_response(
                student_response=obj,
                teacher=request.user,
                site_url=request.build_absolute_uri("/"),
                redraft_due_at=form.cleaned_data.get("redraft_due_at"),
            )

    def response_change(self, request, obj):
        released = ("_return" in request.POST or "_redraft" in request.POST) and obj.is_returned
        if released:
            label = anonymity.student_label(obj, request=request)
            if obj.redraft_due_at is not None:
                due = formats.date_format(timezone.localtime(obj.redraft_due_at), "j F")
                message = f"Released attempt {obj.attempt} to {label} for a redraft by {due}."
            else:
                message = f"Released attempt {obj.attempt} to {label}."
            self.message_user(request, message, messages.SUCCESS)
        elif "_next_unmarked" in request.POST:
            # Said on the next script, so the teacher knows the last one was kept.
            label = anonymity.student_label(obj, request=request)
            kept = "" if obj.is_returned else " (not released)"
            self.message_user(request, f"Saved the mark for {label}{kept}.", messages.SUCCESS)
        if released or "_next_unmarked" in request.POST:
            following = self.next_unmarked(request, obj.pk)
            if following is None:
                self.message_user(request, "Every response in this list is marked.", messages.INFO)
                return self.back_to_pile(request)
            return self.go_to(request, following)
        return super().response_change(request, obj)

    def next_unmarked(self, request, pk: int) -> int | None:
        """The id of the first unmarked script after saving `pk`, in the pile the teacher came
        from: one query, for ids alone, in the pile's order."""
        pile = self.pile_came_from(request).filter(mark__isnull=True).exclude(pk=pk)
        return pile.values_list("pk", flat=True).first()

    def back_to_pile(self, request) -> HttpResponseRedirect:
        """The list the teacher came from, as they filtered it."""
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(
            add_preserved_filters(preserved, reverse("admin:essays_response_changelist"))
        )

    def go_to(self, request, pk: int) -> HttpResponseRedirect:
        """Another script's marking page, keeping the list the teacher came from."""
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(
            add_preserved_filters(preserved, reverse("admin:essays_response_change", args=[pk]))
        )

    def neighbour_view(self, request: HttpRequest, object_id: int, step: int) -> HttpResponse:
        """The next (step 1) or previous (step -1) script in the pile the teacher came from, or
        that list itself, with a word, past either end."""
        student_response = self.get_object(request, object_id)
        neighbour = neighbour_in_pile(self.pile_came_from(request), student_response.pk, step)
        if neighbour is None:
            where = "last" if step > 0 else "first"
            self.message_user(request, f"That was the {where} script in this list.", messages.INFO)
            return self.back_to_pile(request)
        return self.go_to(request, neighbour)

    def pile_came_from(self, request):
        """The marking pile as the teacher filtered and ordered it in the list they opened this
        response from (the admin keeps that list's filters in `_changelist_filters`), so "next"
        stays inside it. A list whose filters no longer apply falls back to the whole pile."""
        list_request = copy.copy(request)
        list_request.method = "GET"
        list_request.GET = QueryDict(request.GET.get("_changelist_filters", ""))
        list_request.pile_only = True
        try:
            changelist = self.get_changelist_instance(list_request)
        except IncorrectLookupParameters:
            return self.get_queryset(request).order_by(*self.ordering)
        return changelist.queryset

    @admin.action(
        description="Release selected responses to their students", permissions=["change"]
    )
    def return_selected(self, request, queryset):
        returned = skipped = 0
        site_url = request.build_absolute_uri("/")
        for student_response in queryset.select_related("essay", "student"):
            try:
                done = return_response(
                    student_response=student_response, teacher=request.user, site_url=site_url
                )
            except ValidationError:
                done = False
            returned += done
            skipped += not done
        if returned:
            self.message_user(
                request,
                ngettext("Released %d response.", "Released %d responses.", returned) % returned,
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d response was not released: it has no valid mark yet (or was already "
                    "released).",
                    "%d responses were not released: they have no valid mark yet (or were "
                    "already released).",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description="Export selected marks as CSV", permissions=["export"])
    def export_selected(self, request, queryset):
        return export_csv(queryset, name="studyhub-marks")

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("essays.export_marks")

    def get_urls(self):
        own = [
            *annotation_urls(self.admin_site),
            path(
                "<int:object_id>/next/",
                self.admin_site.admin_view(self.neighbour_view),
                {"step": 1},
                name="essays_response_next",
            ),
            path(
                "<int:object_id>/previous/",
                self.admin_site.admin_view(self.neighbour_view),
                {"step": -1},
                name="essays_response_previous",
            ),
            path(
                "essay/<int:essay_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name="essays_response_report",
            ),
            path(
                "essay/<int:essay_id>/export/",
                self.admin_site.admin_view(self.export_essay_view),
                name="essays_response_export",
            ),
        ]
        return own + super().get_urls()

    def report_view(self, request: HttpRequest, essay_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        essay = get_object_or_404(Essay, pk=essay_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Marks report: {essay.headline}",
            "essay": essay,
            "report": reports.essay_report(essay, user=request.user),
            "can_export": self.has_export_permission(request),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/essays/response/report.html", context)

    def export_essay_view(self, request: HttpRequest, essay_id: int) -> HttpResponse:
        if not self.has_export_permission(request):
            raise PermissionDenied
        essay = get_object_or_404(Essay, pk=essay_id)
        responses = (
            Response.objects.visible_to_staff(request.user)
            .filter(essay=essay)
            .order_by("student__username")
        )
        return export_csv(responses, name=f"marks-{essay.slug}")
