"""Moderation in the admin site: the list of samples each member of staff may see; drawing a
sample (the add page, for heads of department); the second marker's blind marking, one script
at a time; and the agreement report, where a mark is agreed. The rules are essays.moderation's;
the report's plot, essays.moderation_plot's; the forms, moderation_forms.py.

The second marker reaches the scripts through the sample, not through their classes: the
students need not be theirs. Nothing they are shown names the student or the first marker, or
gives the first mark.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from essays import moderation
from essays.admin.moderation_forms import (
    AgreeForm,
    DrawSampleForm,
    MarkForm,
    apply_errors,
    difference,
    levels_of,
)
from essays.admin.scoping import ScopedToClasses, as_id
from essays.markbook import ESSAY_TEXTS
from essays.marking.annotated_text import render
from essays.models import ModerationSample
from essays.moderation_plot import scatter
from essays.people import person_label

ASSIGNMENT_TEXTS = [f"assignment__{field}" for field in ESSAY_TEXTS]


@admin.register(ModerationSample)
class ModerationSampleAdmin(ScopedToClasses, admin.ModelAdmin):
    list_display_links = ["set_work"]
    # With no filters the full count is the same count again.
    show_full_result_count = False
    list_select_related = ["assignment__essay", "assignment__group", "drawn_by", "second_marker"]
    readonly_fields = ["set_work", "drawn_by_name", "drawn_at", "second_marker_name", "progress"]
    fields = [
        "set_work",
        "per_marker",
        "seed",
        "drawn_by_name",
        "drawn_at",
        "second_marker_name",
        "progress",
    ]
    change_form_template = "admin/essays/moderationsample/change_form.html"

    class Media:
        css = {"all": ["css/moderation.css"]}

    # Who sees what --------------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            moderation.samples_for(request.user)
            .defer(*ASSIGNMENT_TEXTS)
            .annotate(
                script_count=Count("scripts"),
                second_marked=Count("scripts", filter=Q(scripts__second_mark__isnull=False)),
            )
        )

    def scoped_queryset(self, request):
        return (
            moderation.samples_for(request.user)
            .select_related("assignment__essay", "assignment__group", "second_marker", "drawn_by")
            .defer(*ASSIGNMENT_TEXTS)
        )

    def has_change_permission(self, request, obj=None) -> bool:
        # A sample is drawn, then marked and reported on: never edited.
        return False

    # The list ------------------------------------------------------------------------------

    def get_list_display(self, request):
        user = request.user

        @admin.display(description="")
        def next_step(sample):
            links = []
            if sample.second_marker_id == user.pk and sample.second_marked < sample.script_count:
                links.append(
                    (
                        reverse("admin:essays_moderationsample_mark", args=[sample.pk]),
                        f"Mark the {sample.script_count - sample.second_marked} left",
                    )
                )
            if moderation.may_see_report(user, sample):
                links.append(
                    (reverse("admin:essays_moderationsample_report", args=[sample.pk]), "Report")
                )
            return format_html_join(" · ", '<a href="{}">{}</a>', links)

        return [
            "set_work",
            "drawn_at",
            "drawn_by_name",
            "second_marker_name",
            "progress",
            next_step,
        ]

    @admin.display(description="set work", ordering="assignment__essay__headline")
    def set_work(self, sample) -> str:
        return f"{sample.assignment.essay.headline} — {sample.assignment.group}"

    @admin.display(description="drawn by")
    def drawn_by_name(self, sample) -> str:
        return person_label(sample.drawn_by) if sample.drawn_by else "—"

    @admin.display(description="second marker", ordering="second_marker__username")
    def second_marker_name(self, sample) -> str:
        return person_label(sample.second_marker)

    @admin.display(description="second-marked")
    def progress(self, sample) -> str:
        return f"{sample.second_marked} of {sample.script_count}"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_report"] = moderation.may_see_report(request.user, obj)
            context["can_mark"] = moderation.may_second_mark(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Pages ---------------------------------------------------------------------------------

    def get_urls(self):
        own = self.page_urls(
            ("<int:pk>/report/", self.report_view, "essays_moderationsample_report"),
            ("<int:pk>/mark/", self.mark_view, "essays_moderationsample_mark"),
            (
                "<int:pk>/scripts/<int:script_pk>/",
                self.script_view,
                "essays_moderationsample_script",
            ),
            (
                "<int:pk>/scripts/<int:script_pk>/agree/",
                self.agree_view,
                "essays_moderationsample_agree",
            ),
        )
        return own + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Drawing a sample."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DrawSampleForm(
            request.POST if request.method == "POST" else None,
            user=request.user,
            initial={"assignment": as_id(request.GET.get("assignment", ""))},
        )
        if request.method == "POST" and form.is_valid():
            try:
                sample = moderation.draw_sample(
                    assignment=form.cleaned_data["assignment"],
                    per_marker=form.cleaned_data["per_marker"],
                    second_marker=form.cleaned_data["second_marker"],
                    drawn_by=request.user,
                    seed=form.cleaned_data["seed"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                self.log_addition(request, sample, [{"added": {}}])
                drawn = sample.scripts.count()
                self.message_user(
                    request,
                    f"Drew {drawn} script{'s' if drawn != 1 else ''} for "
                    f"{person_label(sample.second_marker)} to mark blind.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:essays_moderationsample_report", args=[sample.pk])
                )
        context = self.page_context(request, "Draw a moderation sample", form=form)
        return TemplateResponse(request, "admin/essays/moderationsample/draw.html", context)

    def marking_sample(self, request, pk: int) -> ModerationSample:
        """The sample, for its second marker (or a superuser); "not found" to anyone else."""
        sample = self.scoped_object(request, pk)
        if not moderation.may_second_mark(request.user, sample):
            raise Http404("You are not this sample's second marker.")
        return sample

    def mark_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Where the second marker starts: the first script they have not marked."""
        sample = self.marking_sample(request, pk)
        script = moderation.next_to_mark(sample)
        if script is None:
            return self.all_marked(request, sample)
        return HttpResponseRedirect(
            reverse("admin:essays_moderationsample_script", args=[sample.pk, script.pk])
        )

    def all_marked(self, request, sample) -> HttpResponse:
        self.message_user(
            request,
            f"Every script of “{self.set_work(sample)}” is second-marked. Thank you.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:essays_moderationsample_changelist"))

    def script_view(self, request: HttpRequest, pk: int, script_pk: int) -> HttpResponse:
        """One script, marked blind: the text, the levels and a mark; nothing of the first
        marking and nobody's name."""
        sample = self.marking_sample(request, pk)
        order = list(sample.scripts.order_by("pk").values_list("pk", "second_mark"))
        numbers = {script_id: number for number, (script_id, _) in enumerate(order, start=1)}
        if script_pk not in numbers:
            raise Http404("This sample has no such script.")
        script = sample.scripts.select_related("response").get(pk=script_pk)
        script.sample = sample
        essay = script.response.essay = sample.assignment.essay
        levels = levels_of(essay)
        initial = {"level": script.second_level, "mark": script.second_mark}
        form = MarkForm(
            request.POST if request.method == "POST" else None,
            levels=levels,
            essay=essay,
            initial=initial,
        )
        if request.method == "POST" and script.agreed_mark is None and form.is_valid():
            try:
                moderation.record_second_mark(
                    script=script,
                    marker=request.user,
                    level=form.cleaned_data.get("level"),
                    mark=form.cleaned_data["mark"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                self.message_user(request, f"Script {numbers[script.pk]} marked.", messages.SUCCESS)
                following = moderation.next_to_mark(sample, after=script)
                if following is None:
                    return self.all_marked(request, sample)
                return HttpResponseRedirect(
                    reverse("admin:essays_moderationsample_script", args=[sample.pk, following.pk])
                )
        number = numbers[script.pk]
        context = self.page_context(
            request,
            f"Script {number} of {len(order)}",
            sample=sample,
            essay=essay,
            number=number,
            form=form,
            agreed=script.agreed_mark is not None,
            text=render(script.response.body),
            scripts=[
                {"number": n, "pk": script_id, "marked": mark is not None}
                for n, (script_id, mark) in enumerate(order, start=1)
            ],
        )
        return TemplateResponse(request, "admin/essays/moderationsample/script.html", context)

    # The report ----------------------------------------------------------------------------

    def reporting_sample(self, request, pk: int) -> ModerationSample:
        sample = self.scoped_object(request, pk)
        if not moderation.may_see_report(request.user, sample):
            raise PermissionDenied
        return sample

    def report_view(self, request: HttpRequest, pk: int, bound=None) -> HttpResponse:
        sample = self.reporting_sample(request, pk)
        scripts = list(sample.scripts.select_related("first_marker").order_by("pk"))
        waiting = sum(script.second_mark is None for script in scripts)
        if waiting and sample.second_marker_id == request.user.pk and not bound:
            # Its second marker heads the subject too: the report would show them first marks.
            self.message_user(
                request,
                "The report shows the first marks: finish marking the sample blind first.",
                messages.WARNING,
            )
            return HttpResponseRedirect(
                reverse("admin:essays_moderationsample_mark", args=[sample.pk])
            )
        essay = sample.assignment.essay
        levels = levels_of(essay)
        rows = []
        for number, script in enumerate(scripts, start=1):
            form = None
            if script.second_mark is not None:
                form = (bound or {}).get(script.pk) or AgreeForm(
                    prefix=f"script-{script.pk}",
                    levels=levels,
                    essay=essay,
                    initial={"level": script.agreed_level, "mark": script.agreed_mark},
                )
            rows.append(
                {"number": number, "script": script, "form": form, "difference": difference(script)}
            )
        marked = [row for row in rows if row["script"].second_mark is not None]
        context = self.page_context(
            request,
            f"Moderation: {self.set_work(sample)}",
            sample=sample,
            essay=essay,
            rows=rows,
            marked=marked,
            waiting=waiting,
            overall=moderation.agreement(scripts),
            by_marker=moderation.agreement_by_marker(scripts),
            plot=scatter(
                [
                    (f"Script {row['number']}", row["script"].first_mark, row["script"].second_mark)
                    for row in marked
                ],
                maximum=essay.marks_available,
            ),
        )
        return TemplateResponse(request, "admin/essays/moderationsample/report.html", context)

    @method_decorator(require_POST)
    def agree_view(self, request: HttpRequest, pk: int, script_pk: int) -> HttpResponse:
        sample = self.reporting_sample(request, pk)
        script = get_object_or_404(
            sample.scripts.select_related("first_marker", "response"), pk=script_pk
        )
        script.sample = sample
        essay = script.response.essay = sample.assignment.essay
        form = AgreeForm(
            request.POST, prefix=f"script-{script.pk}", levels=levels_of(essay), essay=essay
        )
        if form.is_valid():
            try:
                moderation.agree_mark(
                    script=script,
                    head=request.user,
                    level=form.cleaned_data.get("level"),
                    mark=form.cleaned_data["mark"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                self.message_user(
                    request,
                    f"Agreed {moderation.describe_mark(script.agreed_mark, script.agreed_level)}: "
                    "the response now has this mark.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:essays_moderationsample_report", args=[sample.pk])
                    + f"#script-{script.pk}"
                )
        return self.report_view(request, pk, bound={script.pk: form})
