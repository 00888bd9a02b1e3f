"""What must follow a change to the library, wherever it is made (admin, importer, fixtures, a
shell): cached public pages are dropped (essays/caching.py), and an essay's search document is
rebuilt when its notes or tags change — Essay.save() rebuilds it for the essay's own fields.
What is kept in the cache about a student (the nav's counts, a hidden model essay) is read
afresh when their work, classes, extensions or attempt-first choices change, and for everyone
when set work does (essays/student_state.py). And what must follow a login: text held in the
session for another student is dropped."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from essays import student_state
from essays.caching import library_changed
from essays.held_text import drop_held_texts_of_others
from essays.models import (
    Assignment,
    AttemptFirst,
    Enrolment,
    Essay,
    Extension,
    Level,
    MarkLevel,
    MarkScheme,
    Note,
    Response,
    Subject,
    Tag,
    TeachingGroup,
)

LIBRARY = (Essay, Note, Tag, Subject, Level, MarkScheme, MarkLevel)


@receiver(post_save)
@receiver(post_delete)
def library_saved(sender, **kwargs):
    if sender in LIBRARY:
        library_changed()


@receiver(post_save, sender=Response)
@receiver(post_delete, sender=Response)
@receiver(post_save, sender=Enrolment)
@receiver(post_delete, sender=Enrolment)
@receiver(post_save, sender=Extension)
@receiver(post_delete, sender=Extension)
@receiver(post_save, sender=AttemptFirst)
@receiver(post_delete, sender=AttemptFirst)
def student_work_changed(sender, instance, **kwargs):
    # Saving a draft's text is an UPDATE without signals: it changes no count.
    student_state.student_changed(instance.student_id)


@receiver(post_save, sender=Assignment)
@receiver(post_delete, sender=Assignment)
@receiver(post_save, sender=TeachingGroup)
@receiver(post_delete, sender=TeachingGroup)
@receiver(m2m_changed, sender=TeachingGroup.teachers.through)
def set_work_changed(sender, **kwargs):
    # A class renamed or its teachers changed shows on its students' classes page too.
    student_state.classes_changed()


def refresh_search_documents(essays) -> None:
    for essay in essays.prefetch_related("notes", "tags"):
        essay.refresh_search_document()


@receiver(post_save, sender=Note)
@receiver(post_delete, sender=Note)
def note_changed(sender, instance: Note, **kwargs):
    # Read afresh: on a cascade from deleting the essay, there may be nothing left to refresh.
    refresh_search_documents(Essay.objects.filter(pk=instance.essay_id))


@receiver(m2m_changed, sender=Essay.tags.through)
def essay_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    library_changed()
    if action == "pre_clear" and reverse:
        # tag.essays.clear() names no essays afterwards: note them now.
        instance._essays_before_clear = list(instance.essays.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            essay_ids = [instance.pk]
        elif action == "post_clear":
            essay_ids = instance._essays_before_clear
        else:
            essay_ids = pk_set
        refresh_search_documents(Essay.objects.filter(pk__in=essay_ids))


@receiver(post_save, sender=Tag)
def tag_saved(sender, instance: Tag, created: bool, **kwargs):
    # Tag names are searchable: renaming a tag rebuilds its essays' search documents.
    if not created:
        refresh_search_documents(instance.essays.all())


@receiver(pre_delete, sender=Tag)
def tag_deleting(sender, instance: Tag, **kwargs):
    instance._essays_before_delete = list(instance.essays.values_list("pk", flat=True))


@receiver(post_delete, sender=Tag)
def tag_deleted(sender, instance: Tag, **kwargs):
    refresh_search_documents(Essay.objects.filter(pk__in=instance._essays_before_delete))


@receiver(user_logged_in)
def forget_other_students_text(sender, request, user, **kwargs):
    # A shared computer: text held for whoever used this browser before is not this student's.
    if request is not None and hasattr(request, "session"):
        drop_held_texts_of_others(request.session, user_id=user.pk)
