"""The Teachers group gains classes and set work; the Heads of department group is created."""

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
    dependencies = [("essays", "0014_classes_and_set_work")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
