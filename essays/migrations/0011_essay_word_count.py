"""Essays keep their body's word count, so the catalogue shows reading times without counting
every body on every page."""

from django.db import migrations, models

from essays.text import count_words


def count_existing(apps, schema_editor):
    Essay = apps.get_model("essays", "Essay")
    essays = list(Essay.objects.only("pk", "body"))
    for essay in essays:
        essay.word_count = count_words(essay.body)
    Essay.objects.bulk_update(essays, ["word_count"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("essays", "0010_search_vector")]

    operations = [
        migrations.AddField(
            model_name="essay",
            name="word_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
