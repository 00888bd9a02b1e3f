from django.contrib.auth import get_user_model
from django.db.models import IntegerField, Subquery
from django.utils.functional import SimpleLazyObject

from essays.classes import due_soon
from essays.models import Response
from essays.student_state import remembered

NOTHING_DUE = {"new_feedback": 0, "due_soon": 0}


class SubqueryCount(Subquery):
    """How many rows a queryset has, as a column of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def nav_counts(request):
    """The numbers on the nav's badges for the signed-in student: returned work they have not
    opened yet (My work) and set work due this week (Classes). Lazy (counted only on pages that
    show them) and kept between pages until something they count changes
    (essays/student_state.py)."""

    def counts() -> dict[str, int]:
        user = request.user
        if not user.is_authenticated:
            return NOTHING_DUE
        return remembered(user, "nav-counts", lambda: count(user))

    kept = SimpleLazyObject(counts)
    return {
        "new_feedback_count": SimpleLazyObject(lambda: kept["new_feedback"]),
        "classes_due_count": SimpleLazyObject(lambda: kept["due_soon"]),
    }


def count(user) -> dict[str, int]:
    """Both numbers in one query."""
    unseen = Response.objects.for_student(user).filter(
        status=Response.Status.RETURNED, feedback_seen_at__isnull=True
    )
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            new_feedback=SubqueryCount(unseen.values("pk")),
            due_soon=SubqueryCount(due_soon(user)),
        )
        .first()
    ) or NOTHING_DUE
