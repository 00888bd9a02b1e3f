"""The board of a piece of set work, in the admin site (AssignmentAdmin): every current member
of the class and where their work stands, sortable, linked into marking; and what is done from
it: reminding those who have not handed the work in, granting a student an extension, and
releasing the work's marks all at once. The board's rows are essays.markbook's; the reminders'
emails, essays.set_work_emails'; releasing, essays.marking.rules'.

For work marked anonymously, the board names handed-in work by candidate number, and a member
of staff may open the name behind one script from its marking page (`reveal_view`, recorded in
the response's history: essays.marking.anonymity).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from essays.admin.class_forms import ExtensionForm, ReleaseForm
from essays.admin.scoping import site_url
from essays.markbook import assignment_board, sort_board
from essays.marking.anonymity import candidate_label, candidate_number, is_anonymous, reveal
from essays.marking.rules import release_assignment
from essays.models import Response
from essays.people import person_label
from essays.set_work_emails import queue_reminders


class BoardPages:
    """The board, reminders and extensions of a piece of set work, for AssignmentAdmin."""

    def get_urls(self):
        own = self.page_urls(
            ("<int:pk>/board/", self.board_view, "essays_assignment_board"),
            ("<int:pk>/remind/", self.remind_view, "essays_assignment_remind"),
            ("<int:pk>/extension/", self.extension_view, "essays_assignment_extension"),
            ("<int:pk>/release/", self.release_view, "essays_assignment_release"),
            (
                "<int:pk>/reveal/<int:response_pk>/",
                self.reveal_view,
                "essays_assignment_reveal",
            ),
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
            "can_release": request.user.has_perm("essays.change_response"),
            "to_release": sum(1 for row in rows if row.marking == "marked, not released"),
            "anonymous": any(row.candidate is not None for row in rows),
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

    # Releasing marks, and opening a name -------------------------------------------------------

    @method_decorator(require_POST)
    def release_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Release every marked response of this work at once. The board's button posts here
        for the confirmation page (how many are released, how many kept back); its form posts
        back with `confirm` to do it."""
        assignment = self.scoped_object(request, pk)
        if not request.user.has_perm("essays.change_response"):
            raise PermissionDenied
        board = reverse("admin:essays_assignment_board", args=[pk])
        responses = Response.objects.visible_to_staff(request.user)
        counts = (
            responses.filter(assignment=assignment)
            .awaiting_return()
            .aggregate(
                marked=Count("pk", filter=Q(mark__isnull=False)),
                unmarked=Count("pk", filter=Q(mark__isnull=True)),
                emailed=Count("pk", filter=Q(mark__isnull=False) & ~Q(student__email="")),
            )
        )
        form = ReleaseForm(request.POST if "confirm" in request.POST else None)
        if not counts["marked"]:
            self.message_user(
                request, "Nothing to release: no marked work is waiting.", messages.WARNING
            )
            return HttpResponseRedirect(board)
        if form.is_bound and form.is_valid():
            try:
                release = release_assignment(
                    assignment=assignment,
                    teacher=request.user,
                    site_url=site_url(request),
                    responses=responses,
                    redraft_due_at=form.cleaned_data["redraft_due_at"],
                )
            except ValidationError as error:  # the redraft's date passed as the form was sent
                form.add_error(None, error.messages)
            else:
                self.report_release(
                    request,
                    assignment,
                    release,
                    redraft_due_at=form.cleaned_data["redraft_due_at"],
                    all_emailed=counts["emailed"] == counts["marked"],
                )
                return HttpResponseRedirect(board)
        context = {
            **self.work_context(request, assignment, f"Release marks: {assignment.essay}"),
            "form": form,
            **counts,
            "without_email": counts["marked"] - counts["emailed"],
            "anonymous": assignment.anonymous_marking and assignment.marks_released_at is None,
        }
        return TemplateResponse(request, "admin/essays/assignment/release.html", context)

    def report_release(
        self, request, assignment, release, *, redraft_due_at, all_emailed: bool
    ) -> None:
        redraft = ""
        if redraft_due_at is not None:
            due = timezone.localtime(redraft_due_at)
            redraft = f", for redraft by {due:%A} {due.day} {due:%B %H:%M}"
        emailed = "they are emailed" if all_emailed else "those with an email address are emailed"
        if release.released:
            self.message_user(
                request,
                ngettext(
                    "Released %(count)d mark to its student%(redraft)s; %(emailed)s.",
                    "Released %(count)d marks to their students%(redraft)s; %(emailed)s.",
                    release.released,
                )
                % {"count": release.released, "redraft": redraft, "emailed": emailed},
                messages.SUCCESS,
            )
        if release.unmarked:
            self.message_user(
                request,
                ngettext(
                    "%d response is not marked yet and was kept back: release it once marked.",
                    "%d responses are not marked yet and were kept back: release them once marked.",
                    release.unmarked,
                )
                % release.unmarked,
                messages.WARNING,
            )
        elif assignment.anonymous_marking:
            self.message_user(
                request,
                "Every mark of this work is released: students’ names show again.",
                messages.INFO,
            )

    @method_decorator(require_POST)
    def reveal_view(self, request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
        """Open the name behind one script of anonymous work, for this member of staff's
        session, recorded in the response's history; back to its marking page."""
        assignment = self.scoped_object(request, pk)
        if not request.user.has_perm("essays.view_response"):
            raise PermissionDenied
        student_response = (
            Response.objects.visible_to_staff(request.user)
            .filter(pk=response_pk, assignment=assignment)
            .select_related("student", "essay")
            .defer("body", "feedback")
            .first()
        )
        if student_response is None:
            raise Http404("No response you may see has this address in this work.")
        student_response.assignment = assignment
        marking_page = reverse("admin:essays_response_change", args=[student_response.pk])
        # Back to the marking page inside the pile the teacher came from.
        if pile := request.GET.get("_changelist_filters"):
            marking_page += "?" + urlencode({"_changelist_filters": pile})
        if not is_anonymous(student_response, assignment=assignment):
            self.message_user(
                request, "This work is not marked anonymously: its name shows.", messages.INFO
            )
            return HttpResponseRedirect(marking_page)
        reveal(request, student_response)
        number = candidate_number(assignment, student_response.student_id)
        self.message_user(
            request,
            f"{candidate_label(number)} is {person_label(student_response.student)}. Only you "
            "see the name, for the rest of this session; opening it is recorded in the "
            "response’s history.",
            messages.WARNING,
        )
        return HttpResponseRedirect(marking_page)
