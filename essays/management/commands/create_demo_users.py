import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from essays.demo import build_demo_class
from essays.models import CommentBankItem

# username, e-mail, staff?, group
DEMO_USERS = [
    ("student", "student@example.com", False, None),
    ("teacher", "teacher@example.com", True, "Teachers"),
    ("editor", "editor@example.com", True, "Editors"),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts: a student, a teacher and an editor, each with a "
        "new random password, printed here. Only for local development: it refuses to run "
        "unless DJANGO_DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have known names and are for development only; "
                "set DJANGO_DEBUG=1 to create them."
            )
        User = get_user_model()
        lines = []
        for username, email, is_staff, group_name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(9)
            user.email = email
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
            if group_name:
                group = Group.objects.filter(name=group_name).first()
                if group is not None:
                    user.groups.add(group)
            lines.append(f"  {username:<8} {password}  ({'new' if created else 'password reset'})")
        self.stdout.write("Demo accounts (username, password):")
        self.stdout.write("\n".join(lines))
        demo = build_demo_class(
            teacher=User.objects.get(username="teacher"),
            student=User.objects.get(username="student"),
        )
        if demo is None:
            self.stdout.write("No demo class: load the demo library (fixtures/library.json) first.")
        else:
            state = "created" if demo.created else "already there"
            waiting, redrafts = demo.pile()
            redraft_words = "a redraft" if redrafts == 1 else "redrafts"
            self.stdout.write(
                f"Demo class {demo.group} ({state}): taught by teacher, with student and eight "
                f"classmates. Set work: {demo.group.assignments.count()} pieces, "
                f"{demo.anonymous_work()} marked anonymously (admin: Set work). Waiting to be "
                f"marked: {waiting} scripts, {redrafts} of them {redraft_words} (admin: Responses)."
            )
        shared = CommentBankItem.objects.filter(shared=True).count()
        if shared:
            self.stdout.write(f"Comment bank: {shared} shared comments (admin: Comment bank).")
        else:
            self.stdout.write(
                "No shared comment bank: load the starter bank (fixtures/comment_bank.json)."
            )
