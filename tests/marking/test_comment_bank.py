"""The comment bank in the admin site: who sees, changes and deletes which comments, what may be
shared, and the starter bank for History.

A History teacher and another teacher each have a private comment; the department's shared bank
has a History comment and a Politics one. The head of History curates the History one, the
editor both, and the superuser everything.
"""

import json
from pathlib import Path

import pytest
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse

from essays.models import CommentBankItem, CommentKind, Objective
from tests.conftest import user_in_group
from tests.factories import CommentBankItemFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:essays_commentbankitem_changelist")
ADD = reverse("admin:essays_commentbankitem_add")
STARTER_BANK = Path(__file__).resolve().parents[2] / "fixtures" / "comment_bank.json"


def change_url(item) -> str:
    return reverse("admin:essays_commentbankitem_change", args=[item.pk])


def delete_url(item) -> str:
    return reverse("admin:essays_commentbankitem_delete", args=[item.pk])


@pytest.fixture
def bank():
    history, politics = SubjectFactory(name="History"), SubjectFactory(name="Politics")
    users = {
        "teacher": user_in_group("Teachers", "teacher"),
        "other teacher": user_in_group("Teachers", "other-teacher"),
        "head": user_in_group("Heads of department", "head-of-history"),
        "editor": user_in_group("Editors", "editor"),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    history.heads.add(users["head"])
    items = {
        "mine": CommentBankItemFactory(
            owner=users["teacher"], subject=history, text="Check the date of Munich."
        ),
        "theirs": CommentBankItemFactory(
            owner=users["other teacher"], subject=history, text="Name the historian."
        ),
        "shared history": CommentBankItemFactory(
            owner=None,
            shared=True,
            subject=history,
            kind=CommentKind.STRENGTH,
            text="Your judgement is sustained and substantiated.",
        ),
        "shared politics": CommentBankItemFactory(
            owner=None,
            shared=True,
            subject=politics,
            objective=Objective.AO2,
            text="Apply the concept to a recent example.",
        ),
    }
    return {"users": users, "items": items, "history": history, "politics": politics}


def listed(client, query=None) -> set[str]:
    page = client.get(CHANGELIST, query or {})
    assert page.status_code == 200
    return {item.text for item in page.context["cl"].result_list}


def texts(bank, *names) -> set[str]:
    return {bank["items"][name].text for name in names}


ALL = ("mine", "theirs", "shared history", "shared politics")
SHARED = ("shared history", "shared politics")


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("teacher", ("mine", *SHARED)),
        ("other teacher", ("theirs", *SHARED)),
        ("head", SHARED),
        ("editor", SHARED),
        ("superuser", ALL),
    ],
)
def test_each_sees_their_own_comments_and_the_shared_ones(client, bank, user, sees):
    client.force_login(bank["users"][user])
    assert listed(client) == texts(bank, *sees)


# For each user and comment: "edit" (change and delete), "read" (read-only, delete refused),
# or 404 (not found: another teacher's private comment).
ACCESS = {
    "teacher": {"mine": "edit", "theirs": 404, "shared history": "read", "shared politics": "read"},
    "other teacher": {"mine": 404, "theirs": "edit", "shared history": "read"},
    "head": {"mine": 404, "shared history": "edit", "shared politics": "read"},
    "editor": {"mine": 404, "shared history": "edit", "shared politics": "edit"},
    "superuser": dict.fromkeys(ALL, "edit"),
}


@pytest.mark.parametrize(
    ("user", "item", "expected"),
    [(user, item, expected) for user, row in ACCESS.items() for item, expected in row.items()],
)
def test_who_may_change_and_delete_each_comment(client, bank, user, item, expected):
    client.force_login(bank["users"][user])
    comment = bank["items"][item]
    change, delete = client.get(change_url(comment)), client.get(delete_url(comment))
    if expected == 404:
        assert (change.status_code, delete.status_code) == (404, 404)
        return
    assert change.status_code == 200
    editable = expected == "edit"
    assert change.context["has_change_permission"] is editable
    assert ('name="text"' in change.content.decode()) is editable
    assert delete.status_code == (200 if editable else 403)


def test_a_teacher_cannot_change_or_delete_a_shared_comment_by_posting(client, bank):
    shared = bank["items"]["shared history"]
    client.force_login(bank["users"]["teacher"])
    changed = client.post(change_url(shared), {"text": "Mine now.", "kind": "general"})
    deleted = client.post(delete_url(shared), {"post": "yes"})
    assert (changed.status_code, deleted.status_code) == (403, 403)
    shared.refresh_from_db()
    assert shared.text == "Your judgement is sustained and substantiated."


def add(client, **fields):
    data = {"kind": "target", "objective": "AO1", "subject": "", **fields}
    if data.pop("shared", False):
        data["shared"] = "on"
    return client.post(ADD, data)


def test_a_teacher_adds_a_private_comment_stamped_as_theirs(client, bank):
    client.force_login(bank["users"]["teacher"])
    page = add(client, text="  Link this back to the question.  ", subject=bank["history"].pk)
    assert page.status_code == 302
    added = CommentBankItem.objects.get(text="Link this back to the question.")
    assert (added.owner, added.shared, added.subject) == (
        bank["users"]["teacher"],
        False,
        bank["history"],
    )
    client.force_login(bank["users"]["other teacher"])
    assert "Link this back to the question." not in listed(client)


def test_a_teacher_is_not_offered_sharing_and_their_comments_stay_private(client, bank):
    client.force_login(bank["users"]["teacher"])
    form = client.get(reverse("admin:essays_commentbankitem_add")).content.decode()
    assert 'name="shared"' not in form
    # A crafted post cannot share it either.
    page = add(client, text="Weigh the factors.", subject=bank["history"].pk, shared=True)
    assert page.status_code == 302
    assert not CommentBankItem.objects.get(text="Weigh the factors.").shared


def test_a_teacher_may_not_share_their_own_comment_later(client, bank):
    mine = bank["items"]["mine"]
    client.force_login(bank["users"]["teacher"])
    assert 'name="shared"' not in client.get(change_url(mine)).content.decode()
    client.post(
        change_url(mine),
        {"text": mine.text, "kind": mine.kind, "objective": "AO1", "subject": mine.subject_id}
        | {"shared": "on"},
    )
    mine.refresh_from_db()
    assert not mine.shared


def test_a_head_of_department_shares_comments_of_their_own_subject_only(client, bank):
    client.force_login(bank["users"]["head"])
    assert (
        add(client, text="Use a historian.", subject=bank["history"].pk, shared=True).status_code
        == 302
    )
    shared = CommentBankItem.objects.get(text="Use a historian.")
    assert shared.shared and shared.owner == bank["users"]["head"]
    client.force_login(bank["users"]["teacher"])
    assert "Use a historian." in listed(client)

    client.force_login(bank["users"]["head"])
    politics = add(client, text="Define sovereignty.", subject=bank["politics"].pk, shared=True)
    assert "shared" in politics.context["adminform"].form.errors
    no_subject = add(client, text="Plan first.", shared=True)
    errors = no_subject.context["adminform"].form.errors
    assert "Choose the subject whose department shares it." in str(errors["subject"])
    assert not CommentBankItem.objects.filter(text__in=["Define sovereignty.", "Plan first."])


def test_an_editor_shares_a_comment_for_every_subject(client, bank):
    client.force_login(bank["users"]["editor"])
    assert add(client, text="Plan before you write.", shared=True).status_code == 302
    added = CommentBankItem.objects.get(text="Plan before you write.")
    assert added.shared and added.subject is None
    assert added in CommentBankItem.objects.usable_by(bank["users"]["teacher"], bank["politics"])


def test_a_starter_comment_cannot_be_made_private(client, bank):
    shared = bank["items"]["shared history"]
    client.force_login(bank["users"]["editor"])
    page = client.post(
        change_url(shared),
        {
            "text": shared.text,
            "kind": shared.kind,
            "objective": "AO1",
            "subject": shared.subject_id,
        },
    )
    assert page.status_code == 200
    assert "Copy to my bank" in str(page.context["adminform"].form.errors["shared"])
    shared.refresh_from_db()
    assert shared.shared


def test_a_duplicate_of_ones_own_comment_is_refused(client, bank):
    client.force_login(bank["users"]["teacher"])
    page = add(client, text="check the date of MUNICH.")
    assert "This comment is already in your bank." in str(
        page.context["adminform"].form.errors["text"]
    )
    assert CommentBankItem.objects.filter(text__iexact="check the date of munich.").count() == 1
    # The same words are another teacher's to keep too.
    client.force_login(bank["users"]["other teacher"])
    assert add(client, text="Check the date of Munich.").status_code == 302


def test_a_duplicate_in_the_shared_bank_is_refused(client, bank):
    client.force_login(bank["users"]["head"])
    page = add(
        client,
        text="Your judgement is sustained and substantiated.",
        subject=bank["history"].pk,
        shared=True,
    )
    assert "shared bank already has this comment" in str(page.context["adminform"].form.errors)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "This field is required."),
        ("   \n ", "This field is required."),
        ("x" * 1001, "at most 1000 characters"),
        ("Weigh\x00 the factors.", "Null characters are not allowed."),
    ],
)
def test_a_comment_is_one_to_a_thousand_storable_characters(client, bank, text, problem):
    client.force_login(bank["users"]["teacher"])
    before = CommentBankItem.objects.count()
    page = add(client, text=text)
    assert page.status_code == 200
    assert problem in str(page.context["adminform"].form.errors["text"])
    assert CommentBankItem.objects.count() == before


def test_a_thousand_characters_is_allowed(client, bank):
    client.force_login(bank["users"]["teacher"])
    assert add(client, text="y" * 1000).status_code == 302


def run_action(client, action, items, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, ACTION_CHECKBOX_NAME: [item.pk for item in items], **extra},
    )


def test_deleting_a_selection_with_a_shared_comment_deletes_nothing(client, bank):
    mine, shared = bank["items"]["mine"], bank["items"]["shared history"]
    client.force_login(bank["users"]["teacher"])
    page = run_action(client, "delete_selected", [mine, shared], post="yes")
    assert page.status_code == 302
    shown = [str(message) for message in page.wsgi_request._messages]
    assert any(message.startswith("Nothing was deleted: 1 of the comments") for message in shown)
    assert CommentBankItem.objects.filter(pk__in=[mine.pk, shared.pk]).count() == 2

    confirm = run_action(client, "delete_selected", [mine])
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    run_action(client, "delete_selected", [mine], post="yes")
    assert not CommentBankItem.objects.filter(pk=mine.pk).exists()


def test_copy_to_my_bank_makes_a_private_copy_once(client, bank):
    teacher, shared = bank["users"]["teacher"], bank["items"]["shared history"]
    client.force_login(teacher)
    page = run_action(client, "copy_to_my_bank", [shared, bank["items"]["mine"]])
    copy = CommentBankItem.objects.get(owner=teacher, text=shared.text)
    assert page.url == change_url(copy)
    assert (copy.shared, copy.kind, copy.subject) == (False, shared.kind, shared.subject)
    assert client.get(change_url(copy)).context["has_change_permission"] is True

    again = run_action(client, "copy_to_my_bank", [shared])
    assert again.status_code == 302
    assert CommentBankItem.objects.filter(text=shared.text).count() == 2
    assert listed(client, {"whose": "mine"}) == {copy.text, bank["items"]["mine"].text}


def test_copy_to_my_bank_from_a_shared_comments_page(client, bank):
    teacher, shared = bank["users"]["teacher"], bank["items"]["shared politics"]
    client.force_login(teacher)
    prefix = ActionLocation.CHANGE_FORM.value
    page = client.post(
        change_url(shared),
        {f"{prefix}-action": "copy_to_my_bank", ACTION_CHECKBOX_NAME: [shared.pk]},
    )
    copy = CommentBankItem.objects.get(owner=teacher, text=shared.text)
    assert page.status_code == 302 and page.url == change_url(copy)


def test_the_filters(client, bank):
    client.force_login(bank["users"]["teacher"])
    assert listed(client, {"whose": "mine"}) == texts(bank, "mine")
    assert listed(client, {"whose": "others"}) == texts(bank, *SHARED)
    assert listed(client, {"shared": "private"}) == texts(bank, "mine")
    assert listed(client, {"shared": "shared"}) == texts(bank, *SHARED)
    assert listed(client, {"kind__exact": "strength"}) == texts(bank, "shared history")
    assert listed(client, {"objective__exact": "AO2"}) == texts(bank, "shared politics")
    assert listed(client, {"subject__id__exact": bank["politics"].pk}) == texts(
        bank, "shared politics"
    )
    assert listed(client, {"q": "munich"}) == texts(bank, "mine")
    # Another teacher's private comment is found by no search.
    assert listed(client, {"q": "historian"}) == set()


def test_the_list_takes_the_same_queries_for_more_comments(client, bank, django_assert_num_queries):
    teacher = bank["users"]["teacher"]
    client.force_login(teacher)
    client.get(CHANGELIST)  # content types and the like, cached for the process after one page
    # Session, user, permissions (2), subjects for the filter, counts (2), the comments.
    with django_assert_num_queries(8):
        page = client.get(CHANGELIST)
    assert "Check the date of Munich." in page.content.decode()
    for _ in range(20):
        CommentBankItemFactory(owner=teacher, subject=SubjectFactory(name="History"))
        CommentBankItemFactory(owner=None, shared=True, subject=bank["politics"])
    with django_assert_num_queries(8):
        page = client.get(CHANGELIST)
    assert page.context["cl"].result_count == 43


def load_starter_bank():
    call_command("loaddata", "fixtures/library.json", "fixtures/comment_bank.json", verbosity=0)


def test_the_starter_bank_is_shared_history_in_every_kind():
    load_starter_bank()
    starter = CommentBankItem.objects.filter(owner__isnull=True)
    assert starter.count() >= 30
    assert set(starter.values_list("shared", flat=True)) == {True}
    assert set(starter.values_list("subject__slug", flat=True)) == {"history"}
    assert set(starter.values_list("kind", flat=True)) == set(CommentKind.values)
    objectives = set(starter.values_list("objective", flat=True))
    assert objectives <= {*Objective.values, ""} and {"AO1", "AO3"} <= objectives
    assert all(0 < len(text) <= 1000 for text in starter.values_list("text", flat=True))
    assert len({text.casefold() for text in starter.values_list("text", flat=True)}) == len(starter)


def test_loading_the_starter_bank_twice_adds_nothing():
    load_starter_bank()
    before = CommentBankItem.objects.count()
    load_starter_bank()
    assert CommentBankItem.objects.count() == before == len(json.loads(STARTER_BANK.read_text()))


def test_the_starter_bank_offers_itself_to_a_history_teacher(client, teacher):
    load_starter_bank()
    client.force_login(teacher)
    page = client.get(CHANGELIST, {"shared": "shared"})
    assert page.context["cl"].result_count >= 30
    assert "Use precise dates and names to support this point." in page.content.decode()
