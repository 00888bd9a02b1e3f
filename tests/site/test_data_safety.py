"""Nothing is lost by a backup and restore, or by migrating a database that holds data."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from essays import search, writing
from essays.models import Essay, MarkScheme, Note, Response, Tag
from tests.factories import EssayFactory, NoteFactory, ResponseFactory, UserFactory

BACKUP_EXCLUDES = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


def state():
    """What a school would miss if it were lost: essays, notes, tags, responses, marks, users."""
    return {
        "essays": sorted(Essay.objects.values_list("slug", "headline", "body", "status")),
        "notes": sorted(Note.objects.values_list("essay__slug", "kind", "text", "phrases")),
        "tags": sorted(Tag.objects.values_list("slug", "name")),
        "essay_tags": sorted(Essay.tags.through.objects.values_list("essay__slug", "tag__slug")),
        "responses": sorted(
            Response.objects.values_list(
                "student__username",
                "essay__slug",
                "attempt",
                "body",
                "status",
                "level",
                "mark",
                "feedback",
                "marked_by__username",
                "key_points_covered",
            )
        ),
        "users": sorted(
            get_user_model().objects.values_list("username", "email", "password", "is_staff")
        ),
        "groups": sorted(
            get_user_model().groups.through.objects.values_list("user__username", "group__name")
        ),
        "schemes": sorted(MarkScheme.objects.values_list("name", "levels__number")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_dumpdata_backup_restores_everything_into_an_empty_database(default_scheme, tmp_path):
    teacher = UserFactory(username="teacher", is_staff=True)
    essay = EssayFactory(status="published", tags=["Germany", "Treaties"])
    NoteFactory(essay=essay, kind="key_point", text="Reparations", phrases="reparations\n1921")
    for n in range(3):
        ResponseFactory(
            essay=essay,
            student=UserFactory(username=f"student{n}", email=f"s{n}@example.com"),
            status="returned",
            level=4,
            mark=16 + n,
            feedback=f"Feedback {n} — with “quotes” and émigrés",
            marked_by=teacher,
            returned_at=essay.created_at,
            key_points_covered=[1],
        )
    ResponseFactory(essay=essay, body="An unsubmitted draft, kept too")
    before = state()

    backup = StringIO()
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        *[f"--exclude={label}" for label in BACKUP_EXCLUDES],
        stdout=backup,
    )
    json.loads(backup.getvalue())  # a complete, readable file

    call_command("flush", "--no-input", verbosity=0)
    assert Essay.objects.count() == 0 and get_user_model().objects.count() == 0

    backup_file = tmp_path / "studyhub-backup.json"
    backup_file.write_text(backup.getvalue(), encoding="utf-8")
    call_command("loaddata", str(backup_file), verbosity=0)

    assert state() == before


FIRST = [("essays", "0001_initial")]
WITH_RESPONSES = [("essays", "0003_responses")]


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("essays")


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_migrations_carry_existing_essays_and_responses_forward():
    """A database made by the first migration, holding essays and then responses, migrates to
    the latest without losing anything, gaining search text, feedback fields and roles."""
    old = migrate_to(FIRST)
    Subject = old.get_model("essays", "Subject")
    Level = old.get_model("essays", "Level")
    OldEssay = old.get_model("essays", "Essay")
    OldNote = old.get_model("essays", "Note")
    essay = OldEssay.objects.create(
        headline="Versailles",
        slug="versailles",
        statement="‘Too harsh.’",
        body="The treaty was signed in 1919.",
        subject=Subject.objects.create(name="History", slug="history"),
        level=Level.objects.create(name="A Level", slug="a-level"),
        status="published",
    )
    OldNote.objects.create(essay=essay, kind="plan", text="Plan: Keynes", position=0)

    middle = migrate_to(WITH_RESPONSES)
    User = middle.get_model("auth", "User")
    middle.get_model("essays", "Response").objects.create(
        student=User.objects.create(username="amira"),
        essay_id=essay.pk,
        attempt=1,
        body="Draft words",
        word_count=2,
        version=4,
    )

    migrate_to(latest())
    essay = Essay.objects.get(slug="versailles")
    assert essay.body == "The treaty was signed in 1919."
    assert essay.notes.get().text == "Plan: Keynes"
    assert "keynes" in essay.search_document
    assert essay.word_count == 6
    assert list(search.search(Essay.objects.all(), "Keynes")) == [essay]
    response = Response.objects.get()
    assert (response.body, response.version, response.status) == ("Draft words", 4, "draft")
    assert response.key_points_covered == []
    # The draft can still be saved after the upgrade.
    result = writing.save_draft(
        student=response.student, essay=essay, body="Draft words, more", attempt=1, version=4
    )
    assert result.version == 5
