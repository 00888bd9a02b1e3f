"""Adding a class's students from a CSV roster: reading the file, the preview (which writes
nothing), and confirming (everything in one transaction, or nothing)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from essays import roster_csv, rosters
from essays.models import Enrolment
from essays.roster_csv import RosterRow, RosterUnreadable, read_roster
from essays.rosters import RowAction, plan_roster
from tests.conftest import user_in_group
from tests.factories import EnrolmentFactory, TeachingGroupFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

GOOD = (
    "First name,Last name,Email,Target\n"
    "Maya,Patel,maya.patel@school.example,A*\n"
    "Tom,O'Neill,Tom.ONeill@school.example,b\n"
)


@pytest.fixture
def teacher(db):
    return user_in_group("Teachers", "teacher")


@pytest.fixture
def group(teacher):
    return TeachingGroupFactory(name="13H History", teachers=[teacher])


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def roster_url(group):
    return reverse("admin:essays_teachinggroup_roster", args=[group.pk])


def upload(client, group, text: str | bytes, name="class.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(roster_url(group), {"roster": SimpleUploadedFile(name, data)})


def confirm(client, group, preview):
    form = preview.context["confirm"]
    return client.post(
        roster_url(group),
        {"payload": form.initial["payload"], "fingerprint": form.initial["fingerprint"]},
    )


def plan_for(group, text: str):
    return plan_roster(group, read_roster(text.encode()))


# Reading the file -----------------------------------------------------------------------------


def test_headers_in_any_case_with_a_byte_order_mark_and_blank_lines():
    data = "\ufeffFIRST_NAME , last name,E-mail,Username\n\nMaya,Patel,m@x.example,mp\n\n"
    (row,) = read_roster(data.encode())
    assert row == RosterRow(
        line=3, first_name="Maya", last_name="Patel", email="m@x.example", username="mp"
    )


def test_semicolons_as_some_spreadsheets_write_them():
    rows = read_roster(b"first name;last name;email\nMaya;Patel;m@x.example\n")
    assert rows[0].email == "m@x.example"


def test_line_numbers_count_the_lines_of_the_file():
    text = 'first name,last name,email\nA,B,a@x.example\n"C\nD",E,c@x.example\nF,G,f@x.example\n'
    assert [row.line for row in read_roster(text.encode())] == [2, 3, 5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"first name,last name,email\n", "a header row but no students"),
        (b"Maya,Patel,m@x.example\n", "looks like a student"),
        (b"first name,surname\nMaya,Patel\n", "it has no email column"),
        (b"first name,last name,email,email\n", "names the email twice"),
        ("first name,last name,email\nZoë,B,z@x.example\n".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
        (b"x" * (roster_csv.MAX_BYTES + 1), "at most 1 MB"),
        (
            b"first name,last name,email\n" + b"A,B,a@x.example\n" * (roster_csv.MAX_ROWS + 1),
            f"at most {roster_csv.MAX_ROWS}",
        ),
    ],
    ids=["empty", "no rows", "no header", "no email", "twice", "latin-1", "xlsx", "big", "long"],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(RosterUnreadable, match=message):
        read_roster(data)


# The plan -------------------------------------------------------------------------------------


def test_new_students_get_usernames_from_their_names_unique_whatever_the_case(group):
    UserFactory(username="MPatel")
    plan = plan_for(
        group,
        "first name,last name,email\n"
        "Maya,Patel,maya@x.example\n"
        "Mark,Patel,mark@x.example\n"
        "Zoë,Brontë,zoe@x.example\n"
        "王,芳,wang@x.example\n"
        "Ｊｏ,Ｓｍｉｔｈ,jo@x.example\n",
    )
    assert not plan.errors
    assert [p.username for p in plan.rows] == ["mpatel2", "mpatel3", "zbronte", "王芳", "jsmith"]
    assert {p.action for p in plan.rows} == {RowAction.CREATE}


def test_existing_accounts_are_matched_by_email_whatever_its_case(group):
    maya = UserFactory(username="maya", email="Maya.Patel@School.example", first_name="Maya")
    plan = plan_for(group, GOOD)
    assert plan.rows[0].user == maya and plan.rows[0].action == RowAction.ENROL
    assert plan.rows[0].username == "maya"
    assert "their account’s name is Maya" in plan.rows[0].notes
    assert plan.rows[1].action == RowAction.CREATE
    assert (plan.created, plan.matched, plan.already) == (1, 1, 0)


def test_members_already_in_the_class_and_leavers_who_rejoin(group):
    present = EnrolmentFactory(group=group, student=UserFactory(email="maya.patel@school.example"))
    left = EnrolmentFactory(
        group=group, student=UserFactory(email="tom.oneill@school.example"), left_at=timezone.now()
    )
    plan = plan_for(group, GOOD)
    assert [(p.action, p.enrolment) for p in plan.rows] == [
        (RowAction.ALREADY, present),
        (RowAction.REJOIN, left),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (",Patel,a@x.example", "line 2: first name is missing"),
        ("Maya,,a@x.example", "line 2: last name is missing"),
        ("Maya,Patel,", "line 2: email is missing"),
        ("Maya,Patel,not-an-email", "line 2: email is not valid: “not-an-email”"),
        ("Maya,Patel,a@x.example,,Z", "line 2: target “Z” is neither a grade"),
        ("Maya,Patel,a@x.example,,101", "line 2: target “101” is neither a grade"),
        ("Maya,Patel,a@x.example,bad name!", "line 2: username “bad name!” may contain only"),
        ("Maya,Patel,a@x.example,tаken", "line 2: username “tаken” mixes letters"),
        ("Maya,Patel,a@x.example,staffer", "line 2: the username staffer belongs to another"),
        ("Maya,Patel,staff@x.example", "line 2: staff@x.example is a staff account"),
        ("Maya,Patel,gone@x.example", "line 2: the account for gone@x.example is deactivated"),
        (f"{'M' * 151},Patel,a@x.example", "line 2: first name is longer than 150 characters"),
    ],
)
def test_each_bad_row_is_named_by_its_line(group, line, error):
    UserFactory(username="staffer", email="staff@x.example", is_staff=True)
    UserFactory(username="gone", email="gone@x.example", is_active=False)
    plan = plan_for(group, f"first name,last name,email,username,target\n{line}\n")
    assert any(problem.startswith(error) for problem in plan.errors), plan.errors


def test_a_student_twice_in_the_file_is_an_error_on_the_second_line(group):
    plan = plan_for(
        group,
        "first name,last name,email,username\n"
        "Maya,Patel,maya@x.example,maya\n"
        "Tom,Jones,tom@x.example,MAYA\n"
        "Maya,Patel,MAYA@x.example,\n",
    )
    assert plan.errors == [
        "line 3: the same username as line 2",
        "line 4: the same email as line 2",
    ]


def test_two_accounts_sharing_an_email_are_not_guessed_between(group):
    UserFactory(email="twin@x.example")
    UserFactory(email="TWIN@x.example")
    plan = plan_for(group, "first name,last name,email\nA,B,twin@x.example\n")
    assert plan.errors == [
        "line 2: 2 accounts use twin@x.example: add this student with the class’s join code instead"
    ]


def test_an_archived_class_takes_no_roster(group):
    group.archived = True
    assert plan_for(group, GOOD).errors == ["13H History is archived and takes no new members."]


def test_planning_takes_a_handful_of_queries_however_long_the_file(
    group, django_assert_max_num_queries
):
    rows = "".join(f"Student,Number{n},s{n}@x.example\n" for n in range(400))
    with django_assert_max_num_queries(12):
        plan = plan_for(group, f"first name,last name,email\n{rows}")
    assert plan.created == 400


# The pages ------------------------------------------------------------------------------------


def test_the_preview_says_what_will_happen_and_writes_nothing(teacher_client, group):
    UserFactory(username="maya", email="maya.patel@school.example")
    users = User.objects.count()
    preview = upload(teacher_client, group, GOOD)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "1 new account" in page and "1 existing account" in page
    assert "toneill" in page
    assert "Confirm: add 2 students to 13H History" in page
    assert User.objects.count() == users
    assert not Enrolment.objects.exists()
    assert not mail.outbox


def test_confirming_enrols_everyone_and_invites_new_accounts(teacher_client, teacher, group):
    maya = UserFactory(username="maya", email="maya.patel@school.example")
    preview = upload(teacher_client, group, GOOD)
    response = confirm(teacher_client, group, preview)
    assert response.status_code == 302
    assert response.url == reverse("admin:essays_teachinggroup_change", args=[group.pk])
    tom = User.objects.get(username="toneill")
    assert (tom.first_name, tom.last_name, tom.email) == ("Tom", "O'Neill", GOOD.split(",")[-2])
    assert not tom.has_usable_password()
    targets = {e.student: e.target for e in Enrolment.objects.filter(group=group)}
    assert targets == {maya: "A*", tom: "B"}

    (invitation,) = mail.outbox  # the existing account is not emailed
    assert invitation.to == ["Tom.ONeill@school.example"]
    assert "13H History" in invitation.subject
    assert "Your username is: toneill" in invitation.body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", invitation.body).group(1)
    # The link lets Tom choose a password, and then log in.
    fresh = Client()
    set_password = fresh.get(link, follow=True)
    assert set_password.status_code == 200
    chosen = fresh.post(
        set_password.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"},
    )
    assert chosen.status_code == 302
    tom.refresh_from_db()
    assert tom.check_password("a long new passphrase")


def test_a_file_with_errors_offers_no_confirmation(teacher_client, group):
    preview = upload(
        teacher_client, group, "first name,last name,email\nA,B,a@x.example\nC,D,nope\n"
    )
    page = preview.content.decode()
    assert "line 3: email is not valid: “nope”" in page
    assert "Nothing has been added" in page
    assert preview.context["confirm"] is None
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "This field is required."),
        (b"first name,last name\n", "it has no email column"),
        (b"x" * (roster_csv.MAX_BYTES + 10), "bigger than 1 MB"),
        (b"\xff\xfe\x00\x00", "not UTF-8"),
    ],
    ids=["missing", "no email", "too big", "binary"],
)
def test_an_unusable_upload_is_a_form_error(teacher_client, group, data, message):
    fields = {} if data is None else {"roster": SimpleUploadedFile("class.csv", data)}
    response = teacher_client.post(roster_url(group), fields)
    assert response.status_code == 200
    assert message in str(response.context["upload"].errors["roster"])
    assert not Enrolment.objects.exists()


def test_a_changed_preview_is_refused(teacher_client, group):
    preview = upload(teacher_client, group, GOOD)
    payload = preview.context["confirm"].initial["payload"]
    response = teacher_client.post(
        roster_url(group),
        {"payload": payload[:-2] + "xx", "fingerprint": "0" * 64},
        follow=True,
    )
    assert "This preview has expired (after an hour) or was changed" in response.content.decode()
    assert not Enrolment.objects.exists()
    # Nor can one class's preview be confirmed into another.
    other = TeachingGroupFactory(teachers=[response.wsgi_request.user])
    teacher_client.post(
        roster_url(other),
        {"payload": payload, "fingerprint": preview.context["confirm"].initial["fingerprint"]},
    )
    assert not Enrolment.objects.exists()


def test_confirming_what_is_no_longer_true_writes_nothing(teacher_client, group):
    preview = upload(teacher_client, group, GOOD)
    # Tom signs up himself while the teacher reads the preview.
    UserFactory(username="tom", email="tom.oneill@school.example")
    response = confirm(teacher_client, group, preview)
    assert response.status_code == 200
    assert "Something changed since the preview" in response.content.decode()
    assert not Enrolment.objects.exists()
    assert not User.objects.filter(username="toneill").exists()
    # The fresh preview can be confirmed.
    assert confirm(teacher_client, group, response).status_code == 302
    assert Enrolment.objects.filter(group=group).count() == 2


def test_a_failure_part_way_leaves_nothing_half_written(teacher_client, group, monkeypatch):
    preview = upload(teacher_client, group, GOOD)
    invited = []

    def fail_on_second(student, **kwargs):
        invited.append(student.username)
        if len(invited) == 2:
            raise RuntimeError("mail template broken")

    monkeypatch.setattr(rosters, "queue_invitation", fail_on_second)
    with pytest.raises(RuntimeError):
        confirm(teacher_client, group, preview)
    assert invited == ["mpatel", "toneill"]
    assert not Enrolment.objects.exists()
    assert not User.objects.filter(username__in=["mpatel", "toneill"]).exists()


def test_the_roster_page_checks_its_security_token(teacher, group):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    response = strict.post(roster_url(group), {"roster": SimpleUploadedFile("c.csv", b"x")})
    assert response.status_code == 403


def test_the_roster_page_is_reached_from_the_class_page(teacher_client, group):
    page = teacher_client.get(roster_url(group)).content.decode()
    assert "first name,last name,email,username,target" in page
    assert 'enctype="multipart/form-data"' in page
