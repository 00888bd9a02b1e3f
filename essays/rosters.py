"""Putting a class's students in from a roster (a CSV file, read by essays.roster_csv).

Two steps, so that nothing is written until the teacher has seen what will happen:

- `plan_roster()` decides row by row who is matched to an existing account (by email, whatever
  its case), who gets a new account, who is already in the class or re-joins it, and what is
  wrong with each row, by line number;
- `import_roster()` plans again and writes the plan in one transaction: every account and
  enrolment, and an invitation to each new account to choose a password, or nothing at all.

New accounts get no password (an unusable one): their invitation links to the password-reset
page, which is where they choose one. Their usernames are NFKC-normalised, as Django's own forms
do, and unique whatever their case.
"""

import hashlib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from essays.marking.emails import render_email
from essays.models import Enrolment, TargetGrade, TeachingGroup
from essays.people import display_name
from essays.roster_csv import RosterRow
from studyhub.mail import queue_email
from studyhub.usernames import mixes_lookalike_scripts

NAME_MAX = 150  # Django's User.first_name and last_name
EMAIL_MAX = 254
TARGET_MARK_MAX = 100
LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"


class RowAction(StrEnum):
    CREATE = "new account"
    ENROL = "existing account"
    REJOIN = "re-joins the class"
    ALREADY = "already in the class"


@dataclass
class PlannedRow:
    row: RosterRow
    action: RowAction | None = None
    username: str = ""
    user: object = None  # the matched account, for ENROL, REJOIN and ALREADY
    enrolment: Enrolment | None = None
    target_grade: str | None = None  # None: leave as it is
    target_mark: int | None = None
    email_key: str = ""  # the email in lower case, once it is known to be valid
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.row.first_name} {self.row.last_name}".strip()

    @property
    def has_target(self) -> bool:
        return self.target_grade is not None


@dataclass
class RosterPlan:
    group: TeachingGroup
    rows: list[PlannedRow]
    problems: list[str] = field(default_factory=list)  # about the class, not one row

    @property
    def errors(self) -> list[str]:
        return self.problems + [
            f"line {planned.row.line}: {error}" for planned in self.rows for error in planned.errors
        ]

    def count(self, action: RowAction) -> int:
        return sum(1 for planned in self.rows if planned.action == action and not planned.errors)

    @property
    def created(self) -> int:
        return self.count(RowAction.CREATE)

    @property
    def matched(self) -> int:
        return self.count(RowAction.ENROL) + self.count(RowAction.REJOIN)

    @property
    def already(self) -> int:
        return self.count(RowAction.ALREADY)

    @property
    def fingerprint(self) -> str:
        """What the plan would do: confirming is refused if it is no longer what the teacher
        saw (an account with one of the emails was made in between, say)."""
        digest = hashlib.sha256()
        for planned in self.rows:
            user_pk = getattr(planned.user, "pk", "")
            digest.update(
                f"{planned.row.line}|{planned.action}|{planned.username}|{user_pk}|"
                f"{planned.target_grade}|{planned.target_mark}\n".encode()
            )
        return digest.hexdigest()


def parse_target(typed: str) -> tuple[str | None, int | None]:
    """A target grade ("A*", "b") or mark ("18"); (None, None) for none given. ValueError if
    it is neither."""
    if not typed:
        return None, None
    grade = typed.upper().replace(" ", "")
    if grade in TargetGrade.values:
        return grade, None
    if typed.isdigit() and int(typed) <= TARGET_MARK_MAX:
        return "", int(typed)
    raise ValueError(typed)


def check_one_line(planned: PlannedRow, label: str, value: str, maximum: int) -> None:
    if any(ch in LINE_BREAKS for ch in value):
        planned.errors.append(f"{label} runs over more than one line")
    elif len(value) > maximum:
        planned.errors.append(f"{label} is longer than {maximum} characters")


def normalise_username(typed: str) -> str:
    """As Django's UsernameField does: "ｊｏ" is "jo"."""
    return unicodedata.normalize("NFKC", typed)


def username_base(first_name: str, last_name: str) -> str:
    """ "Maya Patel" → "mpatel"; "Zoë Brontë" → "zbronte"; names with no Latin letters keep
    their own letters ("王芳" → "王芳")."""
    name = f"{first_name[:1]}{last_name}"
    latin = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = "".join(ch for ch in latin if ch.isalnum())
    if not base:
        base = "".join(ch for ch in normalise_username(name).lower() if ch.isalnum())
    return normalise_username(base[:30] or "student")


def taken_usernames(bases: set[str]) -> set[str]:
    """Existing usernames (lower case) that begin with any of these bases, a few dozen bases
    per query."""
    User = get_user_model()
    taken: set[str] = set()
    ordered = sorted(bases)
    for start in range(0, len(ordered), 50):
        chunk = ordered[start : start + 50]
        condition = reduce(or_, (Q(username__istartswith=base) for base in chunk))
        taken.update(
            name.lower()
            for name in User.objects.filter(condition).values_list("username", flat=True)
        )
    return taken


def plan_roster(group: TeachingGroup, rows: list[RosterRow]) -> RosterPlan:
    """What importing these rows into the class would do, and every problem, row by row. Reads
    the database (a handful of queries however long the file); writes nothing."""
    User = get_user_model()
    plan = RosterPlan(group=group, rows=[PlannedRow(row=row) for row in rows])
    if group.archived:
        plan.problems.append(f"{group} is archived and takes no new members.")

    for planned in plan.rows:
        row = planned.row
        for label, value in (("first name", row.first_name), ("last name", row.last_name)):
            if not value:
                planned.errors.append(f"{label} is missing")
            else:
                check_one_line(planned, label, value, NAME_MAX)
        if not row.email:
            planned.errors.append("email is missing")
        else:
            try:
                validate_email(row.email)
                if len(row.email) > EMAIL_MAX:
                    raise ValidationError("too long")
            except ValidationError:
                planned.errors.append(f"email is not valid: “{row.email[:80]}”")
            else:
                planned.email_key = row.email.lower()
        try:
            planned.target_grade, planned.target_mark = parse_target(row.target)
        except ValueError:
            planned.errors.append(
                f"target “{row.target[:20]}” is neither a grade (A*, A, B, C, D, E) nor a mark "
                f"from 0 to {TARGET_MARK_MAX}"
            )

    # Emails: repeated in the file, and the accounts they belong to.
    first_line_of: dict[str, int] = {}
    for planned in plan.rows:
        if not planned.email_key:
            continue
        if planned.email_key in first_line_of:
            planned.errors.append(f"the same email as line {first_line_of[planned.email_key]}")
            planned.email_key = ""
        else:
            first_line_of[planned.email_key] = planned.row.line
    accounts: dict[str, list] = {}
    for user in User.objects.annotate(email_key=Lower("email")).filter(
        email_key__in=list(first_line_of)
    ):
        accounts.setdefault(user.email.lower(), []).append(user)
    enrolments = {
        enrolment.student_id: enrolment
        for enrolment in Enrolment.objects.filter(
            group=group,
            student__in=[user for users in accounts.values() for user in users],
        )
    }

    # Explicit usernames of new accounts: valid, not someone else's, not repeated.
    wanted: dict[str, PlannedRow] = {}
    for planned in plan.rows:
        if not planned.email_key:
            continue
        matches = accounts.get(planned.email_key, [])
        if len(matches) > 1:
            planned.errors.append(
                f"{len(matches)} accounts use {planned.row.email}: add this student with the "
                "class’s join code instead"
            )
        elif matches:
            match_account(planned, matches[0], enrolments.get(matches[0].pk))
        elif planned.row.username:
            username = normalise_username(planned.row.username)
            problem = username_problem(username)
            if problem:
                planned.errors.append(problem)
            elif username.lower() in wanted:
                planned.errors.append(
                    f"the same username as line {wanted[username.lower()].row.line}"
                )
            else:
                wanted[username.lower()] = planned
            planned.username = username
            planned.action = RowAction.CREATE
        else:
            planned.action = RowAction.CREATE
    if wanted:
        for name in (
            User.objects.annotate(username_key=Lower("username"))
            .filter(username_key__in=list(wanted))
            .values_list("username", flat=True)
        ):
            wanted[name.lower()].errors.append(f"the username {name} belongs to another account")

    # Usernames made from names: unique among accounts and in the file, whatever the case.
    derive = [p for p in plan.rows if p.action == RowAction.CREATE and not p.row.username]
    bases = {username_base(p.row.first_name, p.row.last_name) for p in derive}
    taken = (taken_usernames(bases) if bases else set()) | set(wanted)
    for planned in derive:
        base = username_base(planned.row.first_name, planned.row.last_name)
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            candidate = f"{base}{number}"
        taken.add(candidate.lower())
        planned.username = candidate
    return plan


def username_problem(username: str) -> str:
    User = get_user_model()
    if len(username) > 150:
        return "username is longer than 150 characters"
    try:
        User.username_validator(username)
    except ValidationError:
        return f"username “{username[:40]}” may contain only letters, digits and @ . + - _"
    if mixes_lookalike_scripts(username):
        return f"username “{username}” mixes letters from different alphabets that look alike"
    return ""


def match_account(planned: PlannedRow, user, enrolment: Enrolment | None) -> None:
    planned.user = user
    planned.username = user.get_username()
    planned.enrolment = enrolment
    if user.is_staff:
        planned.errors.append(f"{planned.row.email} is a staff account, not a student’s")
        return
    if not user.is_active:
        planned.errors.append(f"the account for {planned.row.email} is deactivated")
        return
    if enrolment is None:
        planned.action = RowAction.ENROL
    elif enrolment.left_at is not None:
        planned.action = RowAction.REJOIN
    else:
        planned.action = RowAction.ALREADY
    if planned.row.username and normalise_username(planned.row.username) != planned.username:
        planned.notes.append(f"keeps their username {planned.username}")
    account_name = user.get_full_name()
    if account_name and account_name != planned.name:
        planned.notes.append(f"their account’s name is {account_name}")


class RosterRefused(Exception):
    """Confirming found problems, or a plan other than the one previewed: nothing was
    written. `plan` is the fresh plan, to show again."""

    def __init__(self, message: str, plan: RosterPlan):
        super().__init__(message)
        self.plan = plan


def import_roster(
    *, group: TeachingGroup, rows: list[RosterRow], teacher, site_url: str, previewed: str
) -> RosterPlan:
    """Write the plan: accounts, enrolments, targets and the new accounts' invitations, in one
    transaction. It is planned again inside the transaction; if that plan has problems, or is
    not the one the teacher previewed (`previewed`, its fingerprint), nothing is written."""
    User = get_user_model()
    with transaction.atomic():
        group = TeachingGroup.objects.select_for_update().get(pk=group.pk)
        plan = plan_roster(group, rows)
        if plan.errors:
            raise RosterRefused("The roster has problems: nothing was added.", plan)
        if plan.fingerprint != previewed:
            raise RosterRefused(
                "Something changed since the preview (an account was made or a student joined "
                "in the meantime): check the preview again, then confirm.",
                plan,
            )
        for planned in plan.rows:
            if planned.action == RowAction.CREATE:
                user = User(
                    username=planned.username,
                    first_name=planned.row.first_name,
                    last_name=planned.row.last_name,
                    email=planned.row.email,
                )
                user.set_unusable_password()
                user.save()
                planned.user = user
            enrolment = planned.enrolment or Enrolment(group=group, student=planned.user)
            enrolment.left_at = None
            if planned.has_target:
                enrolment.target_grade = planned.target_grade
                enrolment.target_mark = planned.target_mark
            if planned.action != RowAction.ALREADY or planned.has_target:
                enrolment.save()
            if planned.action == RowAction.CREATE:
                queue_invitation(planned.user, group=group, teacher=teacher, site_url=site_url)
    return plan


def queue_invitation(student, *, group: TeachingGroup, teacher, site_url: str) -> None:
    """Invite a new account's owner to choose a password: a password-reset link, which works
    for PASSWORD_RESET_TIMEOUT (three days by default); after that, "Forgotten your password?"
    with the same email sends a fresh one."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(student.pk)),
            "token": default_token_generator.make_token(student),
        },
    )
    subject, body = render_email(
        "class-invitation",
        {
            "student": student,
            "group": group,
            "teacher": display_name(teacher),
            "link": f"{site_url.rstrip('/')}{path}",
            "forgotten_link": f"{site_url.rstrip('/')}{reverse('password_reset')}",
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    queue_email(to=[student.email], subject=subject, body=body)
