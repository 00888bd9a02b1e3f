"""Bring the Editors and Teachers groups to exactly the permissions essays.roles defines."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from essays.roles import sync_roles


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("essays", "0006_marking_permissions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
