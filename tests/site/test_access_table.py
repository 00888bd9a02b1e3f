"""Who may open what: every URL StudyHub has × every role → the status they get.

A URL added without a row here fails `test_every_url_has_a_row`, so nobody forgets to decide
who may see a new page.

The teacher teaches student A's class; the other teacher teaches student B's class, so student
A's work is not theirs to see: a row says what they get, too.
"""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from essays.models import Response, TeachingGroup
from studyhub.mail import send_email
from tests.conftest import use_task_backend, user_in_group
from tests.factories import (
    AssignmentFactory,
    CommentBankItemFactory,
    EnrolmentFactory,
    EssayFactory,
    ModerationSampleFactory,
    ModerationScriptFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student_a", "student_b", "teacher", "editor", "superuser", "other_teacher"]
LOGIN = "login"  # a redirect to the students' login page
ADMIN_LOGIN = "admin login"  # a redirect to the admin login page


def all_url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                prefix = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                yield from walk(pattern.url_patterns, prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def row(anonymous, student_a, student_b, teacher, editor, superuser, *, other_teacher):
    return dict(
        zip(
            ROLES,
            [anonymous, student_a, student_b, teacher, editor, superuser, other_teacher],
            strict=True,
        )
    )


# Student A owns the responses; the essay is published.
PUBLIC = row(200, 200, 200, 200, 200, 200, other_teacher=200)
STUDENT_A_ONLY = row(LOGIN, 200, 404, 404, 404, 404, other_teacher=404)
ANY_SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200, other_teacher=200)

SITE_TABLE = {
    "essays:catalogue": ("/", PUBLIC),
    "essays:detail": (lambda o: o["essay"].get_absolute_url(), PUBLIC),
    "essays:respond": (lambda o: f"/essays/{o['essay'].slug}/respond/", ANY_SIGNED_IN),
    "essays:submit": (
        lambda o: f"/essays/{o['essay'].slug}/respond/submit/",
        # Student A has a draft to confirm; everyone else is sent to the editor.
        row(LOGIN, 200, 302, 302, 302, 302, other_teacher=302),
    ),
    "essays:autosave": (
        lambda o: f"/essays/{o['essay'].slug}/respond/autosave/",
        row(405, 405, 405, 405, 405, 405, other_teacher=405),  # GET: saving is POST only
    ),
    "essays:attempt_first": (
        lambda o: f"/essays/{o['essay'].slug}/attempt-first/",
        row(LOGIN, 405, 405, 405, 405, 405, other_teacher=405),
    ),
    "essays:new_attempt": (
        lambda o: f"/essays/{o['essay'].slug}/respond/new/",
        row(LOGIN, 405, 405, 405, 405, 405, other_teacher=405),
    ),
    "essays:classes": ("/classes/", ANY_SIGNED_IN),
    "essays:join_class": ("/classes/join/", ANY_SIGNED_IN),
    "essays:progress": ("/progress/", ANY_SIGNED_IN),
    "essays:response_list": ("/responses/", ANY_SIGNED_IN),
    "essays:response_detail": (lambda o: o["submitted"].get_absolute_url(), STUDENT_A_ONLY),
    "essays:response_compare": (
        lambda o: f"/responses/{o['submitted'].pk}/compare/",
        STUDENT_A_ONLY,
    ),
    # Starting a redraft and saving its replies are POSTs (only for the owner: 404 to anyone
    # else, tests/writing/test_redraft.py).
    "essays:start_redraft": (
        lambda o: f"/responses/{o['submitted'].pk}/redraft/",
        row(LOGIN, 405, 405, 405, 405, 405, other_teacher=405),
    ),
    "essays:target_replies": (
        lambda o: f"/responses/{o['submitted'].pk}/replies/",
        row(405, 405, 405, 405, 405, 405, other_teacher=405),  # GET: JSON saves are POST only
    ),
    "essays:response_changes": (
        lambda o: f"/responses/{o['submitted'].pk}/changes/{o['first'].pk}/",
        STUDENT_A_ONLY,
    ),
    "healthz": ("/healthz", PUBLIC),
    "signup": ("/accounts/signup/", row(200, 302, 302, 302, 302, 302, other_teacher=302)),
    "account": ("/accounts/account/", ANY_SIGNED_IN),
    "login": ("/accounts/login/", PUBLIC),
    "logout": ("/accounts/logout/", row(405, 405, 405, 405, 405, 405, other_teacher=405)),
    "password_change": ("/accounts/password_change/", ANY_SIGNED_IN),
    "password_change_done": ("/accounts/password_change/done/", ANY_SIGNED_IN),
    "password_reset": ("/accounts/password_reset/", PUBLIC),
    "password_reset_done": ("/accounts/password_reset/done/", PUBLIC),
    "password_reset_confirm": ("/accounts/reset/MQ/bad-token/", PUBLIC),
    "password_reset_complete": ("/accounts/reset/done/", PUBLIC),
}

# What each staff role may do with each admin model: view, change, add, delete.
STAFF_ACCESS = {
    "essays.essay": {"teacher": "v", "editor": "vcad"},
    "essays.subject": {"teacher": "v", "editor": "vcad"},
    "essays.level": {"teacher": "v", "editor": "vcad"},
    "essays.tag": {"teacher": "v", "editor": "vcad"},
    "essays.markscheme": {"teacher": "v", "editor": "vcad"},
    # Nobody adds or deletes responses in admin; teachers mark them.
    "essays.response": {"teacher": "vc", "editor": "", "superuser": "vc"},
    "auth.user": {"teacher": "", "editor": ""},
    "auth.group": {"teacher": "", "editor": ""},
    # The login-attempt records (django-axes): superusers read them; nobody adds any.
    "axes.accessattempt": {"teacher": "", "editor": "", "superuser": "vcd"},
    "axes.accesslog": {"teacher": "", "editor": "", "superuser": "vcd"},
    "axes.accessfailurelog": {"teacher": "", "editor": "", "superuser": "vcd"},
    # Background tasks (queued emails, failures with their errors): superusers read them.
    "django_tasks_database.dbtaskresult": {"teacher": "", "editor": "", "superuser": "v"},
    # Teachers run their classes and set work; nobody but superusers deletes either (students'
    # work hangs on them). Members and extensions are edited from these pages.
    "essays.teachinggroup": {"teacher": "vca", "editor": ""},
    "essays.assignment": {"teacher": "vca", "editor": ""},
    # The instance is a shared History comment: teachers read it and add their own (theirs they
    # change and delete: tests/marking/test_comment_bank.py); editors curate the shared bank.
    "essays.commentbankitem": {"teacher": "vca", "editor": "vcad"},
    # Heads of department draw moderation samples (tests/marking/test_moderation_pages.py);
    # teachers see those they second-mark, as the teacher does this one. Never edited.
    "essays.moderationsample": {"teacher": "v", "editor": "", "superuser": "vad"},
}
NEEDS = {"changelist": "v", "change": "v", "history": "v", "add": "a", "delete": "d"}
# The other teacher has a teacher's permissions, but these instances (student A's work) are not
# in their classes: their change, history and delete pages are "not found" to them.
NOT_FOUND_TO_OTHER_TEACHER = {
    "essays.response",
    "essays.teachinggroup",
    "essays.assignment",
    "essays.moderationsample",
}
STAFF_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200, other_teacher=200)
OWN_CLASS_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 403, 200, other_teacher=404)
# GET: changes are made by POST only.
STAFF_POST_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 405, 405, 405, other_teacher=405)

ADMIN_TABLE = {
    "admin:index": ("/admin/", STAFF_ONLY),
    "admin:app_list": ("/admin/essays/", STAFF_ONLY),
    "admin:login": ("/admin/login/", row(200, 200, 200, 302, 302, 302, other_teacher=302)),
    # GET never logs anyone out: staff get "method not allowed", others are sent away.
    "admin:logout": ("/admin/logout/", row(302, 302, 302, 405, 405, 405, other_teacher=405)),
    "admin:password_change": ("/admin/password_change/", STAFF_ONLY),
    "admin:password_change_done": ("/admin/password_change/done/", STAFF_ONLY),
    "admin:jsi18n": ("/admin/jsi18n/", STAFF_ONLY),
    "admin:autocomplete": (
        "/admin/autocomplete/?app_label=essays&model_name=essay&field_name=tags",
        # Teachers may view tags, so they may search them too.
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, 200, other_teacher=200),
    ),
    "admin:view_on_site": (
        lambda o: f"/admin/r/{ContentType.objects.get_for_model(o['essay']).pk}/{o['essay'].pk}/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302, 302, 302, other_teacher=302),
    ),
    "admin:auth_user_password_change": (
        lambda o: f"/admin/auth/user/{o['users']['student_a'].pk}/password/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200, other_teacher=403),
    ),
    # The other teacher's report and export hold their own classes' work: none of student A's
    # (test_a_teacher_of_another_class_gets_none_of_student_as_work).
    "admin:essays_response_report": (
        lambda o: f"/admin/essays/response/essay/{o['essay'].pk}/report/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 403, 200, other_teacher=200),
    ),
    "admin:essays_response_export": (
        lambda o: f"/admin/essays/response/essay/{o['essay'].pk}/export/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 403, 200, other_teacher=200),
    ),
    # The marking page's JSON endpoints: margin comments and adding to the bank are POST only
    # (tests/marking/test_annotations.py posts them, another teacher's work is 404); the bank
    # is searched from the teacher's own students' work only.
    "admin:essays_response_annotations": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/annotations/",
        STAFF_POST_ONLY,
    ),
    "admin:essays_response_annotation": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/annotations/1/",
        STAFF_POST_ONLY,
    ),
    "admin:essays_response_annotation_delete": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/annotations/1/delete/",
        STAFF_POST_ONLY,
    ),
    "admin:essays_response_bank": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/bank/?q=use",
        OWN_CLASS_ONLY,
    ),
    "admin:essays_response_bank_add": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/bank/add/",
        STAFF_POST_ONLY,
    ),
    # The next and previous script of the pile: a redirect (to the list at either end).
    "admin:essays_response_next": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/next/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302, 403, 302, other_teacher=404),
    ),
    "admin:essays_response_previous": (
        lambda o: f"/admin/essays/response/{o['submitted'].pk}/previous/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302, 403, 302, other_teacher=404),
    ),
    # The teacher's class and its set work: another teacher's class is not found.
    "admin:essays_teachinggroup_roster": (
        lambda o: f"/admin/essays/teachinggroup/{o['class'].pk}/roster/",
        OWN_CLASS_ONLY,
    ),
    "admin:essays_teachinggroup_markbook": (
        lambda o: f"/admin/essays/teachinggroup/{o['class'].pk}/markbook/",
        OWN_CLASS_ONLY,
    ),
    "admin:essays_teachinggroup_markbook_csv": (
        lambda o: f"/admin/essays/teachinggroup/{o['class'].pk}/markbook.csv",
        OWN_CLASS_ONLY,
    ),
    "admin:essays_teachinggroup_join_code": (
        lambda o: f"/admin/essays/teachinggroup/{o['class'].pk}/join-code/",
        STAFF_POST_ONLY,
    ),
    "admin:essays_assignment_board": (
        lambda o: f"/admin/essays/assignment/{o['work'].pk}/board/",
        OWN_CLASS_ONLY,
    ),
    "admin:essays_assignment_extension": (
        lambda o: f"/admin/essays/assignment/{o['work'].pk}/extension/",
        OWN_CLASS_ONLY,
    ),
    "admin:essays_assignment_remind": (
        lambda o: f"/admin/essays/assignment/{o['work'].pk}/remind/",
        STAFF_POST_ONLY,
    ),
    # Releasing a piece of work's marks and opening a name behind anonymous work: POST only
    # (tests/marking/test_release.py and test_anonymity.py try them by POST).
    "admin:essays_assignment_release": (
        lambda o: f"/admin/essays/assignment/{o['work'].pk}/release/",
        STAFF_POST_ONLY,
    ),
    "admin:essays_assignment_reveal": (
        lambda o: f"/admin/essays/assignment/{o['work'].pk}/reveal/{o['submitted'].pk}/",
        STAFF_POST_ONLY,
    ),
    # "Set to a class…" from the essays list; editors set no work.
    "admin:essays_assignment_set_essays": (
        lambda o: f"/admin/essays/assignment/set/?essay={o['essay'].pk}",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 403, 200, other_teacher=200),
    ),
    # Published essays, for set work's essay field: anyone who may view essays may search them.
    "admin:essays_assignment_essay_autocomplete": (
        "/admin/essays/assignment/essay-autocomplete/"
        "?app_label=essays&model_name=assignment&field_name=essay",
        STAFF_ONLY,
    ),
    # A moderation sample of the teacher's class's work, drawn by the superuser, which the
    # teacher second-marks: its scripts are theirs to mark blind; its report shows the first
    # marks, so it is not (only whoever drew it and heads of its subject see it); to the other
    # teacher it is not found. Marking starts at the first unmarked script: a redirect.
    "admin:essays_moderationsample_report": (
        lambda o: f"/admin/essays/moderationsample/{o['sample'].pk}/report/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, 403, 200, other_teacher=404),
    ),
    "admin:essays_moderationsample_mark": (
        lambda o: f"/admin/essays/moderationsample/{o['sample'].pk}/mark/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302, 403, 302, other_teacher=404),
    ),
    "admin:essays_moderationsample_script": (
        lambda o: f"/admin/essays/moderationsample/{o['sample'].pk}/scripts/{o['script'].pk}/",
        row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 403, 200, other_teacher=404),
    ),
    "admin:essays_moderationsample_agree": (
        lambda o: (
            f"/admin/essays/moderationsample/{o['sample'].pk}/scripts/{o['script'].pk}/agree/"
        ),
        STAFF_POST_ONLY,
    ),
}


def admin_model_rows(objects) -> dict:
    """Rows for every registered admin model's changelist, add, change, delete and history."""
    rows = {}
    for model in admin.site._registry:
        label = model._meta.label_lower
        access = STAFF_ACCESS[label]
        instance = objects["instances"].get(label)
        for view, needed in NEEDS.items():
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
            if view in ("change", "delete", "history"):
                if instance is None:
                    continue
                url = reverse(name, args=[instance.pk])
            else:
                url = reverse(name)
            expected = {}
            for role in ("teacher", "editor", "superuser"):
                allowed = access.get(role, "vcad")
                expected[role] = 200 if needed in allowed else 403
            expected["other_teacher"] = expected["teacher"]
            if view in ("change", "delete", "history") and label in NOT_FOUND_TO_OTHER_TEACHER:
                expected["other_teacher"] = 404
            rows[name] = (url, {**STAFF_ONLY, **expected})
    return rows


def queued_email(settings):
    """A task waiting in the database queue, as returning work leaves one."""
    use_task_backend(settings, "django_tasks_db.DatabaseBackend")
    try:
        result = send_email.enqueue(to=["amira@example.com"], subject="Marked", body="Read it")
    finally:
        use_task_backend(settings, "django.tasks.backends.immediate.ImmediateBackend")
    return DBTaskResult.objects.get(pk=result.id)


@pytest.fixture
def objects(default_scheme, settings):
    essay = EssayFactory(status="published", tags=["Germany"])
    student_a = UserFactory(username="student_a")
    first = ResponseFactory(student=student_a, essay=essay, attempt=1, status="submitted")
    submitted = ResponseFactory(student=student_a, essay=essay, attempt=2, status="submitted")
    ResponseFactory(student=student_a, essay=essay, attempt=3)  # a draft
    users = {
        "anonymous": None,
        "student_a": student_a,
        "student_b": UserFactory(username="student_b"),
        "teacher": user_in_group("Teachers", "teacher"),
        "editor": user_in_group("Editors", "editor"),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "other_teacher": user_in_group("Teachers", "other_teacher"),
    }
    EnrolmentFactory(
        group=TeachingGroupFactory(name="13H History", teachers=[users["teacher"]]),
        student=student_a,
    )
    EnrolmentFactory(
        group=TeachingGroupFactory(name="13B History", teachers=[users["other_teacher"]]),
        student=users["student_b"],
    )
    own_class = TeachingGroup.objects.get(name="13H History")
    work = AssignmentFactory(group=own_class, essay=essay)
    sample = ModerationSampleFactory(
        assignment=work, second_marker=users["teacher"], drawn_by=users["superuser"]
    )
    script = ModerationScriptFactory(sample=sample, response=submitted)
    instances = {
        "essays.teachinggroup": own_class,
        "essays.assignment": work,
        "essays.essay": essay,
        "essays.subject": essay.subject,
        "essays.level": essay.level,
        "essays.tag": essay.tags.get(),
        "essays.markscheme": default_scheme,
        "essays.moderationsample": sample,
        "essays.commentbankitem": CommentBankItemFactory(
            owner=None, shared=True, subject=essay.subject
        ),
        "essays.response": submitted,
        "auth.user": student_a,
        "auth.group": users["teacher"].groups.get(),
        "django_tasks_database.dbtaskresult": queued_email(settings),
    }
    return {
        "essay": essay,
        "first": first,
        "submitted": submitted,
        "users": users,
        "instances": instances,
        "class": own_class,
        "work": work,
        "sample": sample,
        "script": script,
    }


def test_every_url_has_a_row(objects):
    covered = set(SITE_TABLE) | set(ADMIN_TABLE) | set(admin_model_rows(objects))
    # Change, delete and history pages of the access-log models need a logged attempt to open;
    # their changelists are in the table.
    covered |= {
        f"admin:axes_{model}_{view}"
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for view in ("change", "delete", "history")
    }
    missing = all_url_names() - covered
    assert not missing, f"decide who may open these URLs and add rows: {sorted(missing)}"


def status_for(client, url):
    response = client.get(url)
    if response.status_code == 302:
        if response.url.startswith("/accounts/login/"):
            return LOGIN
        if response.url.startswith("/admin/login/"):
            return ADMIN_LOGIN
    return response.status_code


def test_each_role_gets_the_expected_answer_on_every_url(client, objects):
    table = {**SITE_TABLE, **ADMIN_TABLE, **admin_model_rows(objects)}
    problems = []
    for role in ROLES:
        user = objects["users"][role]
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, (url, expected) in table.items():
            address = url(objects) if callable(url) else url
            got = status_for(client, address)
            if got != expected[role]:
                problems.append(f"{role} {name} {address}: expected {expected[role]}, got {got}")
    assert not problems, "\n".join(problems)


def test_student_b_cannot_change_student_as_work(client, objects):
    student_b = objects["users"]["student_b"]
    client.force_login(student_b)
    draft = Response.objects.drafts().get()
    response = client.post(
        f"/essays/{objects['essay'].slug}/respond/submit/",
        {"response": draft.pk, "version": draft.version},
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_teacher_of_another_class_gets_none_of_student_as_work(client, objects):
    essay = objects["essay"]
    report = f"/admin/essays/response/essay/{essay.pk}/report/"
    export = f"/admin/essays/response/essay/{essay.pk}/export/"
    client.force_login(objects["users"]["teacher"])
    assert "2 submitted responses" in client.get(report).content.decode()
    assert len(client.get(export).content.decode("utf-8-sig").splitlines()) == 3

    client.force_login(objects["users"]["other_teacher"])
    assert "0 submitted responses" in client.get(report).content.decode()
    assert client.get(export).content.decode("utf-8-sig").splitlines()[1:] == []
    assert not client.get("/admin/essays/response/").context["cl"].result_list
