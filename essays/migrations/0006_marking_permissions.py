"""Editors keep mark schemes too; Teachers see and mark submitted responses and export marks.

Teachers get no permission on users or groups, so they never see accounts or password hashes,
and no permission to add or delete responses.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = ["markscheme", "marklevel"]
TEACHER_PERMISSIONS = [
    "view_response",
    "change_response",
    "export_marks",
    "view_markscheme",
    "view_marklevel",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    essays = Permission.objects.filter(content_type__app_label="essays")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *essays.filter(
            codename__in=[
                f"{action}_{model}"
                for model in EDITOR_MODELS
                for action in ("add", "change", "delete", "view")
            ]
        )
    )
    teachers, _ = Group.objects.get_or_create(name="Teachers")
    teachers.permissions.add(*essays.filter(codename__in=TEACHER_PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    essays = Permission.objects.filter(content_type__app_label="essays")
    for group in Group.objects.filter(name="Teachers"):
        group.permissions.remove(*essays.filter(codename__in=TEACHER_PERMISSIONS))
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*essays.filter(content_type__model__in=EDITOR_MODELS))


class Migration(migrations.Migration):
    dependencies = [("essays", "0005_mark_schemes_and_feedback")]

    operations = [migrations.RunPython(grant, revoke)]
