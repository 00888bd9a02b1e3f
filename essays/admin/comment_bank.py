"""The comment bank in the admin site: the comments teachers give again and again, each private
to its owner or shared with the department of its subject.

Who sees what is the model's rule (CommentBankItem.objects): staff list and open the comments
they may use (`usable_by`: their own and the shared ones) and change or delete only those they
curate (`curated_by`: their own; heads of department the shared comments of the subjects they
head; editors every shared comment; superusers all). Another teacher's private comment is "not
found"; a shared comment they may not curate opens read-only, and "Copy to my bank" makes them
a private copy to change.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.actions import delete_selected as delete_selected_confirmed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import ngettext

from essays.marking import annotations
from essays.models import CommentBankItem, Subject
from essays.models.marking import may_share
from essays.people import display_name

SHARING_REFUSED = (
    "Only editors and the subject's head of department share comments with the department. "
    "Keep this one private, or ask your head of department to add it to the shared bank."
)


class CommentBankItemForm(forms.ModelForm):
    # The member of staff filling it in: set by CommentBankItemAdmin.get_form for each request.
    user = None

    class Meta:
        model = CommentBankItem
        fields = ["text", "kind", "objective", "subject", "shared"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}
        help_texts = {
            "text": "One comment, as the student will read it: up to 1,000 characters.",
        }

    def clean_text(self) -> str:
        # The rule every comment's text keeps, in the margin or in the bank.
        return annotations.clean_text(self.cleaned_data["text"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        shared, subject = cleaned.get("shared"), cleaned.get("subject")
        newly_shared = shared and {"shared", "subject"} & set(self.changed_data)
        if newly_shared and not may_share(self.user, subject):
            if subject is None and self.user.subjects_headed.exists():
                self.add_error("subject", "Choose the subject whose department shares it.")
            else:
                self.add_error("shared", SHARING_REFUSED)
        if not shared and self.instance.pk and self.instance.owner_id is None:
            # The database keeps every private comment with its owner.
            self.add_error(
                "shared",
                "This comment has no owner (it came with the starter bank), so it cannot be "
                "private. Use “Copy to my bank” for a private copy of your own.",
            )
        self.refuse_duplicate(cleaned["text"], shared=shared, subject=subject)
        return cleaned

    def refuse_duplicate(self, text: str, *, shared: bool, subject: Subject | None) -> None:
        """The same words twice in one bank would be offered twice while marking."""
        others = CommentBankItem.objects.exclude(pk=self.instance.pk).with_text(text)
        owner_id = self.instance.owner_id if self.instance.pk else self.user.pk
        if owner_id is not None and others.filter(owner_id=owner_id).exists():
            whose = "your" if owner_id == self.user.pk else "its owner's"
            self.add_error("text", f"This comment is already in {whose} bank.")
        elif shared and others.filter(shared=True, subject=subject).exists():
            self.add_error("text", "The department's shared bank already has this comment.")


class SharedFilter(admin.SimpleListFilter):
    title = "shared or private"
    parameter_name = "shared"

    def lookups(self, request, model_admin):
        return [("shared", "Shared with the department"), ("private", "Private")]

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(shared=True)
        if self.value() == "private":
            return queryset.filter(shared=False)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("mine", "Mine"), ("others", "Colleagues’ and the starter bank")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        if self.value() == "others":
            return queryset.exclude(owner=request.user)
        return queryset


@dataclass(frozen=True)
class Copied:
    """What copying comments into a member of staff's bank did."""

    copies: list[CommentBankItem]
    # Their own comments, or shared ones whose words their bank already has.
    already_theirs: int


def copy_to_bank(*, items, owner) -> Copied:
    """Private copies, owned by `owner`, of the shared comments among `items` that their bank
    does not already hold (word for word, whatever the case)."""
    copies, already_theirs = [], 0
    with transaction.atomic():
        held = {
            text.casefold()
            for text in CommentBankItem.objects.filter(owner=owner).values_list("text", flat=True)
        }
        for item in items:
            if not item.shared or item.owner_id == owner.pk or item.text.casefold() in held:
                already_theirs += 1
                continue
            held.add(item.text.casefold())
            copies.append(
                CommentBankItem.objects.create(
                    text=item.text,
                    kind=item.kind,
                    objective=item.objective,
                    subject=item.subject,
                    owner=owner,
                    shared=False,
                )
            )
    return Copied(copies=copies, already_theirs=already_theirs)


@admin.register(CommentBankItem)
class CommentBankItemAdmin(admin.ModelAdmin):
    form = CommentBankItemForm
    list_display = [
        "comment",
        "kind",
        "objective",
        "subject",
        "shared",
        "owner_name",
        "times_used",
    ]
    list_filter = ["kind", "objective", "subject", SharedFilter, MineFilter]
    list_select_related = ["subject", "owner"]
    list_per_page = 100
    search_fields = ["text"]
    actions = ["copy_to_my_bank", "delete_selected"]
    readonly_fields = ["owner_name", "times_used", "created_at"]

    def get_fieldsets(self, request, obj=None):
        # "Shared with the department" only for those who may share somewhere: a teacher's
        # comments are private, and the box would only lead to a refusal.
        may_share_somewhere = may_share(request.user, None) or request.user.subjects_headed.exists()
        where = ("subject", "shared") if may_share_somewhere else "subject"
        comment = (None, {"fields": ["text", ("kind", "objective"), where]})
        if obj is None:
            return [comment]
        return [comment, ("Record", {"fields": [("owner_name", "times_used", "created_at")]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A new class each request (modelform_factory), so the user is this request's alone.
        form.user = request.user
        return form

    def get_queryset(self, request):
        items = super().get_queryset(request)
        if request.user.is_superuser:
            return items
        return items.usable_by(request.user)

    def get_object(self, request, object_id, from_field=None):
        """Another teacher's private comment (or an id that never existed) is "not found";
        staff with no permission on the bank at all are refused (403) before any lookup."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        item = super().get_object(request, object_id, from_field)
        if item is None:
            raise Http404("No comment in the banks you may use has this address.")
        return item

    def curates(self, request, item: CommentBankItem) -> bool:
        """Whether this member of staff may change or delete `item`: asked several times for
        one page, so remembered for the request."""
        remembered = request.__dict__.setdefault("_curated_bank_comments", {})
        if item.pk not in remembered:
            remembered[item.pk] = (
                CommentBankItem.objects.curated_by(request.user).filter(pk=item.pk).exists()
            )
        return remembered[item.pk]

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.curates(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.curates(request, obj))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="comment", ordering="text")
    def comment(self, obj) -> str:
        return Truncator(obj.text).chars(120)

    @admin.display(description="owner", ordering="owner__username")
    def owner_name(self, obj) -> str:
        return display_name(obj.owner) if obj.owner else self.get_empty_value_display()

    @admin.action(
        description="Copy to my bank",
        permissions=["add"],
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def copy_to_my_bank(self, request, queryset):
        copied = copy_to_bank(items=queryset.select_related("subject"), owner=request.user)
        if copied.already_theirs:
            self.message_user(
                request,
                ngettext(
                    "%d comment is already in your bank.",
                    "%d comments are already in your bank.",
                    copied.already_theirs,
                )
                % copied.already_theirs,
                messages.INFO,
            )
        if len(copied.copies) == 1:
            self.message_user(
                request, "Copied to your bank: this copy is yours to change.", messages.SUCCESS
            )
            url = reverse("admin:essays_commentbankitem_change", args=[copied.copies[0].pk])
            return HttpResponseRedirect(url)
        if copied.copies:
            self.message_user(
                request,
                f"Copied {len(copied.copies)} comments to your bank (filter by “Mine”).",
                messages.SUCCESS,
            )
        return None

    @admin.action(description="Delete selected comments", permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's delete, refused whole when the selection holds a comment this member of
        staff does not curate (a colleague's shared comment)."""
        curated = CommentBankItem.objects.curated_by(request.user).values("pk")
        refused = queryset.exclude(pk__in=curated).count()
        if refused:
            self.message_user(
                request,
                ngettext(
                    "Nothing was deleted: %d of the comments selected is shared by the "
                    "department, and only its head of department or an editor may delete it.",
                    "Nothing was deleted: %d of the comments selected are shared by the "
                    "department, and only its head of department or an editor may delete them.",
                    refused,
                )
                % refused,
                messages.ERROR,
            )
            return None
        return delete_selected_confirmed(self, request, queryset)
