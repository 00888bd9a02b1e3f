from django import template

from essays.marking.reports import essays_awaiting_marking

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
    """A student as the marking pages name them: "Maya Patel (mpatel)", or the username alone
    when no name was given. The real name is what a teacher knows; the username tells two
    students of one name apart."""
    full_name = student.get_full_name()
    username = student.get_username()
    return f"{full_name} ({username})" if full_name else username
