"""How long a teacher waits for the admin's class pages: an assignment's board (a class of about
30), a class's markbook (30 students × 20 pieces of set work) and its CSV, the marking pile
(their own, and a whole school's as a superuser sees it), and "Save and release" on a marking
page followed by the next script's page, with a school trust's worth of data around them.

    .venv/bin/python bench/classes.py [--essays 2000] [--students 600] [--responses 40000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_classes \
        .venv/bin/python bench/classes.py
    .venv/bin/python bench/classes.py --reuse sqlite:////tmp/my-copy.sqlite3
    .venv/bin/python bench/classes.py --reuse postgres://postgres@127.0.0.1:5432/my_copy

Without --reuse it generates the data (`generate_load_data --classes`) in a fresh SQLite
database (or EMPTIES the PostgreSQL database DATABASE_URL names). With --reuse it times the
database at URL as it is, after `migrate`: data made by `generate_load_data --classes`. It
WRITES to that database (migrations, a superuser "bench-classes-admin", and --repeat + 2
scripts marked and released), so give it a copy of any shared data.

Every page is timed in process (Django's test client, production settings, static files
collected into a temporary directory) with the first generated class's teacher signed in:
median and worst of --repeat requests, and the queries one more request takes. The release is
timed script after script through the teacher's pile of unmarked work, as a teacher marks it:
the POST up to its redirect, then the GET of the script it redirects to. "CPU ms" is the
median CPU time the Django process spent on a request (the database server's is not in it).
Prints figures; it is not a test.
"""

import argparse
import json
import os
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import manage, production_env

PAGES = (
    "board",
    "markbook",
    "markbook CSV",
    "pile",
    "pile, whole school",
    "release POST",
    "next script GET",
)
BENCH_ADMIN = "bench-classes-admin"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=2000)
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--responses", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="time this database (sqlite:///path or postgres://…) as it is, without generating "
        "data; it is written to, so pass a copy",
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="studyhub-classes-") as workdir:
        if args.reuse:
            if not args.reuse.startswith(("sqlite:///", "postgres://", "postgresql://")):
                parser.error("--reuse takes a sqlite:/// or postgres:// URL")
            env = production_env(args.reuse)
            manage(env, "migrate", "--no-input", "-v", "0")
        else:
            database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
            env = production_env(database_url)
            if database_url.startswith("postgres"):
                manage(env, "flush", "--no-input")
            manage(env, "migrate", "--no-input", "-v", "0")
            print(f"Generating {args.essays:,} essays, {args.students:,} students in classes…")
            manage(
                env, "generate_load_data", "--essays", str(args.essays), "--students",
                str(args.students), "--responses", str(args.responses), "--classes", "--force",
            )  # fmt: skip
        code = (
            "import json; from bench.classes import time_pages; "
            f"print(json.dumps(time_pages({args.repeat!r}, {workdir!r})))"
        )
        output = manage(env, "shell", "--no-imports", "-c", code)
        results = json.loads(output.strip().splitlines()[-1])
    print_results(env["DATABASE_URL"], results)
    return 0


def print_results(database_url: str, results: dict) -> None:
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(
        f"\n{database}: a class of {results['students']} with {results['assignments']} pieces "
        f"of set work; the teacher's pile {results['pile_size']:,} scripts, the whole "
        f"school's {results['school_pile_size']:,}"
    )
    print(f"{'page':<20}{'median ms':>11}{'worst ms':>10}{'queries':>9}{'CPU ms':>8}")
    for page in PAGES:
        figures = results[page]
        print(
            f"{page:<20}{figures['median_ms']:>11}{figures['worst_ms']:>10}"
            f"{figures['queries']:>9}{figures['cpu_ms']:>8}"
        )


# Inside Django (manage.py shell) ----------------------------------------------------------------


def time_pages(repeat: int, workdir: str) -> dict:
    """Median, worst and queries of each page in PAGES, in process. Static files are collected
    into `workdir`, so that the shared STATIC_ROOT is left alone."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    with override_settings(STATIC_ROOT=str(Path(workdir) / "static")):
        call_command("collectstatic", interactive=False, verbosity=0)
        return ClassPages(repeat).measure()


class ClassPages:
    """The first generated class with set work, its teacher signed in, and the pages timed."""

    def __init__(self, repeat: int):
        from django.contrib.auth import get_user_model
        from django.db.models import Count

        from essays.models import Assignment, Response, TeachingGroup

        self.repeat = repeat
        self.group = (
            TeachingGroup.objects.filter(name__startswith="Generated class")
            .annotate(size=Count("enrolments", distinct=True), work=Count("assignments"))
            .filter(work__gt=0)
            .order_by("-size", "pk")
            .first()
        )
        if self.group is None:
            sys.exit("No generated class with set work: run generate_load_data --classes.")
        self.assignment = Assignment.objects.filter(group=self.group).order_by("-due_at").first()
        self.teacher = self.group.teachers.order_by("pk").first()
        self.client = self.signed_in(self.teacher)
        admin, _ = get_user_model().objects.get_or_create(
            username=BENCH_ADMIN, defaults={"is_staff": True, "is_superuser": True}
        )
        self.admin_client = self.signed_in(admin)
        self.pile_size = Response.objects.visible_to_staff(self.teacher).count()
        self.school_pile_size = Response.objects.visible_to_staff(admin).count()

    @staticmethod
    def signed_in(user):
        from django.test import Client

        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def measure(self) -> dict:
        from django.urls import reverse

        pile = reverse("admin:essays_response_changelist")
        results = {
            "students": self.group.enrolments.count(),
            "assignments": self.group.assignments.count(),
            "pile_size": self.pile_size,
            "school_pile_size": self.school_pile_size,
            "board": self.time_get(
                self.client, reverse("admin:essays_assignment_board", args=[self.assignment.pk])
            ),
            "markbook": self.time_get(
                self.client, reverse("admin:essays_teachinggroup_markbook", args=[self.group.pk])
            ),
            "markbook CSV": self.time_get(
                self.client,
                reverse("admin:essays_teachinggroup_markbook_csv", args=[self.group.pk]),
            ),
            "pile": self.time_get(self.client, pile),
            "pile, whole school": self.time_get(self.admin_client, pile),
        }
        results.update(self.time_releases())
        return results

    def time_get(self, client, url: str) -> dict:
        client.get(url, secure=True)  # warm
        timings = []
        for _ in range(self.repeat):
            elapsed, response = timed(lambda: client.get(url, secure=True))
            assert response.status_code == 200, (url, response.status_code)
            timings.append(elapsed)
        queries, _ = counted(lambda: client.get(url, secure=True))
        return figures(timings, queries)

    def time_releases(self) -> dict:
        """ "Save and release" on the first unmarked script of the teacher's pile, then the
        next script's page it redirects to, and again on that script: --repeat times (after one
        to warm up), then once more counting queries."""
        from django.urls import reverse

        from essays.models import Response

        first = (
            Response.objects.visible_to_staff(self.teacher)
            .filter(mark__isnull=True)
            .order_by("-submitted_at", "-pk")
            .first()
        )
        # The teacher came from their pile of unmarked work.
        came_from = "?_changelist_filters=marked%3Dno"
        url = reverse("admin:essays_response_change", args=[first.pk]) + came_from
        self.client.get(url, secure=True)
        posts, gets = [], []
        post_queries = get_queries = 0
        for n in range(self.repeat + 2):
            release = partial(
                self.client.post,
                url,
                release_data(Response.objects.get(pk=url_pk(url))),
                secure=True,
            )
            last = n == self.repeat + 1
            if last:
                post_queries, response = counted(release)
            else:
                elapsed, response = timed(release)
            assert response.status_code == 302, (url, response.status_code)
            url = response.url
            assert "/change/" in url, f"the pile ran out of unmarked scripts: {url}"
            next_script = partial(self.client.get, url, secure=True)
            if last:
                get_queries, page = counted(next_script)
            else:
                page_elapsed, page = timed(next_script)
                if n:  # the first of each is a warm-up
                    posts.append(elapsed)
                    gets.append(page_elapsed)
            assert page.status_code == 200, (url, page.status_code)
        return {
            "release POST": figures(posts, post_queries),
            "next script GET": figures(gets, get_queries),
        }


def url_pk(url: str) -> int:
    """The response's id in a marking page's address: /admin/essays/response/<id>/change/…"""
    return int(url.split("/change/")[0].rstrip("/").rsplit("/", 1)[1])


def release_data(student_response) -> dict:
    """A sound mark (the top of the scheme's lowest level) and "Save and release"."""
    scheme = student_response.essay.get_mark_scheme()
    data = {"went_well": "", "even_better_if": "", "feedback": "Well argued.", "_return": "1"}
    if scheme is None:
        return {**data, "level": "", "mark": "1"}
    level = scheme.levels.order_by("number").first()
    return {**data, "level": str(level.number), "mark": str(level.max_mark)}


def timed(request) -> tuple[tuple[float, float], object]:
    """((wall ms, CPU ms), response): the CPU this process spent on the request, beside the
    time it took, tells what is the page's own on a machine others share (the database's work
    is in the wall time only)."""
    import time

    start, cpu = time.perf_counter(), time.process_time()
    response = request()
    return ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000), response


def counted(request) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = request()
    return len(queries), response


def figures(timings: list[tuple[float, float]], queries: int) -> dict:
    import statistics

    wall = [elapsed for elapsed, _ in timings]
    return {
        "median_ms": round(statistics.median(wall), 1),
        "worst_ms": round(max(wall), 1),
        "queries": queries,
        "cpu_ms": round(statistics.median(cpu for _, cpu in timings), 1),
    }


if __name__ == "__main__":
    sys.exit(main())
