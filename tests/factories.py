import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from essays.models import (
    Assignment,
    CommentBankItem,
    Enrolment,
    Essay,
    Extension,
    Level,
    Note,
    Response,
    Subject,
    Tag,
    TeachingGroup,
)
from essays.text import count_words


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"student{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ["name"]

    name = "History"
    slug = factory.LazyAttribute(lambda subject: slugify(subject.name))


class LevelFactory(SubjectFactory):
    class Meta:
        model = Level
        django_get_or_create = ["name"]

    name = "A Level"


class TagFactory(SubjectFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Topic {n}")


class EssayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Essay
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Essay number {n}: a question of causes")
    slug = factory.LazyAttribute(lambda essay: slugify(essay.headline))
    statement = "‘The alliance system was the main cause of the First World War.’"
    body = (
        "The alliances turned a regional quarrel into a continental war.\n\n"
        "Yet the alliances were not automatic, and Italy stayed neutral in 1914."
    )
    subject = factory.SubFactory(SubjectFactory)
    level = factory.SubFactory(LevelFactory)
    status = Essay.Status.DRAFT

    @factory.post_generation
    def tags(self, create, names, **kwargs):
        if create and names:
            self.tags.set([TagFactory(name=name) for name in names])


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    essay = factory.SubFactory(EssayFactory)
    kind = Note.Kind.PLAN
    text = "Alliances explain the spread of the war; German decisions explain its outbreak."
    position = factory.Sequence(int)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    student = factory.SubFactory(UserFactory)
    essay = factory.SubFactory(EssayFactory, status=Essay.Status.PUBLISHED)
    attempt = 1
    body = "Stalin wanted security above all.\n\nCollective security failed at Munich in 1938."
    word_count = factory.LazyAttribute(lambda response: count_words(response.body))
    version = 1
    status = Response.Status.DRAFT
    submitted_at = factory.LazyAttribute(
        lambda response: None if response.status == Response.Status.DRAFT else timezone.now()
    )

    class Params:
        # Marked (Level 3, 15 marks) and returned to the student.
        returned = factory.Trait(
            status=Response.Status.RETURNED,
            level=3,
            mark=15,
            returned_at=factory.LazyFunction(timezone.now),
        )


class TeachingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"13H History {n}")
    subject = factory.SubFactory(SubjectFactory)
    level = factory.SubFactory(LevelFactory)
    academic_year = 2026

    @factory.post_generation
    def teachers(self, create, teachers, **kwargs):
        if create and teachers:
            self.teachers.set(teachers)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    group = factory.SubFactory(TeachingGroupFactory)
    student = factory.SubFactory(UserFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    group = factory.SubFactory(TeachingGroupFactory)
    essay = factory.SubFactory(EssayFactory, status=Essay.Status.PUBLISHED)
    set_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=3))


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    assignment = factory.SubFactory(AssignmentFactory)
    student = factory.SubFactory(UserFactory)
    due_at = factory.LazyAttribute(lambda ext: ext.assignment.due_at + timezone.timedelta(days=2))
    reason = "Ill on the day"


class CommentBankItemFactory(factory.django.DjangoModelFactory):
    """A teacher's own private comment, unless told otherwise."""

    class Meta:
        model = CommentBankItem

    text = factory.Sequence(lambda n: f"Use precise dates and names to support point {n}.")
    kind = CommentBankItem.Kind.TARGET
    objective = "AO1"
    subject = factory.SubFactory(SubjectFactory)
    owner = factory.SubFactory(UserFactory)
    shared = False


class ModerationSampleFactory(factory.django.DjangoModelFactory):
    """A sample drawn by hand, without its scripts (essays.moderation.draw_sample draws real
    ones); add them with ModerationScriptFactory."""

    class Meta:
        model = "essays.ModerationSample"

    assignment = factory.SubFactory(AssignmentFactory)
    per_marker = 5
    seed = 1
    second_marker = factory.SubFactory(UserFactory, is_staff=True)
    drawn_by = factory.SubFactory(UserFactory, is_staff=True)


class ModerationScriptFactory(factory.django.DjangoModelFactory):
    """A script of a sample, first-marked 15 (level 3) by a teacher and not yet second-marked."""

    class Meta:
        model = "essays.ModerationScript"

    sample = factory.SubFactory(ModerationSampleFactory)
    response = factory.SubFactory(
        ResponseFactory,
        status=Response.Status.SUBMITTED,
        essay=factory.SelfAttribute("..sample.assignment.essay"),
        assignment=factory.SelfAttribute("..sample.assignment"),
    )
    first_marker = factory.SubFactory(UserFactory, is_staff=True)
    first_level = 3
    first_mark = 15


class AnnotationFactory(factory.django.DjangoModelFactory):
    """A margin comment on the first `length` characters of a submitted response's text."""

    class Meta:
        model = "essays.Annotation"

    class Params:
        length = 6

    response = factory.SubFactory(ResponseFactory, status=Response.Status.SUBMITTED)
    start = 0
    end = factory.LazyAttribute(lambda note: note.start + note.length)
    quote = factory.LazyAttribute(lambda note: note.response.body[note.start : note.end])
    comment = "Say which year."
    kind = "target"
    author = factory.SubFactory(UserFactory, is_staff=True)


class CandidateFactory(factory.django.DjangoModelFactory):
    """A student's candidate number for a piece of set work marked anonymously."""

    class Meta:
        model = "essays.Candidate"

    assignment = factory.SubFactory(AssignmentFactory, anonymous_marking=True)
    student = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: 4000 + n)
