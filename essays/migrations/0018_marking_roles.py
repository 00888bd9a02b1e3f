"""Teachers keep their comment banks, editors curate the shared ones, heads of department draw
moderation samples and teachers see those they second-mark: the groups are brought to
essays.roles again. History's assessment objectives are named as the A Level specifications
word them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from essays.roles import sync_roles

HISTORY_OBJECTIVES = (
    "Knowledge and understanding: analyse and evaluate, reach substantiated judgements\n"
    "Sources: analyse and evaluate contemporary source material in context\n"
    "Interpretations: analyse and evaluate historians' interpretations"
)


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
    Subject = apps.get_model("essays", "Subject")
    Subject.objects.filter(slug="history", assessment_objectives="").update(
        assessment_objectives=HISTORY_OBJECTIVES
    )


class Migration(migrations.Migration):
    dependencies = [("essays", "0017_marking_workflow")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
