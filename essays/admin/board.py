"""The board of a piece of set work, in the admin site (AssignmentAdmin): every current member
of the class and where their work stands, sortable, linked into marking; and what is done from
it: reminding those who have not handed the work in, and granting a student an extension. The
board's rows are essays.markbook's; the reminders' emails, essays.set_work_emails'.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from essays.admin.class_forms import ExtensionForm
from essays.admin.scoping import site_url
from essays.markbook import assignment_board, sort_board
from essays.people import person_label
from essays.set_work_emails import queue_reminders


class BoardPages:
    """The board, reminders and extensions of a piece of set work, for AssignmentAdmin."""

    def get_urls(self):
        own = self.page_urls(
            ("<int:pk>/board/", self.board_view, "essays_assignment_board"),
            ("<int:pk>/remind/", self.remind_view, "essays_assignment_remind"),
            ("<int:pk>/extension/", self.extension_view, "essays_assignment_extension"),
        )
        return own + super().get_urls()

    def work_context(self, request, assignment, title: str) -> dict:
        """The context of a page about one piece of set work (and its class)."""
        return self.page_context(request, title, assignment=assignment, group=assignment.group)

    def board_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object(request, pk)
        now = timezone.now()
        rows, order = sort_board(assignment_board(assignment, now=now), request.GET.get("o", ""))
        columns = [
            ("name", "Student"),
            ("status", "Status"),
            ("submitted", "Submitted"),
            ("late", "Late by"),
            ("words", "Words"),
            ("key_points", "Key points"),
            ("similarity", "Similarity"),
            ("mark", f"Mark / {assignment.essay.marks_available}"),
        ]
        headers = [
            {
                "key": key,
                "label": label,
                "sorted": order.removeprefix("-") == key,
                "descending": order == f"-{key}",
                # A first click shows the most first (the latest, the highest mark); the
                # next reverses it.
                "url": "?o=" + (key if order == f"-{key}" else f"-{key}"),
            }
            for key, label in columns
        ]
        waiting = sum(1 for row in rows if not row.work.handed_in and not row.work.closed(now))
        context = {
            **self.work_context(request, assignment, f"{assignment.essay} — {assignment.group}"),
            "rows": rows,
            "headers": headers,
            "waiting": waiting,
            "handed_in": sum(1 for row in rows if row.work.handed_in),
            "not_set_yet": assignment.set_at > now,
            "can_remind": self.has_change_permission(request, assignment),
            "can_extend": request.user.has_perm("essays.add_extension"),
            "marking_url": reverse("admin:essays_response_changelist")
            + "?"
            + urlencode({"assignment__id__exact": assignment.pk}),
        }
        return TemplateResponse(request, "admin/essays/assignment/board.html", context)

    @method_decorator(require_POST)
    def remind_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object(request, pk)
        if not self.has_change_permission(request, assignment):
            raise PermissionDenied
        board = reverse("admin:essays_assignment_board", args=[pk])
        if assignment.set_at > timezone.now():
            self.message_user(
                request,
                "This work is not set yet: students cannot see it, so nobody was reminded.",
                messages.WARNING,
            )
            return HttpResponseRedirect(board)
        with transaction.atomic():
            reminded, without_email = queue_reminders(assignment, site_url=site_url(request))
        if reminded:
            self.message_user(
                request,
                ngettext(
                    "Reminded %d student who has not handed the work in.",
                    "Reminded %d students who have not handed the work in.",
                    reminded,
                )
                % reminded,
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                "Nobody needed a reminder: everyone still able to hand the work in has.",
                messages.INFO,
            )
        if without_email:
            self.message_user(
                request,
                ngettext(
                    "%d student has no email address and was not reminded.",
                    "%d students have no email address and were not reminded.",
                    without_email,
                )
                % without_email,
                messages.WARNING,
            )
        return HttpResponseRedirect(board)

    def extension_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assignment = self.scoped_object(request, pk)
        if not request.user.has_perm("essays.add_extension"):
            raise PermissionDenied
        form = ExtensionForm(
            request.POST if request.method == "POST" else None,
            assignment=assignment,
            initial={"student": request.GET.get("student", "")},
        )
        if request.method == "POST" and form.is_valid():
            extension = form.save(teacher=request.user)
            when = timezone.localtime(extension.due_at)
            self.message_user(
                request,
                f"{person_label(extension.student)} now has until "
                f"{when:%A} {when.day} {when:%B %H:%M} for this work.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:essays_assignment_board", args=[pk]))
        context = {
            **self.work_context(request, assignment, f"Grant an extension: {assignment.essay}"),
            "form": form,
        }
        return TemplateResponse(request, "admin/essays/assignment/extension.html", context)
