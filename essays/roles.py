"""The staff roles and what each may do in the admin site: one definition, used by the data
migration that sets the groups up and by anything that needs to put them back."""

LIBRARY_MODELS = ["essay", "note", "subject", "level", "tag", "markscheme", "marklevel"]

TEACHING = [f"view_{model}" for model in LIBRARY_MODELS] + [
    "view_response",
    "change_response",
    "export_marks",
    "add_teachinggroup",
    "change_teachinggroup",
    "view_teachinggroup",
    "add_enrolment",
    "change_enrolment",
    "delete_enrolment",
    "view_enrolment",
    "add_assignment",
    "change_assignment",
    "view_assignment",
    "add_extension",
    "change_extension",
    "delete_extension",
    "view_extension",
    # Their own comment bank (what they may change of it: CommentBankItem.objects.curated_by).
    "add_commentbankitem",
    "change_commentbankitem",
    "delete_commentbankitem",
    "view_commentbankitem",
    # The moderation samples they are asked to second-mark (which samples:
    # essays.moderation.samples_for); a permission checked without a query on every admin page.
    "view_moderationsample",
]

ROLE_PERMISSIONS = {
    # Editors keep the library and the mark schemes.
    "Editors": [
        f"{action}_{model}"
        for model in [*LIBRARY_MODELS, "commentbankitem"]
        for action in ("add", "change", "delete", "view")
    ],
    # Teachers read the library, run their classes (members, set work, extensions) and mark
    # their students' submitted responses; nothing else (no users, no deleting classes or
    # set work, no adding responses). Which classes and students: essays.admin.scoping.
    "Teachers": TEACHING,
    # Heads of department do what teachers do, for every class of the subjects they head, and
    # draw moderation samples of their subjects' work.
    "Heads of department": [*TEACHING, "add_moderationsample"],
}


def sync_roles(group_model, permission_model) -> None:
    """Create the groups and give each exactly its permissions. Takes the models as arguments
    so a migration can pass its historical ones."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(
            permission_model.objects.filter(
                content_type__app_label="essays", codename__in=codenames
            )
        )
