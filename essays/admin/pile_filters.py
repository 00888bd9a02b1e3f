"""The marking pile's filters: marked or not, submitted or returned, by essay (those with most
work waiting), by subject, and by class and set work (only the member of staff's own).

When the pile is read only for its order, to find the next script from a marking page
(`ResponseAdmin.pile_came_from` marks that request `pile_only`), the filters narrow it as on the
list but read none of the choices the sidebar would show (`ChoicesOnlyForTheList`). The one
difference: on the list, Django ignores the parameter of a filter that has nothing to offer
(a teacher with no classes, say, given a class); here a filter in use always applies.
"""

from django.contrib import admin

from essays.marking import reports
from essays.models import Assignment, Essay, Response, TeachingGroup


def choices_shown(request) -> bool:
    """Whether the sidebar is drawn, so the filters' choices are needed."""
    return not getattr(request, "pile_only", False)


class ChoicesOnlyForTheList:
    """For a filter that reads its choices (`lookups` or `field_choices`) only if
    `choices_shown`: without them, Django would leave the filter out, so it applies whenever
    it is in use."""

    choices_read = True

    def no_choices(self) -> list:
        self.choices_read = False
        return []

    def has_output(self) -> bool:
        return super().has_output() if self.choices_read else bool(self.used_parameters)


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


class EssayFilter(ChoicesOnlyForTheList, admin.SimpleListFilter):
    """The essays with most work waiting, by headline: a library of thousands of essays would
    make a list of every essay useless (and slow). Any essay's responses are reachable from
    its report, the admin index panel, or a search by headline."""

    title = "essay"
    parameter_name = "essay__id__exact"
    shown = 30

    def lookups(self, request, model_admin):
        if not choices_shown(request):
            return self.no_choices()
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


class SubjectFilter(ChoicesOnlyForTheList, admin.RelatedFieldListFilter):
    """The essay's subject, as Django's own filter offers it."""

    def field_choices(self, field, request, model_admin):
        if not choices_shown(request):
            return self.no_choices()
        return super().field_choices(field, request, model_admin)


class OwnClassesFilter(ChoicesOnlyForTheList, admin.RelatedFieldListFilter):
    """Filters by a relation with Django's own parameter (`assignment__group__id__exact`), but
    offers only what the user may see, the most useful few first; shown even with one choice
    (which still sets set work apart from free practice)."""

    shown = 30

    def options(self, request):
        raise NotImplementedError

    def label(self, option) -> str:
        raise NotImplementedError

    def field_choices(self, field, request, model_admin):
        if not choices_shown(request):
            return self.no_choices()
        return [(option.pk, self.label(option)) for option in self.options(request)[: self.shown]]

    @property
    def include_empty_choice(self) -> bool:
        return False

    def has_output(self) -> bool:
        return bool(self.lookup_choices) if self.choices_read else bool(self.used_parameters)


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
        set_work = Assignment.objects.taught_by(request.user)
        group = request.GET.get("assignment__group__id__exact", "")
        if group.isdigit():
            set_work = set_work.filter(group_id=int(group))
        # The latest few chosen from the set work alone, then read with their essays and
        # classes (in the same query): a whole school's 1,400 are not joined to be sorted.
        latest = set_work.order_by("-set_at", "-pk").values("pk")[: self.shown]
        return (
            Assignment.objects.filter(pk__in=latest)
            .select_related("essay", "group")
            .only("set_at", "essay__headline", "group__name")
            .order_by("-set_at", "-pk")
        )

    def label(self, option) -> str:
        return f"{option.group.name}: {option.essay.headline}"
