from django.contrib import admin, messages
from django.db.models import Count
from django.db.models.functions import Coalesce, Now
from django.utils.translation import ngettext

from essays.models import Essay, Level, Note, Subject, Tag


class EssayCountAdmin(admin.ModelAdmin):
    """Subjects, levels and tags: how many essays use each, counted in the changelist query."""

    list_display = ["name", "slug", "essay_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(essay_count=Count("essays", distinct=True))

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


class NoteInline(admin.StackedInline):
    model = Note
    extra = 0
    fields = ["position", "kind", "text", "phrases"]
    ordering = ["position", "pk"]


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    list_display = ["headline", "subject", "level", "status", "updated_at"]
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
        ("Timed practice", {"fields": ["marks_available", "time_allowed_minutes"]}),
        (
            "Publication",
            {
                "description": "Students see published essays only.",
                "fields": ["status", "published_at", "created_by", "created_at", "updated_at"],
            },
        ),
    ]

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
