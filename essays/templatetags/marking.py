from django import template

from essays.marking.reports import essays_awaiting_marking

register = template.Library()


@register.simple_tag
def awaiting_marking(user):
    """Submitted responses not yet returned, per essay; None for users who cannot see them."""
    if not user.has_perm("essays.view_response"):
        return None
    return essays_awaiting_marking()
