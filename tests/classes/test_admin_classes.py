"""Classes and set work in the admin site: each teacher sees and changes only the classes they
teach (heads of department, every class of their subjects); join codes; members; setting work
from the admin form and from the essays list; the emails that announce it at its set-at time."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from essays.models import Assignment, Enrolment, Essay, TeachingGroup
from essays.set_work_emails import announce_set_work
from tests.conftest import use_task_backend, user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    SubjectFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLASSES = reverse("admin:essays_teachinggroup_changelist")
SET_WORK = reverse("admin:essays_assignment_changelist")


def local_input(when) -> str:
    """A time as the browser's date-and-time input sends it, on the classroom's clock."""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def student(username, first, last, **fields):
    return UserFactory(username=username, first_name=first, last_name=last, **fields)


@pytest.fixture
def teacher_a(db):
    return user_in_group("Teachers", "teacher_a")


@pytest.fixture
def teacher_b(db):
    return user_in_group("Teachers", "teacher_b")


@pytest.fixture
def class_a(teacher_a):
    group = TeachingGroupFactory(name="13H History", teachers=[teacher_a])
    EnrolmentFactory(group=group, student=student("mpatel", "Maya", "Patel"))
    EnrolmentFactory(group=group, student=student("tobrien", "Tom", "O'Brien"))
    EnrolmentFactory(group=group, left_at=timezone.now())  # left: not a member now
    return group


@pytest.fixture
def class_b(teacher_b):
    group = TeachingGroupFactory(name="12B Politics", teachers=[teacher_b])
    EnrolmentFactory(group=group, student=student("zali", "Zara", "Ali"))
    return group


@pytest.fixture
def client_a(client, teacher_a):
    client.force_login(teacher_a)
    return client


def change_url(group):
    return reverse("admin:essays_teachinggroup_change", args=[group.pk])


def test_a_teacher_lists_only_the_classes_they_teach(client_a, class_a, class_b):
    response = client_a.get(CLASSES)
    assert list(response.context["cl"].result_list) == [class_a]
    page = response.content.decode()
    assert "13H History" in page and "12B Politics" not in page
    assert class_a.join_code in page and class_b.join_code not in page
    assert response.context["cl"].result_list[0].member_count == 2  # the leaver not counted
    assert "teacher_a" in page


def test_the_class_filter_and_search_reach_no_other_class(client_a, class_a, class_b):
    assert list(client_a.get(CLASSES, {"q": "Politics"}).context["cl"].result_list) == []
    response = client_a.get(SET_WORK)
    assert "12B Politics" not in response.content.decode()  # not even as a filter choice


@pytest.mark.parametrize(
    "page",
    [
        lambda group, work: reverse("admin:essays_teachinggroup_change", args=[group.pk]),
        lambda group, work: reverse("admin:essays_teachinggroup_history", args=[group.pk]),
        lambda group, work: reverse("admin:essays_teachinggroup_roster", args=[group.pk]),
        lambda group, work: reverse("admin:essays_teachinggroup_markbook", args=[group.pk]),
        lambda group, work: reverse("admin:essays_teachinggroup_markbook_csv", args=[group.pk]),
        lambda group, work: reverse("admin:essays_assignment_change", args=[work.pk]),
        lambda group, work: reverse("admin:essays_assignment_board", args=[work.pk]),
        lambda group, work: reverse("admin:essays_assignment_extension", args=[work.pk]),
    ],
    ids=["change", "history", "roster", "markbook", "csv", "work", "board", "extension"],
)
def test_another_teachers_class_and_work_are_not_found(client_a, class_a, class_b, page):
    work_b = AssignmentFactory(group=class_b)
    assert client_a.get(page(class_b, work_b)).status_code == 404
    assert client_a.get(page(class_a, AssignmentFactory(group=class_a))).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("admin:essays_teachinggroup_join_code", {"action": "off"}),
        ("admin:essays_assignment_remind", {}),
        ("admin:essays_assignment_extension", {"reason": "x"}),
    ],
)
def test_posts_to_another_teachers_class_change_nothing(client_a, class_b, url_name, data):
    work_b = AssignmentFactory(group=class_b)
    pk = class_b.pk if "teachinggroup" in url_name else work_b.pk
    assert client_a.post(reverse(url_name, args=[pk]), data).status_code == 404
    class_b.refresh_from_db()
    assert class_b.join_code
    assert not mail.outbox


def test_changing_another_teachers_class_is_not_found(client_a, class_b):
    response = client_a.post(change_url(class_b), {"name": "Mine now"})
    assert response.status_code == 404
    class_b.refresh_from_db()
    assert class_b.name == "12B Politics"


def test_list_actions_skip_classes_the_teacher_does_not_teach(client_a, class_a, class_b):
    client_a.post(
        CLASSES,
        {"action": "turn_joining_off", "_selected_action": [class_a.pk, class_b.pk]},
    )
    class_a.refresh_from_db()
    class_b.refresh_from_db()
    assert class_a.join_code is None
    assert class_b.join_code is not None


def test_the_class_autocomplete_offers_only_current_classes_the_teacher_teaches(
    client_a, teacher_a, class_a, class_b
):
    TeachingGroupFactory(name="13H History 2025", teachers=[teacher_a], archived=True)
    response = client_a.get(
        reverse("admin:autocomplete"),
        {"app_label": "essays", "model_name": "assignment", "field_name": "group", "term": "1"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["13H History"]


def test_the_essay_autocomplete_for_set_work_offers_published_essays_only(client_a):
    EssayFactory(headline="Stalin and the West", status="published")
    EssayFactory(headline="Stalin unpublished", status="draft")
    response = client_a.get(
        reverse("admin:essays_assignment_essay_autocomplete"),
        {
            "app_label": "essays",
            "model_name": "assignment",
            "field_name": "essay",
            "term": "stalin",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Stalin and the West"]
    # It answers for set work's essay field and nothing else.
    other = client_a.get(
        reverse("admin:essays_assignment_essay_autocomplete"),
        {"app_label": "essays", "model_name": "response", "field_name": "essay"},
    )
    assert other.status_code == 403


def test_a_head_of_department_sees_every_class_of_their_subject_only(client, class_a, class_b):
    head = user_in_group("Heads of department", "head")
    class_a.subject.heads.add(head)
    class_a.teachers.add(head)  # teaching one of them too counts each member once
    politics = SubjectFactory(name="Politics")
    TeachingGroup.objects.filter(pk=class_b.pk).update(subject=politics)
    client.force_login(head)
    rows = client.get(CLASSES).context["cl"].result_list
    assert [(group, group.member_count) for group in rows] == [(class_a, 2)]
    assert client.get(change_url(class_a)).status_code == 200
    assert client.get(change_url(class_b)).status_code == 404


def test_superusers_see_every_class(admin_client, class_a, class_b):
    assert set(admin_client.get(CLASSES).context["cl"].result_list) == {class_a, class_b}


def test_editors_cannot_open_classes_or_set_work(client, class_a):
    client.force_login(user_in_group("Editors", "editor"))
    for url in (CLASSES, change_url(class_a), SET_WORK):
        assert client.get(url).status_code == 403


def test_creating_a_class_makes_its_creator_a_teacher_and_offers_only_staff(
    client_a, teacher_a, teacher_b, class_a
):
    add_url = reverse("admin:essays_teachinggroup_add")
    form = client_a.get(add_url).context["adminform"].form
    offered = set(form.fields["teachers"].queryset)
    assert {teacher_a, teacher_b} <= offered
    assert not any(not user.is_staff for user in offered)
    assert "teacher_b" in form.fields["teachers"].label_from_instance(teacher_b)

    subject, level = class_a.subject, class_a.level
    fields = {"name": "12C History", "subject": subject.pk, "level": level.pk}
    refused = client_a.post(
        add_url, {**fields, "academic_year": 2026, "teachers": [UserFactory().pk]}
    )
    assert refused.status_code == 200
    assert "teachers" in refused.context["adminform"].form.errors
    response = client_a.post(add_url, {**fields, "academic_year": 2026, "teachers": [teacher_b.pk]})
    assert response.status_code == 302
    group = TeachingGroup.objects.get(name="12C History")
    assert set(group.teachers.all()) == {teacher_a, teacher_b}
    assert group.join_code


def test_an_implausible_year_is_a_form_error(client_a, class_a):
    response = client_a.post(
        reverse("admin:essays_teachinggroup_add"),
        {
            "name": "13Z",
            "subject": class_a.subject.pk,
            "level": class_a.level.pk,
            "academic_year": 3000,
        },
    )
    errors = response.context["adminform"].form.errors
    assert "less than or equal to 2200" in str(errors["academic_year"])


def test_a_class_named_twice_in_one_year_is_a_form_error(client_a, class_a):
    response = client_a.post(
        reverse("admin:essays_teachinggroup_add"),
        {
            "name": class_a.name,
            "subject": class_a.subject.pk,
            "level": class_a.level.pk,
            "academic_year": class_a.academic_year,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()


def test_the_class_page_shows_members_by_name_and_its_join_code(client_a, class_a):
    page = client_a.get(change_url(class_a)).content.decode()
    assert "Maya Patel (mpatel)" in page
    assert "Tom O&#x27;Brien (tobrien)" in page
    assert class_a.join_code in page
    assert 'form="join-code-form"' in page and 'id="join-code-form"' in page
    assert reverse("admin:essays_teachinggroup_roster", args=[class_a.pk]) in page
    # Students are never picked from every account: no row to add one here.
    assert "Add another member" not in page


def test_a_member_gets_a_target_and_can_be_marked_as_left(client_a, class_a):
    enrolments = list(class_a.enrolments.order_by("pk"))
    data = {
        "name": class_a.name,
        "subject": class_a.subject.pk,
        "level": class_a.level.pk,
        "academic_year": class_a.academic_year,
        "teachers": [teacher.pk for teacher in class_a.teachers.all()],
        "enrolments-TOTAL_FORMS": len(enrolments),
        "enrolments-INITIAL_FORMS": len(enrolments),
    }
    for index, enrolment in enumerate(enrolments):
        data[f"enrolments-{index}-id"] = enrolment.pk
        data[f"enrolments-{index}-group"] = class_a.pk
        data[f"enrolments-{index}-target_grade"] = "A*" if index == 0 else ""
        data[f"enrolments-{index}-left_at"] = (
            local_input(timezone.now())
            if index == 1
            else local_input(enrolment.left_at)
            if enrolment.left_at
            else ""
        )
    response = client_a.post(change_url(class_a), {**data, "_continue": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    first, second, _ = (Enrolment.objects.get(pk=e.pk) for e in enrolments)
    assert first.target_grade == "A*"
    assert second.left_at is not None


@pytest.mark.parametrize(
    ("action", "expect"),
    [("regenerate", "new"), ("off", None), ("on", "new")],
)
def test_the_join_code_buttons(client_a, class_a, action, expect):
    old = class_a.join_code
    if action == "on":
        TeachingGroup.objects.filter(pk=class_a.pk).update(join_code=None)
    url = reverse("admin:essays_teachinggroup_join_code", args=[class_a.pk])
    response = client_a.post(url, {"action": action}, follow=True)
    class_a.refresh_from_db()
    if expect is None:
        assert class_a.join_code is None
        assert "Joining 13H History by code is off." in response.content.decode()
    else:
        assert class_a.join_code and class_a.join_code != old
        assert f"join code is now {class_a.join_code}" in response.content.decode()
    assert client_a.get(url).status_code == 405  # changes only by POST


def test_an_unknown_join_code_action_changes_nothing(client_a, class_a):
    old = class_a.join_code
    url = reverse("admin:essays_teachinggroup_join_code", args=[class_a.pk])
    response = client_a.post(url, {"action": "explode"}, follow=True)
    assert "Choose what to do with the join code." in response.content.decode()
    class_a.refresh_from_db()
    assert class_a.join_code == old


def test_list_actions_regenerate_codes_turn_joining_on_and_archive(client_a, class_a):
    old = class_a.join_code
    for action in ("regenerate_join_codes", "archive"):
        client_a.post(CLASSES, {"action": action, "_selected_action": [class_a.pk]})
    class_a.refresh_from_db()
    assert class_a.join_code != old and class_a.archived
    TeachingGroup.objects.filter(pk=class_a.pk).update(join_code=None)
    response = client_a.post(
        CLASSES, {"action": "turn_joining_on", "_selected_action": [class_a.pk]}, follow=True
    )
    assert "Joining by code is on for 1 class" in response.content.decode()
    client_a.post(CLASSES, {"action": "unarchive", "_selected_action": [class_a.pk]})
    class_a.refresh_from_db()
    assert class_a.join_code and not class_a.archived


# Setting work ---------------------------------------------------------------------------------


def set_work_data(group, essay, **overrides):
    now = timezone.now()
    return {
        "group": group.pk,
        "essay": essay.pk,
        "instructions": "Plan for ten minutes first.",
        "set_at": local_input(now),
        "due_at": local_input(now + timedelta(days=7)),
        "cut_off_at": "",
        "time_limit_minutes": "",
        "max_attempts": 1,
        **overrides,
    }


def test_setting_work_stamps_the_teacher_and_emails_the_class_at_once(client_a, teacher_a, class_a):
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    response = client_a.post(reverse("admin:essays_assignment_add"), set_work_data(class_a, essay))
    work = Assignment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:essays_assignment_board", args=[work.pk])
    assert work.set_by == teacher_a
    # The two current members, one email each; not the student who left.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "mpatel@example.com",
        "tobrien@example.com",
    ]
    message = mail.outbox[0]
    assert message.subject == "New work for 13H History: Stalin's foreign policy"
    assert "Plan for ten minutes first." in message.body
    assert "http://testserver/classes/" in message.body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_at": "yesterday"}, "due_at", "Enter a valid date/time."),
        ({"due_at": "2000-01-01T09:00"}, "due_at", "must be due after it is set"),
        ({"max_attempts": 0}, "max_attempts", "greater than or equal to 1"),
        ({"max_attempts": 99999999}, "max_attempts", "less than or equal to 20"),
        ({"time_limit_minutes": 0}, "time_limit_minutes", "greater than or equal to 1"),
        ({"cut_off_at": "2000-01-01T09:00"}, "cut_off_at", "cannot be before the work is due"),
        ({"essay": "999999"}, "essay", "Select a valid choice"),
    ],
)
def test_bad_set_work_is_a_form_error(client_a, class_a, overrides, field, message):
    data = {**set_work_data(class_a, EssayFactory(status="published")), **overrides}
    response = client_a.post(reverse("admin:essays_assignment_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in str(errors[field])
    assert not Assignment.objects.exists()


def test_work_is_set_only_to_current_classes_the_teacher_teaches(client_a, class_a, class_b):
    archived = TeachingGroupFactory(archived=True, teachers=list(class_a.teachers.all()))
    form = client_a.get(reverse("admin:essays_assignment_add")).context["adminform"].form
    assert list(form.fields["group"].queryset) == [class_a]
    essay = EssayFactory(status="published")
    for other in (class_b, archived):
        response = client_a.post(
            reverse("admin:essays_assignment_add"), set_work_data(other, essay)
        )
        assert "group" in response.context["adminform"].form.errors
    draft = EssayFactory(status="draft")
    response = client_a.post(reverse("admin:essays_assignment_add"), set_work_data(class_a, draft))
    assert "essay" in response.context["adminform"].form.errors
    assert not Assignment.objects.exists()


def test_the_set_work_list_shows_own_work_with_hand_in_counts(client_a, class_a, class_b):
    mine = AssignmentFactory(group=class_a)
    AssignmentFactory(group=class_b)
    response = client_a.get(SET_WORK)
    assert list(response.context["cl"].result_list) == [mine]
    assert "0 of 2" in response.content.decode()
    filtered = client_a.get(SET_WORK, {"group__id__exact": class_b.pk})
    assert list(filtered.context["cl"].result_list) == []


def test_class_and_essay_cannot_change_once_work_is_set(client_a, class_a):
    work = AssignmentFactory(group=class_a)
    form = (
        client_a.get(reverse("admin:essays_assignment_change", args=[work.pk]))
        .context["adminform"]
        .form
    )
    assert "group" not in form.fields and "essay" not in form.fields


@pytest.fixture
def database_queue(settings):
    use_task_backend(settings, "django_tasks_db.DatabaseBackend")
    yield
    use_task_backend(settings, "django.tasks.backends.immediate.ImmediateBackend")


def announcements():
    return list(
        DBTaskResult.objects.filter(task_path="essays.set_work_emails.announce_set_work").order_by(
            "enqueued_at"
        )
    )


def test_work_set_for_later_is_announced_at_its_set_at_time(client_a, class_a, database_queue):
    essay = EssayFactory(status="published")
    set_at = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    client_a.post(
        reverse("admin:essays_assignment_add"),
        set_work_data(
            class_a,
            essay,
            set_at=local_input(set_at),
            due_at=local_input(set_at + timedelta(days=7)),
        ),
    )
    work = Assignment.objects.get()
    (queued,) = announcements()
    assert queued.run_after == set_at == work.set_at
    assert not mail.outbox


def test_moving_the_set_at_time_announces_at_the_new_time_only(
    client_a, class_a, database_queue, settings
):
    set_at = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    work = AssignmentFactory(
        group=class_a, set_at=set_at, due_at=set_at + timedelta(days=7), set_by=None
    )
    first = announce_set_work.using(run_after=work.set_at).enqueue(
        assignment_id=work.pk, set_at=work.set_at.isoformat(), site_url="http://testserver/"
    )
    later = set_at + timedelta(days=1)
    data = set_work_data(class_a, work.essay, set_at=local_input(later))
    data["due_at"] = local_input(work.due_at)
    response = client_a.post(reverse("admin:essays_assignment_change", args=[work.pk]), data)
    assert response.status_code == 302
    assert [task.run_after for task in announcements()] == [set_at, later]

    # When the first comes due, it finds the work moved and emails nobody.
    use_task_backend(settings, "django.tasks.backends.immediate.ImmediateBackend")
    old = DBTaskResult.objects.get(pk=first.id).args_kwargs["kwargs"]
    assert "moved" in announce_set_work.call(**old)
    assert not mail.outbox
    (new,) = [t for t in announcements() if t.run_after == later]
    assert "announced to 2" in announce_set_work.call(**new.args_kwargs["kwargs"])
    assert len(mail.outbox) == 2


def test_the_announcement_reaches_the_class_as_it_is_when_the_work_is_set(class_a):
    work = AssignmentFactory(group=class_a)
    joined_since = EnrolmentFactory(group=class_a).student
    class_a.enrolments.filter(student__username="tobrien").update(left_at=timezone.now())
    announce_set_work.call(
        assignment_id=work.pk, set_at=work.set_at.isoformat(), site_url="http://testserver/"
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["mpatel@example.com", joined_since.email]
    )


def test_an_essay_set_to_a_class_from_the_essays_list(client_a, teacher_a, class_a):
    stalin = EssayFactory(headline="Stalin's foreign policy", status="published")
    munich = EssayFactory(headline="Munich", status="published")
    draft = EssayFactory(headline="Not ready", status="draft")
    response = client_a.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "set_to_class", "_selected_action": [stalin.pk, munich.pk, draft.pk]},
    )
    assert response.status_code == 302
    form_page = client_a.get(response.url)
    page = form_page.content.decode()
    assert "Stalin&#x27;s foreign policy" in page and "Munich" in page
    assert "Not ready" not in page
    assert list(form_page.context["form"].fields["group"].queryset) == [class_a]

    now = timezone.now()
    data = {
        "essays": [stalin.pk, munich.pk],
        "group": class_a.pk,
        "set_at": local_input(now),
        "due_at": local_input(now + timedelta(days=3)),
        "max_attempts": 1,
    }
    refused = client_a.post(response.url, {**data, "due_at": local_input(now - timedelta(1))})
    assert refused.status_code == 200
    assert "must be due after it is set" in refused.content.decode()
    assert not Assignment.objects.exists()

    done = client_a.post(response.url, data)
    assert done.status_code == 302
    assert done.url == f"{SET_WORK}?group__id__exact={class_a.pk}"
    assert {(w.essay, w.group, w.set_by) for w in Assignment.objects.all()} == {
        (stalin, class_a, teacher_a),
        (munich, class_a, teacher_a),
    }
    assert len(mail.outbox) == 4  # two students, two pieces of work


def test_the_set_to_a_class_form_refuses_other_classes_and_drafts(client_a, class_b):
    draft = EssayFactory(status="draft")
    now = timezone.now()
    response = client_a.post(
        reverse("admin:essays_assignment_set_essays"),
        {
            "essays": [draft.pk],
            "group": class_b.pk,
            "set_at": local_input(now),
            "due_at": local_input(now + timedelta(days=3)),
            "max_attempts": 1,
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"essays", "group"}
    assert not Assignment.objects.exists()


def test_the_set_to_a_class_form_without_essays_goes_back_to_the_list(client_a):
    response = client_a.get(reverse("admin:essays_assignment_set_essays"), {"essay": "x"})
    assert response.status_code == 302
    assert response.url == reverse("admin:essays_essay_changelist")


def test_editors_are_not_offered_setting_work(client):
    client.force_login(user_in_group("Editors", "editor"))
    EssayFactory(status="published")
    actions = client.get(reverse("admin:essays_essay_changelist")).context["action_form"]
    assert "set_to_class" not in dict(actions.fields["action"].choices)
    assert client.get(reverse("admin:essays_assignment_set_essays")).status_code == 403


def test_only_published_essays_are_set(client_a, class_a):
    draft = EssayFactory(status=Essay.Status.DRAFT)
    response = client_a.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "set_to_class", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Only published essays can be set to a class." in response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        lambda group: CLASSES,
        lambda group: change_url(group),
        lambda group: SET_WORK,
    ],
    ids=["classes", "class page", "set work"],
)
def test_class_pages_take_the_same_queries_however_many_rows(
    client_a, teacher_a, django_assert_max_num_queries, page
):
    def grow(size):
        group = TeachingGroupFactory(teachers=[teacher_a, user_in_group("Teachers", f"t{size}")])
        for _ in range(size):
            EnrolmentFactory(group=group)
        AssignmentFactory(group=group)
        return group

    group = grow(2)
    with django_assert_max_num_queries(40) as few:
        assert client_a.get(page(group)).status_code == 200
    for size in range(3, 8):
        grow(size)
    for _ in range(20):
        EnrolmentFactory(group=group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client_a.get(page(group)).status_code == 200


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/admin/essays/teachinggroup/{HUGE}/change/", 404),
        (f"/admin/essays/teachinggroup/{HUGE}/markbook/", 404),
        (f"/admin/essays/assignment/{HUGE}/board/", 404),
        (f"/admin/essays/assignment/set/?essay={HUGE}&essay=%00&essay=-1", 302),
        (f"/admin/essays/assignment/?group__id__exact={HUGE}", 200),
        ("/admin/essays/assignment/?group__id__exact=%00", 200),
        (
            "/admin/essays/assignment/essay-autocomplete/"
            "?app_label=essays&model_name=assignment&field_name=essay&term=%00",
            200,
        ),
    ],
)
def test_odd_addresses_are_answered_never_a_server_error(client_a, class_a, url, status):
    assert client_a.get(url).status_code == status


def test_odd_form_values_are_form_errors(client_a, class_a):
    work = AssignmentFactory(group=class_a)
    extension = client_a.post(
        reverse("admin:essays_assignment_extension", args=[work.pk]),
        {"student": HUGE, "due_at": "\x00", "reason": "x" * 5000},
    )
    assert set(extension.context["form"].errors) == {"student", "due_at", "reason"}
    set_work = client_a.post(
        reverse("admin:essays_assignment_set_essays"),
        {
            "essays": ["x", HUGE],
            "group": "x",
            "set_at": "2026-13-45T25:61",
            "due_at": "",
            "max_attempts": "99999999",
        },
    )
    assert {"essays", "group", "set_at", "due_at", "max_attempts"} <= set(
        set_work.context["form"].errors
    )
    roster = client_a.post(
        reverse("admin:essays_teachinggroup_roster", args=[class_a.pk]), {"payload": "x"}
    )
    assert roster.status_code == 200
    assert not Assignment.objects.exclude(pk=work.pk).exists()


def test_at_most_twenty_essays_are_set_at_once(client_a, class_a):
    essays = EssayFactory.create_batch(21, status="published")
    response = client_a.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "set_to_class", "_selected_action": [essay.pk for essay in essays]},
        follow=True,
    )
    assert "Set at most 20 essays at a time." in response.content.decode()
