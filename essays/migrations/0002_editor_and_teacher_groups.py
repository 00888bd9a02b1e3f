"""The Editors and Teachers groups, with the permissions their work needs.

Permissions are normally created after all migrations have run; they are created here first so
that the groups can be given them on a new database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LIBRARY_MODELS = ["essay", "note", "subject", "level", "tag"]
GROUP_PERMISSIONS = {
    "Editors": [
        f"{action}_{model}"
        for model in LIBRARY_MODELS
        for action in ("add", "change", "delete", "view")
    ],
    "Teachers": [f"view_{model}" for model in LIBRARY_MODELS],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="essays", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("essays", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
