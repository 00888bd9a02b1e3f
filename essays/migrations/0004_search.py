"""Search: fill in the search document of existing essays, and on PostgreSQL index the
weighted full-text vector that essays.search.SEARCH_VECTOR builds (the same expression, so
PostgreSQL can use the index)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "essay_search_idx"


def search_vector():
    return (
        SearchVector("headline", weight="A", config="english")
        + SearchVector("statement", weight="B", config="english")
        + SearchVector("search_document", weight="C", config="english")
    )


def fill_search_documents(apps, schema_editor):
    Essay = apps.get_model("essays", "Essay")
    for essay in Essay.objects.prefetch_related("notes", "tags"):
        parts = [essay.headline, essay.statement, essay.body]
        parts += [note.text for note in essay.notes.all()]
        parts += [tag.name for tag in essay.tags.all()]
        essay.search_document = "\n".join(parts).lower()
        essay.save(update_fields=["search_document"])


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Essay = apps.get_model("essays", "Essay")
        schema_editor.add_index(Essay, GinIndex(search_vector(), name=INDEX_NAME))


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Essay = apps.get_model("essays", "Essay")
        schema_editor.remove_index(Essay, GinIndex(search_vector(), name=INDEX_NAME))


class Migration(migrations.Migration):
    dependencies = [("essays", "0003_responses")]

    operations = [
        migrations.RunPython(fill_search_documents, migrations.RunPython.noop),
        migrations.RunPython(add_search_index, remove_search_index),
    ]
