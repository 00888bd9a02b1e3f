import itertools

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from essays.caching import library_changed
from essays.models import Essay, Level, MarkLevel, MarkScheme, Note, Subject, Tag


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
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Tag names are searchable: renaming a tag refreshes its essays' search text.
        for essay in obj.essays.prefetch_related("notes", "tags"):
            essay.refresh_search_document()


class EssayAdminForm(forms.ModelForm):
    class Meta:
        model = Essay
        fields = [
            "headline",
            "slug",
            "statement",
            "command_word",
            "body",
            "subject",
            "level",
            "tags",
            "status",
            "marks_available",
            "time_allowed_minutes",
            "mark_scheme",
        ]

    def clean(self):
        cleaned = super().clean()
        scheme = cleaned.get("mark_scheme") or MarkScheme.objects.default()
        marks = cleaned.get("marks_available")
        if scheme and marks and scheme.max_mark != marks:
            field = "mark_scheme" if cleaned.get("mark_scheme") else "marks_available"
            self.add_error(
                field,
                f"{scheme} is marked out of {scheme.max_mark}, but this essay is out of "
                f"{marks}. Choose a scheme with the same maximum.",
            )
        return cleaned


class MarkLevelFormSet(forms.BaseInlineFormSet):
    """Levels' bands must not overlap, leave no gaps, and run from 0 or 1 to the maximum."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        bands = sorted(
            (
                form.cleaned_data["min_mark"],
                form.cleaned_data["max_mark"],
                form.cleaned_data["number"],
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        if not bands:
            raise ValidationError("A mark scheme needs at least one level.")
        maximum = self.instance.max_mark
        problems = []
        if bands[0][0] not in (0, 1):
            problems.append(f"The lowest band starts at {bands[0][0]}; start it at 0 or 1.")
        for (_, high, number), (next_low, _, next_number) in itertools.pairwise(bands):
            if next_low <= high:
                problems.append(f"Levels {number} and {next_number} overlap.")
            elif next_low > high + 1:
                problems.append(f"No level covers marks {high + 1}–{next_low - 1}.")
        if bands[-1][1] != maximum:
            problems.append(f"The highest band ends at {bands[-1][1]}; end it at {maximum}.")
        numbers = [number for _, _, number in bands]
        if numbers != sorted(numbers):
            problems.append("Higher levels must have higher marks.")
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
    actions = ["publish", "unpublish"]
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

    form = EssayAdminForm

    @admin.display(description="marks")
    def marks_report(self, obj) -> str:
        url = reverse("admin:essays_response_report", args=[obj.pk])
        return format_html('<a href="{}">Report and CSV</a>', url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_document()

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


# Marking lives in its own module; importing it registers ResponseAdmin.
from essays import admin_responses  # noqa: E402, F401
