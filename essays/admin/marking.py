"""Teachers' marking in the admin site: the pile of submitted responses, marking by level of
response, returning work, CSV export and per-essay reports. Drafts never appear here, and each
member of staff sees only their classes' work (Response.objects.visible_to_staff): every page
and action below reads responses through it."""

import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext

from essays import feedback
from essays.admin.pile_filters import (
    ClassFilter,
    EssayFilter,
    MarkedFilter,
    SetWorkFilter,
    StatusFilter,
)
from essays.marking import reports
from essays.marking.export import export_csv
from essays.marking.rules import check_mark, return_response
from essays.models import Essay, Response
from essays.people import person_label


class LevelChoiceWidget(forms.RadioSelect):
    option_template_name = "admin/essays/response/level_option.html"


class MarkingForm(forms.ModelForm):
    """Level first (each choice shows its band and descriptor), then a mark in its band."""

    level = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=LevelChoiceWidget, label="Level"
    )

    class Meta:
        model = Response
        fields = ["level", "mark", "went_well", "even_better_if", "feedback"]
        widgets = {
            "went_well": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "even_better_if": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "feedback": forms.Textarea(attrs={"rows": 6, "cols": 80}),
        }
        help_texts = {"mark": "A mark inside the chosen level's band."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scheme = self.instance.essay.get_mark_scheme() if self.instance.essay_id else None
        levels = list(scheme.levels.all()) if scheme else []
        self.fields["level"].choices = [
            (level.number, f"Level {level.number} ({level.band}): {level.descriptor}")
            for level in levels
        ]
        if not levels:
            self.fields["level"].widget = forms.HiddenInput()
        self.fields["mark"].widget.attrs.update(
            {"min": 0, "max": self.instance.essay.marks_available if self.instance.essay_id else 99}
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("mark") is None and cleaned.get("level") is None:
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


class ResponseChangeList(ChangeList):
    """The list never shows the texts: leave them out of the rows it reads and sorts."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).without_texts()


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
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
        "essay__subject",
        EssayFilter,
        "submitted_at",
    ]
    list_per_page = 50
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
    readonly_fields = [
        "student",
        "essay",
        "attempt",
        "status",
        "word_count",
        "submitted_at",
        "returned_at",
        "marked_by",
    ]
    fieldsets = [
        (None, {"fields": [("student", "essay", "attempt"), ("status", "word_count")]}),
        ("Mark", {"fields": ["level", "mark", "went_well", "even_better_if", "feedback"]}),
        ("Record", {"fields": [("submitted_at", "returned_at", "marked_by")]}),
    ]
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
        student_response = super().get_object(request, object_id, from_field)
        if student_response is None:
            raise Http404("No response you may see has this address.")
        return student_response

    def get_changelist(self, request, **kwargs):
        return ResponseChangeList

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="student", ordering="student__username")
    def student_name(self, obj) -> str:
        return person_label(obj.student)

    @admin.display(description="similarity", ordering="similarity")
    def similarity_percent(self, obj) -> str:
        return "—" if obj.similarity is None else f"{obj.similarity:.0%}"

    @admin.display(description="key points")
    def key_points(self, obj) -> str:
        return f"{obj.key_points_made}/{obj.key_points_total}" if obj.key_points_total else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        student_response = self.get_object(request, object_id)
        essay = student_response.essay
        coverage = student_response.key_point_coverage()
        extra = {
            **(extra_context or {}),
            "response_obj": student_response,
            "highlighted": feedback.highlight_shared(student_response.body, essay.body),
            "scheme": essay.get_mark_scheme(),
            "points_made": coverage.made,
            "points_missed": coverage.missed,
            "points_total": coverage.total,
        }
        return super().change_view(request, object_id, form_url, extra)

    def response_change(self, request, obj):
        if "_return" in request.POST:
            if return_response(
                student_response=obj,
                teacher=request.user,
                site_url=request.build_absolute_uri("/"),
            ):
                self.message_user(
                    request,
                    f"Returned attempt {obj.attempt} to {obj.student}.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, "Give a mark before returning the response.", messages.ERROR
                )
                return HttpResponseRedirect(request.path)
        if "_return" in request.POST or "_next_unmarked" in request.POST:
            following = (
                self.pile_came_from(request).filter(mark__isnull=True).exclude(pk=obj.pk).first()
            )
            preserved = {
                "preserved_filters": self.get_preserved_filters(request),
                "opts": self.opts,
            }
            if following is None:
                self.message_user(request, "Every response in this list is marked.", messages.INFO)
                return HttpResponseRedirect(
                    add_preserved_filters(preserved, reverse("admin:essays_response_changelist"))
                )
            return HttpResponseRedirect(
                add_preserved_filters(
                    preserved, reverse("admin:essays_response_change", args=[following.pk])
                )
            )
        return super().response_change(request, obj)

    def pile_came_from(self, request):
        """The marking pile as the teacher filtered and ordered it in the list they opened this
        response from (the admin keeps that list's filters in `_changelist_filters`), so "next"
        stays inside it. A list whose filters no longer apply falls back to the whole pile."""
        list_request = copy.copy(request)
        list_request.method = "GET"
        list_request.GET = QueryDict(request.GET.get("_changelist_filters", ""))
        try:
            changelist = self.get_changelist_instance(list_request)
        except IncorrectLookupParameters:
            return self.get_queryset(request).order_by(*self.ordering)
        return changelist.get_queryset(list_request)

    @admin.action(description="Return selected responses to their students", permissions=["change"])
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
                ngettext("Returned %d response.", "Returned %d responses.", returned) % returned,
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d response was not returned: it has no valid mark yet (or was already "
                    "returned).",
                    "%d responses were not returned: they have no valid mark yet (or were "
                    "already returned).",
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
