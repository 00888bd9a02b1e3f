from django.utils.functional import SimpleLazyObject

from essays.models import Response


def new_feedback(request):
    """How many returned responses the signed-in student has not opened yet (for the nav).
    Lazy: counted only on pages that show it."""

    def count() -> int:
        if not request.user.is_authenticated:
            return 0
        return (
            Response.objects.for_student(request.user)
            .filter(status=Response.Status.RETURNED, feedback_seen_at__isnull=True)
            .count()
        )

    return {"new_feedback_count": SimpleLazyObject(count)}
