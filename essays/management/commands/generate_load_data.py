"""`manage.py generate_load_data`: realistic, deterministic data at the size of a school trust,
for benchmarks."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from essays import feedback
from essays.management.load_classes import make_classes
from essays.management.load_text import (
    BATCH,
    COMMAND_WORDS,
    GENERATED,
    LEVELS,
    SUBJECTS,
    WORDS,
    Progress,
    paragraphs,
    sentence,
)
from essays.models import Essay, Level, Note, Response, Subject, Tag
from essays.search import search_document
from essays.text import count_words


class Command(BaseCommand):
    help = (
        "Fill the database with realistic, deterministic data for benchmarks: essays with notes, "
        "key points and tags; students; and submitted, returned and draft responses. Uses bulk "
        "inserts and shows progress. Refuses a database that already holds essays or users "
        "unless --force is given (existing data is kept; generated rows are added)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--essays", type=int, default=100)
        parser.add_argument("--students", type=int, default=50)
        parser.add_argument("--responses", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1934, help="same seed, same data")
        parser.add_argument(
            "--classes",
            action="store_true",
            help="also put the students in classes (--class-size each) with a teacher per two "
            "classes and --assignments-per-class pieces of set work, answered by most students",
        )
        parser.add_argument("--class-size", type=int, default=30)
        parser.add_argument("--assignments-per-class", type=int, default=20)
        parser.add_argument(
            "--force", action="store_true", help="add to a database that already has data"
        )

    def handle(self, *args, essays, students, responses, seed, force, **options):
        if min(essays, students) < 1 or responses < 0:
            raise CommandError("--essays and --students must be at least 1, --responses 0 or more.")
        if options["classes"] and (
            options["class_size"] < 1 or not 1 <= options["assignments_per_class"] <= essays
        ):
            raise CommandError(
                "--class-size must be at least 1 and --assignments-per-class from 1 to --essays."
            )
        if (Essay.objects.exists() or get_user_model().objects.exists()) and not force:
            raise CommandError(
                f"This database already holds {Essay.objects.count():,} essays and "
                f"{get_user_model().objects.count():,} users. Generate into an empty database, "
                "or add --force to add generated data beside them."
            )
        if students * essays < responses:
            raise CommandError(
                f"{responses:,} responses need more than {students:,} students × {essays:,} essays."
            )
        rng = random.Random(seed)
        err = self.stderr
        with transaction.atomic():
            essay_ids, key_points = self.make_essays(rng, essays, err)
            student_ids = self.make_students(students, err)
        used = self.make_responses(rng, responses, essay_ids, key_points, student_ids, err)
        summary = ""
        if options["classes"]:
            # Its own random numbers: the rest of the data is the same with or without classes.
            classes, set_work, answers = make_classes(
                random.Random(seed + 1),
                student_ids,
                essay_ids,
                key_points,
                used,
                size=options["class_size"],
                per_class=options["assignments_per_class"],
                err=err,
            )
            summary = (
                f" In {classes:,} classes: {set_work:,} pieces of set work and {answers:,} "
                "responses to them."
            )
        # Leave the database as its automatic maintenance soon would: fresh statistics for the
        # query planner and, on PostgreSQL, a vacuum, whose visibility map lets counts read an
        # index alone (VACUUM cannot run inside a transaction; then statistics only).
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                self.stderr.write("Vacuuming and analysing the tables…")
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {essays:,} essays, {students:,} students and {responses:,} responses."
                + summary
            )
        )

    def make_essays(self, rng, count, err):
        subjects = [
            Subject.objects.get_or_create(
                name=name, defaults={"slug": name.lower().replace(" ", "-")}
            )[0]
            for name in SUBJECTS
        ]
        levels = [
            Level.objects.get_or_create(
                name=name, defaults={"slug": name.lower().replace(" ", "-")}
            )[0]
            for name in LEVELS
        ]
        tags = [
            Tag.objects.get_or_create(
                name=f"Topic {n}", defaults={"slug": f"{GENERATED}topic-{n}"}
            )[0]
            for n in range(60)
        ]
        progress = Progress(err, "essays", count)
        now = timezone.now()
        start = Essay.objects.count()
        essay_ids, key_points = [], {}
        for first in range(0, count, BATCH):
            batch = []
            for n in range(first, min(first + BATCH, count)):
                words = rng.sample(WORDS, 4)
                headline = f"{' '.join(words).title()} ({start + n + 1})"
                body = paragraphs(rng, rng.randint(500, 900))
                statement = f"‘{sentence(rng)[:-1]} was the main cause.’"
                batch.append(
                    Essay(
                        headline=headline,
                        slug=f"{GENERATED}essay-{start + n + 1}",
                        statement=statement,
                        command_word=rng.choice(COMMAND_WORDS),
                        body=body,
                        subject=rng.choice(subjects),
                        level=rng.choice(levels),
                        status=Essay.Status.PUBLISHED
                        if rng.random() < 0.95
                        else Essay.Status.DRAFT,
                        published_at=now,
                        word_count=count_words(body),
                    )
                )
            # Unsaved essays cannot be dictionary keys: notes and tags go by position in batch.
            notes, essay_tags = [], []
            for essay in batch:
                notes.append([Note(kind=Note.Kind.PLAN, text=paragraphs(rng, 120))])
                for position in range(1, 5):
                    phrase = " ".join(rng.sample(WORDS, 2))
                    notes[-1].append(
                        Note(
                            kind=Note.Kind.KEY_POINT,
                            text=f"Key point {position}: {phrase}",
                            phrases=phrase,
                            position=position,
                        )
                    )
                essay_tags.append(rng.sample(tags, 3))
                # Bulk inserts skip Essay.save() and the signals: build the document they would.
                essay.search_document = search_document(
                    headline=essay.headline,
                    statement=essay.statement,
                    body=essay.body,
                    notes=[note.text for note in notes[-1]],
                    tags=sorted(tag.name for tag in essay_tags[-1]),
                )
            Essay.objects.bulk_create(batch)
            links = []
            for essay, its_notes, its_tags in zip(batch, notes, essay_tags, strict=True):
                for note in its_notes:
                    note.essay = essay
                links += [Essay.tags.through(essay_id=essay.pk, tag_id=tag.pk) for tag in its_tags]
                essay_ids.append(essay.pk)
            all_notes = Note.objects.bulk_create(
                [note for its_notes in notes for note in its_notes]
            )
            Essay.tags.through.objects.bulk_create(links)
            for note in all_notes:
                if note.kind == Note.Kind.KEY_POINT:
                    key_points.setdefault(note.essay_id, []).append(
                        feedback.KeyPoint(note.pk, note.text, (note.phrases,))
                    )
            progress.update(len(essay_ids))
        return essay_ids, key_points

    def make_students(self, count, err):
        User = get_user_model()
        password = make_password("generated-student-password")
        start = User.objects.filter(username__startswith=GENERATED).count()
        progress = Progress(err, "students", count)
        ids = []
        for first in range(0, count, BATCH):
            batch = [
                User(
                    username=f"{GENERATED}student-{start + n + 1}",
                    email=f"student{start + n + 1}@example.com",
                    password=password,
                )
                for n in range(first, min(first + BATCH, count))
            ]
            ids += [user.pk for user in User.objects.bulk_create(batch)]
            progress.update(len(ids))
        return ids

    def make_responses(self, rng, count, essay_ids, key_points, student_ids, err):
        progress = Progress(err, "responses", count)
        now = timezone.now()
        used: set[tuple[int, int]] = set()
        done = 0
        bodies = [paragraphs(rng, rng.randint(300, 700)) for _ in range(200)]
        while done < count:
            batch = []
            while len(batch) < min(BATCH, count - done):
                student, essay = rng.choice(student_ids), rng.choice(essay_ids)
                if (student, essay) in used:
                    continue
                used.add((student, essay))
                body = rng.choice(bodies)
                roll = rng.random()
                status = (
                    Response.Status.RETURNED
                    if roll < 0.5
                    else Response.Status.SUBMITTED
                    if roll < 0.9
                    else Response.Status.DRAFT
                )
                level = rng.randint(1, 5)
                marked = status == Response.Status.RETURNED or rng.random() < 0.3
                batch.append(
                    Response(
                        student_id=student,
                        essay_id=essay,
                        attempt=1,
                        body=body,
                        status=status,
                        word_count=count_words(body),
                        version=rng.randint(1, 40),
                        time_spent_seconds=rng.randint(600, 2700),
                        submitted_at=None if status == Response.Status.DRAFT else now,
                        returned_at=now if status == Response.Status.RETURNED else None,
                        level=level if marked and status != Response.Status.DRAFT else None,
                        mark=(level - 1) * 5 + rng.randint(1, 5)
                        if marked and status != Response.Status.DRAFT
                        else None,
                        similarity=round(rng.random() * 0.3, 3),
                        key_points_covered=[
                            p.id for p in key_points.get(essay, []) if rng.random() < 0.6
                        ],
                        key_points_total=len(key_points.get(essay, [])),
                    )
                )
            Response.objects.bulk_create(batch)
            done += len(batch)
            progress.update(done)
        return used
