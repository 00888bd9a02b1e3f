from django import template

from essays.marking.reports import essays_awaiting_marking
from essays.people import person_label

register = template.Library()


@register.simple_tag
def awaiting_marking(user):
    """Submitted responses not yet returned, per essay, of the user's classes; None for users
    who cannot see responses."""
    if not user.has_perm("essays.view_response"):
        return None
    return essays_awaiting_marking(user)


@register.filter
def student_label(student) -> str:
    """A student as the marking pages name them: essays.people.person_label."""
    return person_label(student)
