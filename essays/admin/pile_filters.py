"""The marking pile's filters: marked or not, submitted or returned, by essay (those with most
work waiting), and by class and set work (only the member of staff's own)."""

from django.contrib import admin

from essays.marking import reports
from essays.models import Assignment, Essay, Response, TeachingGroup


class MarkedFilter(admin.SimpleListFilter):
    title = "marked"
    parameter_name = "marked"

    def lookups(self, request, model_admin):
        return [("no", "Not marked yet"), ("yes", "Marked")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(mark__isnull=True)
        if self.value() == "yes":
            return queryset.filter(mark__isnull=False)
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """Submitted or returned: drafts are the student's own and are not listed."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (Response.Status.SUBMITTED, "Submitted (to return)"),
            (Response.Status.RETURNED, "Returned"),
        ]

    def queryset(self, request, queryset):
        if self.value() in (Response.Status.SUBMITTED, Response.Status.RETURNED):
            return queryset.filter(status=self.value())
        return queryset


class EssayFilter(admin.SimpleListFilter):
    """The essays with most work waiting, by headline: a library of thousands of essays would
    make a list of every essay useless (and slow). Any essay's responses are reachable from
    its report, the admin index panel, or a search by headline."""

    title = "essay"
    parameter_name = "essay__id__exact"
    shown = 30

    def lookups(self, request, model_admin):
        waiting = reports.essays_awaiting_marking(request.user)[: self.shown]
        choices = [(str(row["essay_id"]), row["essay__headline"]) for row in waiting]
        chosen = self.value()
        if chosen and chosen.isdigit() and chosen not in dict(choices):
            headline = Essay.objects.filter(pk=chosen).values_list("headline", flat=True).first()
            if headline:
                choices.append((chosen, headline))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(essay_id=int(value))


class OwnClassesFilter(admin.RelatedFieldListFilter):
    """Filters by a relation with Django's own parameter (`assignment__group__id__exact`), but
    offers only what the user may see, the most useful few first; shown even with one choice
    (which still sets set work apart from free practice)."""

    shown = 30

    def options(self, request):
        raise NotImplementedError

    def label(self, option) -> str:
        raise NotImplementedError

    def field_choices(self, field, request, model_admin):
        return [(option.pk, self.label(option)) for option in self.options(request)[: self.shown]]

    @property
    def include_empty_choice(self) -> bool:
        return False

    def has_output(self) -> bool:
        return bool(self.lookup_choices)


class ClassFilter(OwnClassesFilter):
    """Set work of one of the user's classes, newest school year first."""

    def options(self, request):
        return TeachingGroup.objects.taught_by(request.user).only("name", "academic_year")

    def label(self, option) -> str:
        return f"{option.name} ({option.year_label})"


class SetWorkFilter(OwnClassesFilter):
    """One piece of set work of the user's classes (of the class chosen, if one is), the most
    recently set first."""

    def options(self, request):
        set_work = (
            Assignment.objects.taught_by(request.user)
            .select_related("essay", "group")
            .only("set_at", "essay__headline", "group__name")
            .order_by("-set_at", "-pk")
        )
        group = request.GET.get("assignment__group__id__exact", "")
        return set_work.filter(group_id=int(group)) if group.isdigit() else set_work

    def label(self, option) -> str:
        return f"{option.group.name}: {option.essay.headline}"
