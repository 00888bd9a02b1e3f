"""Anonymous marking in the marking pile's admin (ResponseAdmin, marking.py): wherever the admin
itself names a response, work marked anonymously is named by its candidate number until its
marks are released (essays.marking.anonymity). That is the pile's rows (the number is read with
them, one subquery), its search (a student's name finds none of their anonymous work), the
order of its student column, the change page's subtitle, the messages after saving, and the
response's history with the admin's log of changes (which the admin index lists as "Recent
actions"), and the label screen readers hear for each row's checkbox.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, Value
from django.db.models.fields import CharField
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from essays.marking.anonymity import (
    ANNOTATION,
    is_anonymous,
    response_label,
    with_candidate_numbers,
)

# The pile's student column sorts names by username and, after them, candidates by number:
# anonymous work sorted among names by its hidden username would tell whose it is.
STUDENT_ORDER = Coalesce(
    Concat(Value("~"), Cast(ANNOTATION, output_field=CharField())),
    F("student__username"),
    output_field=CharField(),
)


def search_terms(search_term: str) -> list[str]:
    """The words of a search, as the admin splits them (quoted phrases kept whole)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        terms.append(bit)
    return terms


def anonymous_match(term: str) -> Q:
    """What a word of a search may find anonymous work by: its essay or its candidate number
    ("Candidate 4821" or "4821"), never its student."""
    found = Q(essay__headline__icontains=term)
    if term.lower() == "candidate":
        return Q()
    if term.isascii() and term.isdigit() and len(term) < 10:
        found |= Q(**{ANNOTATION: int(term)})
    return found


class AnonymousMarking:
    """For ResponseAdmin, before admin.ModelAdmin in its bases."""

    def get_queryset(self, request):
        return with_candidate_numbers(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        terms = search_terms(search_term)
        if not terms:
            return super().get_search_results(request, queryset, search_term)
        named, may_have_duplicates = super().get_search_results(
            request, queryset.filter(**{f"{ANNOTATION}__isnull": True}), search_term
        )
        anonymous = queryset.filter(**{f"{ANNOTATION}__isnull": False})
        for term in terms:
            anonymous = anonymous.filter(anonymous_match(term))
        return named | anonymous, may_have_duplicates

    def action_checkbox(self, obj):
        """The pile's checkbox, labelled (for screen readers) by the response as the pile names
        it: the admin's own label is `Response.__str__`, student and all."""
        # The admin's own checkbox, written out rather than rendered as a form widget (a
        # template for each of the page's fifty rows); never ticked when the page opens: an
        # action applies only to the rows the teacher ticks.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            response_label(obj),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = response_label(obj, request=request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        student_response = self.get_object(request, unquote(object_id))
        label = response_label(student_response, request=request)
        extra = {"title": f"Change history: {label}", "object_label": label}
        return super().history_view(request, object_id, {**extra, **(extra_context or {})})

    def log_change(self, request, obj, message):
        if not is_anonymous(obj):
            return super().log_change(request, obj, message)
        # The log outlives anonymity and is listed on the admin index: it never holds a name
        # the marker was not shown.
        return LogEntry.objects.create(
            user_id=request.user.pk,
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
            object_repr=response_label(obj)[:200],
            action_flag=CHANGE,
            change_message=message,
        )

    def response_change(self, request, obj):
        """After a plain save of anonymous work, the admin's own message would name the
        response as `Response.__str__` does, student and all: say it by candidate number."""
        if not is_anonymous(obj) or {IS_POPUP_VAR, "_saveasnew", "_addanother"} & set(request.POST):
            return super().response_change(request, obj)
        label = response_label(obj, request=request)
        if "_continue" in request.POST:
            self.message_user(
                request,
                f"“{label}” was saved. You may edit it again below.",
                messages.SUCCESS,
            )
            preserved = {
                "preserved_filters": self.get_preserved_filters(request),
                "opts": self.opts,
            }
            return HttpResponseRedirect(add_preserved_filters(preserved, request.path))
        self.message_user(request, f"“{label}” was saved.", messages.SUCCESS)
        return self.response_post_save_change(request, obj)
