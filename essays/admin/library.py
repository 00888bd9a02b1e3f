"""The library in the admin site, for editors: essays with their notes, subjects, qualification
levels, tags and mark schemes. Teachers can read it; marking is in marking.py."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Coalesce, Now
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from essays.admin.class_forms import MOST_ESSAYS_SET_AT_ONCE
from essays.caching import library_changed
from essays.models import Essay, Level, MarkLevel, MarkScheme, Note, Subject, Tag, band_problems


class EssayCountAdmin(admin.ModelAdmin):
    """Subjects, levels and tags: how many essays use each, counted in the changelist query."""

    list_display = ["name", "slug", "essay_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # An aggregate drops Meta.ordering; keep the list (and the tag autocomplete) in order.
        return (
            super()
            .get_queryset(request)
            .annotate(essay_count=Count("essays", distinct=True))
            .order_by("name")
        )

    @admin.display(description="essays", ordering="essay_count")
    def essay_count(self, obj) -> int:
        return obj.essay_count


@admin.register(Subject)
class SubjectAdmin(EssayCountAdmin):
    pass


@admin.register(Level)
class LevelAdmin(EssayCountAdmin):
    pass


@admin.register(Tag)
class TagAdmin(EssayCountAdmin):
    pass


class MarkLevelFormSet(forms.BaseInlineFormSet):
    """The levels as the form has them, checked by the scheme's rule (band_problems) before
    anything is saved."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        bands = [
            (
                form.cleaned_data["min_mark"],
                form.cleaned_data["max_mark"],
                form.cleaned_data["number"],
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = band_problems(bands, self.instance.max_mark)
        if problems:
            raise ValidationError(problems)


class MarkLevelInline(admin.TabularInline):
    model = MarkLevel
    formset = MarkLevelFormSet
    extra = 0
    fields = ["number", "min_mark", "max_mark", "descriptor"]


@admin.register(MarkScheme)
class MarkSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "max_mark", "is_default", "level_count"]
    inlines = [MarkLevelInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(level_count=Count("levels")).order_by("name")

    @admin.display(description="levels", ordering="level_count")
    def level_count(self, obj) -> int:
        return obj.level_count


class NoteInline(admin.StackedInline):
    model = Note
    extra = 0
    fields = ["position", "kind", "text", "phrases"]
    ordering = ["position", "pk"]


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    list_display = ["headline", "subject", "level", "status", "updated_at", "marks_report"]
    list_filter = ["status", "subject", "level", "tags"]
    list_select_related = ["subject", "level"]
    search_fields = ["headline", "statement", "body", "notes__text"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["tags"]
    readonly_fields = ["created_by", "created_at", "updated_at", "published_at"]
    inlines = [NoteInline]
    actions = ["publish", "unpublish", "set_to_class"]
    date_hierarchy = "updated_at"
    fieldsets = [
        (None, {"fields": ["headline", "slug", "statement", "command_word", "body"]}),
        ("Classification", {"fields": ["subject", "level", "tags"]}),
        (
            "Timed practice and marking",
            {"fields": ["marks_available", "time_allowed_minutes", "mark_scheme"]},
        ),
        (
            "Publication",
            {
                "description": "Students see published essays only.",
                "fields": ["status", "published_at", "created_by", "created_at", "updated_at"],
            },
        ),
    ]

    @admin.display(description="marks")
    def marks_report(self, obj) -> str:
        url = reverse("admin:essays_response_report", args=[obj.pk])
        return format_html('<a href="{}">Report and CSV</a>', url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected essays", permissions=["change"])
    def publish(self, request, queryset):
        changed = queryset.exclude(status=Essay.Status.PUBLISHED).update(
            status=Essay.Status.PUBLISHED,
            published_at=Coalesce("published_at", Now()),
            updated_at=Now(),
        )
        library_changed()
        self.message_user(
            request,
            ngettext("Published %d essay.", "Published %d essays.", changed) % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected essays", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = queryset.filter(status=Essay.Status.PUBLISHED).update(
            status=Essay.Status.DRAFT, updated_at=Now()
        )
        library_changed()
        self.message_user(
            request,
            ngettext(
                "Unpublished %d essay: it is hidden from students.",
                "Unpublished %d essays: they are hidden from students.",
                changed,
            )
            % changed,
            messages.SUCCESS,
        )

    @admin.action(description="Set to a class…", permissions=["set_work"])
    def set_to_class(self, request, queryset):
        """On to the form that sets the chosen published essays to one of the teacher's
        classes (essays/admin/set_work.py)."""

        published = list(
            queryset.filter(status=Essay.Status.PUBLISHED).values_list("pk", flat=True)
        )
        if not published:
            self.message_user(
                request, "Only published essays can be set to a class.", messages.ERROR
            )
            return None
        if len(published) > MOST_ESSAYS_SET_AT_ONCE:
            self.message_user(
                request,
                f"Set at most {MOST_ESSAYS_SET_AT_ONCE} essays at a time.",
                messages.ERROR,
            )
            return None
        drafts = queryset.count() - len(published)
        if drafts:
            self.message_user(
                request,
                ngettext(
                    "%d draft essay was left out: only published essays can be set.",
                    "%d draft essays were left out: only published essays can be set.",
                    drafts,
                )
                % drafts,
                messages.WARNING,
            )
        query = urlencode([("essay", pk) for pk in published])
        return HttpResponseRedirect(f"{reverse('admin:essays_assignment_set_essays')}?{query}")

    def has_set_work_permission(self, request) -> bool:
        return request.user.has_perm("essays.add_assignment")
