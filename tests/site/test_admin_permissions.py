"""Who may do what in the admin site: each group × each admin page and action. The teacher
teaches the student whose response this is; the other teacher teaches another class."""

import pytest
from django.urls import reverse

from essays.models import Essay, Response
from tests.conftest import user_in_group
from tests.factories import (
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(default_scheme):
    essay = EssayFactory(status="published")
    teacher = user_in_group("Teachers", "teacher")
    other_teacher = user_in_group("Teachers", "other-teacher")
    student = EnrolmentFactory(group=TeachingGroupFactory(teachers=[teacher])).student
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[other_teacher]))
    submitted = ResponseFactory(
        student=student, essay=essay, status="submitted", body="The student's own words"
    )
    return {
        "essay": essay,
        "response": submitted,
        "scheme": default_scheme,
        "users": {
            "teacher": teacher,
            "other teacher": other_teacher,
            "editor": user_in_group("Editors", "editor"),
            "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        },
    }


def pages(objects):
    essay, response, scheme = objects["essay"], objects["response"], objects["scheme"]
    return {
        "essay list": reverse("admin:essays_essay_changelist"),
        "essay add": reverse("admin:essays_essay_add"),
        "essay change": reverse("admin:essays_essay_change", args=[essay.pk]),
        "essay delete": reverse("admin:essays_essay_delete", args=[essay.pk]),
        "mark scheme list": reverse("admin:essays_markscheme_changelist"),
        "mark scheme add": reverse("admin:essays_markscheme_add"),
        "mark scheme change": reverse("admin:essays_markscheme_change", args=[scheme.pk]),
        "response list": reverse("admin:essays_response_changelist"),
        "response change": reverse("admin:essays_response_change", args=[response.pk]),
        "response add": reverse("admin:essays_response_add"),
        "response delete": reverse("admin:essays_response_delete", args=[response.pk]),
        "essay report": reverse("admin:essays_response_report", args=[essay.pk]),
        "essay export": reverse("admin:essays_response_export", args=[essay.pk]),
        "users": reverse("admin:auth_user_changelist"),
        "groups": reverse("admin:auth_group_changelist"),
    }


# The other teacher may open the pile, the report and the export, which hold only their own
# classes' work (none of this response); this response is "not found" to them.
EXPECTED = {
    #                     teacher other teacher editor superuser
    "essay list": (200, 200, 200, 200),
    "essay add": (403, 403, 200, 200),
    "essay change": (200, 200, 200, 200),
    "essay delete": (403, 403, 200, 200),
    "mark scheme list": (200, 200, 200, 200),
    "mark scheme add": (403, 403, 200, 200),
    "mark scheme change": (200, 200, 200, 200),
    "response list": (200, 200, 403, 200),
    "response change": (200, 404, 403, 200),
    "response add": (403, 403, 403, 403),
    "response delete": (403, 404, 403, 403),
    "essay report": (200, 200, 403, 200),
    "essay export": (200, 200, 403, 200),
    "users": (403, 403, 403, 200),
    "groups": (403, 403, 403, 200),
}


@pytest.mark.parametrize("page", EXPECTED)
def test_each_role_reaches_only_its_pages(client, objects, page):
    url = pages(objects)[page]
    for user, expected in zip(objects["users"].values(), EXPECTED[page], strict=True):
        client.force_login(user)
        assert client.get(url).status_code == expected, (page, user.username)


def test_students_never_reach_the_admin_site(client, objects):
    client.force_login(UserFactory(username="student"))
    for url in pages(objects).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_teachers_cannot_publish_essays_or_change_the_students_text(client, objects):
    client.force_login(objects["users"]["teacher"])
    essay, response = objects["essay"], objects["response"]
    Essay.objects.filter(pk=essay.pk).update(status="draft")
    client.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "publish", "_selected_action": [essay.pk]},
    )
    essay.refresh_from_db()
    assert essay.status == "draft"

    client.post(
        reverse("admin:essays_response_change", args=[response.pk]),
        {
            "level": 4,
            "mark": 18,
            "feedback": "Good",
            "body": "Rewritten by teacher",
            "_continue": "1",
        },
    )
    response.refresh_from_db()
    assert response.mark == 18
    assert response.body == "The student's own words"


def test_a_teacher_of_another_class_can_neither_mark_return_nor_export_it(client, objects):
    client.force_login(objects["users"]["other teacher"])
    response = objects["response"]
    Response.objects.filter(pk=response.pk).update(level=4, mark=18)
    marking = client.post(
        reverse("admin:essays_response_change", args=[response.pk]),
        {"level": 1, "mark": 2, "feedback": "Not yours", "_return": "1"},
    )
    assert marking.status_code == 404
    returning = client.post(
        reverse("admin:essays_response_changelist"),
        {"action": "return_selected", "_selected_action": [response.pk]},
    )
    assert returning.status_code == 302
    response.refresh_from_db()
    assert (response.status, response.mark, response.feedback) == ("submitted", 18, "")
    # Both exports hold their own classes' work alone: here, the header and nothing else.
    for export in (
        client.post(
            reverse("admin:essays_response_changelist"),
            {"action": "export_selected", "_selected_action": [response.pk]},
        ),
        client.get(reverse("admin:essays_response_export", args=[objects["essay"].pk])),
    ):
        assert export["Content-Type"] == "text/csv; charset=utf-8"
        assert export.content.decode("utf-8-sig").splitlines()[1:] == []


def test_editors_cannot_return_or_export_responses(client, objects):
    client.force_login(objects["users"]["editor"])
    response = objects["response"]
    Response.objects.filter(pk=response.pk).update(level=4, mark=18)
    reply = client.post(
        reverse("admin:essays_response_changelist"),
        {"action": "return_selected", "_selected_action": [response.pk]},
    )
    assert reply.status_code == 403
    response.refresh_from_db()
    assert response.status == "submitted"


def test_no_admin_page_lists_or_counts_drafts(admin_client, objects):
    draft = ResponseFactory(essay=objects["essay"], body="Secret draft words")
    assert (
        admin_client.get(reverse("admin:essays_response_change", args=[draft.pk])).status_code
        == 404
    )
    for url in (
        reverse("admin:essays_response_changelist"),
        reverse("admin:index"),
        reverse("admin:essays_response_report", args=[objects["essay"].pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert "Secret draft words" not in page
    listed = admin_client.get(reverse("admin:essays_response_changelist")).context["cl"]
    assert draft not in listed.result_list
    assert listed.result_count == 1
