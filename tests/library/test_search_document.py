"""An essay's search document follows its notes and tags from wherever they change."""

import pytest
from django.core.management import call_command

from essays.models import Essay, Note, Tag
from essays.search import Highlighter, excerpt, parse, search_document, search_terms
from tests.factories import EssayFactory, NoteFactory, TagFactory


def stored_document(essay) -> str:
    return Essay.objects.values_list("search_document", flat=True).get(pk=essay.pk)


def test_the_document_is_every_searchable_text_in_lower_case():
    document = search_document(
        headline="Munich", statement="‘Appeasement’", body="Body", notes=["A Note"], tags=["Tag"]
    )
    assert document == "munich\n‘appeasement’\nbody\na note\ntag"


def test_query_terms_and_excerpts_need_no_database():
    query = parse('Nazi-Soviet Pact, PACT 1939 "war of the worlds" the')
    assert [clause.words for clause in query.clauses] == [
        ("nazi", "soviet"),
        ("pact",),
        ("1939",),
        ("war", "of", "the", "worlds"),
    ]
    assert search_terms("Nazi-Soviet Pact") == ["nazi", "soviet", "pact"]
    highlighter = Highlighter(parse("pact").clauses)
    assert (
        str(excerpt("The pact of 1939 <b>", highlighter))
        == "The <mark>pact</mark> of 1939 &lt;b&gt;"
    )


@pytest.mark.django_db
def test_adding_changing_and_deleting_a_note_refresh_the_document():
    essay = EssayFactory()
    note = NoteFactory(essay=essay, text="Litvinov and collective security")
    assert "litvinov" in stored_document(essay)
    note.text = "Molotov replaced him"
    note.save()
    assert "molotov" in stored_document(essay)
    assert "litvinov" not in stored_document(essay)
    note.delete()
    assert "molotov" not in stored_document(essay)


@pytest.mark.django_db
def test_tagging_renaming_and_deleting_a_tag_refresh_the_document():
    essay = EssayFactory()
    tag = TagFactory(name="Popular Front")
    essay.tags.add(tag)
    assert "popular front" in stored_document(essay)
    tag.name = "Comintern"
    tag.save()
    assert "comintern" in stored_document(essay)
    tag.delete()
    assert "comintern" not in stored_document(essay)


@pytest.mark.django_db
def test_tagging_from_the_tags_side_refreshes_the_document():
    essay, other = EssayFactory(), EssayFactory()
    tag = TagFactory(name="Spanish Civil War")
    tag.essays.add(essay, other)
    assert "spanish civil war" in stored_document(other)
    tag.essays.clear()
    assert "spanish civil war" not in stored_document(essay)
    assert "spanish civil war" not in stored_document(other)


@pytest.mark.django_db
def test_loading_the_fixtures_builds_the_same_documents_as_saving_does(default_scheme):
    call_command("loaddata", "fixtures/library.json", verbosity=0)
    for essay in Essay.objects.prefetch_related("notes", "tags"):
        assert essay.search_document == essay.build_search_document()
    assert Note.objects.exists() and Tag.objects.exists()
