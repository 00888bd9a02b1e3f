"""Keep cached public pages in step with the library (see essays/caching.py)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from essays.caching import library_changed
from essays.models import Essay, Level, MarkLevel, MarkScheme, Note, Subject, Tag

LIBRARY = (Essay, Note, Tag, Subject, Level, MarkScheme, MarkLevel)


@receiver(post_save)
@receiver(post_delete)
def library_saved(sender, **kwargs):
    if sender in LIBRARY:
        library_changed()


@receiver(m2m_changed, sender=Essay.tags.through)
def essay_tags_changed(sender, **kwargs):
    library_changed()
