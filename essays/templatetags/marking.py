from django import template
from django.db.models import Count

from essays.models import Response

register = template.Library()


@register.simple_tag
def awaiting_marking(user):
    """Submitted responses not yet returned, per essay; None for users who cannot see them."""
    if not user.has_perm("essays.view_response"):
        return None
    return list(
        Response.objects.filter(status=Response.Status.SUBMITTED)
        .values("essay_id", "essay__headline")
        .annotate(waiting=Count("pk"))
        .order_by("-waiting", "essay__headline")
    )
