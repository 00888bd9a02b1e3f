"""Which classes a member of staff sees in the admin site, shared by the pages of classes
(classes.py, roster_upload.py) and of set work (set_work.py, board.py).

`classes_for(user)` is the rule (`TeachingGroup.objects.taught_by`: the classes they teach; a
head of department's, every class of the subjects they head; a superuser's, all). Lists, change
pages (another teacher's class is "not found"), the filters, the choice of class when setting
work, and every custom page read through it.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import URLPattern, path

from essays.models import TeachingGroup


def classes_for(user):
    """The classes this member of staff may see, as a plain queryset (no DISTINCT) that counts
    and annotations can be added to."""
    if user.is_superuser:
        return TeachingGroup.objects.all()
    return TeachingGroup.objects.filter(pk__in=TeachingGroup.objects.taught_by(user).values("pk"))


class ScopedToClasses:
    """Change, delete and history pages of objects outside the user's classes are not found
    (404), rather than Django's "perhaps it was deleted" redirect; staff with no permission on
    the model at all are refused (403) before anything is looked up. The admin's own pages (the
    markbook, the board…) open their object with `scoped_object`, have their addresses made by
    `page_urls` and are drawn with `page_context`."""

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

    def page_urls(self, *pages: tuple[str, Callable, str]) -> list[URLPattern]:
        """The admin's own pages, each (route, view, URL name), behind the admin site's check
        that the user is signed in as staff."""
        return [
            path(route, self.admin_site.admin_view(view), name=name) for route, view, name in pages
        ]

    def page_context(self, request, title: str, **shown) -> dict:
        """The context an own page is drawn with: the admin site's, the model's, its title and
        what it shows."""
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **shown}


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


def limit_to_current_classes(field: forms.ModelChoiceField, user) -> None:
    """Setting work chooses among the user's current classes, each shown with its year."""
    field.queryset = classes_for(user).filter(archived=False)
    field.label_from_instance = lambda group: f"{group} ({group.year_label})"


# The largest id the database holds: a bigger one typed into an address finds nothing.
LARGEST_ID = 2**63 - 1


def as_id(typed) -> int | None:
    """An id from a query string, or None for anything that cannot be one."""
    text = str(typed)
    return int(text) if text.isascii() and text.isdigit() and int(text) <= LARGEST_ID else None


def site_url(request: HttpRequest) -> str:
    """The site's address, for the links in the emails these pages queue."""
    return request.build_absolute_uri("/")
