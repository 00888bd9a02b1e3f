"""A school trust's StudyHub on two application servers, one PostgreSQL, one Redis and two task
workers: is anything lost, doubled or stale when the load is spread?

    .venv/bin/python bench/scale_out.py [--students 200] [--saves 5] [--seconds 10]
        [--rounds 2] [--connections 8] [--redis-db 13]
        [--database-url postgres://postgres@127.0.0.1:5432/studyhub_scale]

It empties and migrates the PostgreSQL database (created if missing), flushes its own Redis
database (REDIS_URL=redis://127.0.0.1:6379/<--redis-db>, the shared cache), loads the mark
schemes and the library, and makes a class of --students students with a teacher and an
editor. It then starts two gunicorn servers (2 workers each, production settings by way of
bench.settings, behind a simulated HTTPS proxy) and two `manage.py db_worker` task workers,
all sharing that database and Redis, and a local mail server that records every message.

1. The teacher sets an essay to the class through the admin site: its announcement is queued,
   and students' navs on both servers count the new work at once (they were read just before).
2. The whole class writes at once, each student alternating between the servers: opens the
   classes page, starts the set work, autosaves --saves times, then submits — every other
   student twice at once, once on each server (a double click that two servers answer).
   Checked against the database: every acknowledged save is there, one response and one
   submission per student, no 5xx.
3. An editor changes an essay through the admin site on one server, then in a separate process
   (Essay.save()): visitors' cached copies of the essay page on both servers show each change
   at once. Then Redis restarts empty (its database is flushed, which is what a restart
   without snapshots leaves): both servers still show the essay, and the next edit at once.
4. The teacher releases the marks through the admin site: students' navs on both servers
   count the marked work at once (read just before). Checked once the queue is empty:
   the mail server received every expected email (work set, work marked) exactly once, every
   task finished, none claimed twice, and both workers took tasks.
5. Throughput of one server against two, under the same load: a signed-in page (the
   classes page, with wrk) and autosaves (a Python load generator, each student its own
   session), --rounds times in turn, --seconds each.

It prints each check and the figures, and exits 1 if any check fails.
"""

import argparse
import collections
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
import psycopg.sql
import redis

from bench.harness import (
    ROOT,
    Session,
    call,
    gunicorn,
    manage,
    production_env,
    task_worker,
    with_own_static_files,
)
from bench.pages import autosave_request
from tests.http_client import StudentClient
from tests.smtp_server import FakeSMTPServer

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/studyhub_scale"
FIXTURES = ["fixtures/mark_schemes.json", "fixtures/library.json"]
PASSWORD = "two-servers-one-class"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# The admin's date fields are on the classroom's clock (settings.TIME_ZONE).
CLASSROOM_CLOCK = ZoneInfo(os.environ.get("DJANGO_TIME_ZONE") or "Europe/London")


class Checks:
    """Each check's outcome, printed as it is made; the run fails if any fails."""

    def __init__(self):
        self.failed = []

    def __call__(self, name: str, passed: bool, detail: str = "") -> bool:
        print(f"  [{'ok' if passed else 'FAILED'}] {name}{': ' + detail if detail else ''}")
        if not passed:
            self.failed.append(name)
        return passed


# Setting up ----------------------------------------------------------------------------------


def create_database_if_missing(url: str) -> None:
    """Create the database `url` names, connected to the server's `postgres` database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(
                psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
            )


def prepare(env: dict, args, workdir: Path) -> tuple[dict, dict]:
    """An empty, migrated database with the library and the class; an empty Redis database;
    static files collected into `workdir`. Returns the environment and what the class is."""
    create_database_if_missing(env["DATABASE_URL"])
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "flush", "--no-input")
    env = with_own_static_files(env, workdir)
    manage(env, "loaddata", *FIXTURES, "-v", "0")
    facts = call(env, "prepare_scale_class", args.students, PASSWORD)
    return env, facts


# The admin's forms, filled in as a browser would -------------------------------------------


class FormFields(HTMLParser):
    """The fields one form on a page sends when submitted unchanged: inputs (checked boxes
    only), textareas, and the selected options of each select (the first, if none is)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[list[str]] = []
        self.textarea = None
        self.select = None  # [name, multiple, first option, any selected]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            return
        name = attributes.get("name")
        if not self.inside:
            return
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append([name, attributes.get("value") or ""])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = [name, "multiple" in attributes, None, False]
        elif tag == "option" and self.select:
            value = attributes.get("value", "")
            if self.select[2] is None:
                self.select[2] = value
            if "selected" in attributes:
                self.select[3] = True
                self.fields.append([self.select[0], value])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline that opens a textarea's content.
            self.textarea[1] = self.textarea[1].removeprefix("\r\n").removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select:
            name, multiple, first, any_selected = self.select
            if not multiple and not any_selected and first is not None:
                self.fields.append([name, first])
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def post_admin_form(session: Session, path: str, form_id: str, **changes) -> tuple[int, dict]:
    """Open an admin form, change some fields, and send it as a browser would. Returns the
    status and headers of the answer (302 when the admin accepted it)."""
    status, page, _ = session.send("GET", path)
    if status != 200:
        return status, {}
    reader = FormFields(form_id)
    reader.feed(page.decode())
    fields = [(name, value) for name, value in reader.fields if name not in changes]
    fields += list(changes.items())
    status, body, headers = session.send("POST", path, urlencode(fields), FORM)
    if status != 302:
        errors = re.findall(rb'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
        print(f"    {path} answered {status}: {b' '.join(errors)[:500]!r}")
    return status, headers


NEWLY_MARKED = b'1<span class="visually-hidden"> newly marked</span>'
DUE_THIS_WEEK = b'1<span class="visually-hidden"> due this week</span>'


def navs_show(ports, sessions: dict, usernames: list[str], count: bytes) -> list[bool]:
    """Does each student's nav (on the catalogue), on each server, show `count`?"""
    return [
        count in signed_in_session(port, {"sessionid": sessions[name]}).send("GET", "/")[1]
        for name in usernames
        for port in ports
    ]


def signed_in_session(port: int, cookies: dict) -> Session:
    session = Session(port)
    session.cookies = cookies
    return session


# 1. Setting the work -------------------------------------------------------------------------


def set_work(teacher: Session, facts: dict) -> int | None:
    """The teacher sets the essay to the class through the admin site, due in a week; its
    announcement to the class is queued for now. Returns the set work's id."""
    now = datetime.now(CLASSROOM_CLOCK)
    status, headers = post_admin_form(
        teacher,
        "/admin/essays/assignment/add/",
        "assignment_form",
        group=str(facts["group"]),
        essay=str(facts["essay"]),
        set_at=f"{now:%Y-%m-%dT%H:%M}",
        due_at=f"{now + timedelta(days=3):%Y-%m-%dT%H:%M}",
        instructions="Write under timed conditions; hand in by the end of the lesson.",
    )
    found = re.search(r"/assignment/(\d+)/board/", headers.get("Location", ""))
    return int(found.group(1)) if status == 302 and found else None


# 2. The class writes -------------------------------------------------------------------------


def run_student(n, username, session_key, ports, work, saves, barrier, outcome, lock):
    """One student, alternating between the servers from request to request."""
    cookies, log = {"sessionid": session_key}, []
    clients = [
        StudentClient(f"http://127.0.0.1:{port}", forwarded_https=True, cookies=cookies, log=log)
        for port in ports
    ]
    on = lambda step: clients[(n + step) % len(clients)]  # noqa: E731
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=300)
    slug, assignment = work["slug"], work["assignment"]
    classes = on(0).request("classes page", "GET", "/classes/")
    sees_work = f'name="assignment" value="{assignment}"'.encode() in classes.body
    start = on(1).request(
        "start",
        "POST",
        f"/essays/{slug}/respond/new/",
        urlencode({"assignment": assignment, "csrfmiddlewaretoken": cookies.get("csrftoken", "")}),
        FORM,
    )
    version, response_id, last_ack = 0, None, None
    for save in range(saves):
        body = f"{username}, paragraph {save}: Stalin wanted security above all. " * (save + 1)
        result, data = on(2 + save).autosave(slug, body, 1, version)
        if result.status == 200:
            version, response_id, last_ack = data["version"], data["response"], body
    submits = []
    if response_id is not None:
        double = n % 2 == 0
        clicks = [
            threading.Thread(
                target=lambda c: submits.append(c.submit(slug, response_id, version)),
                args=(client,),
            )
            for client in (clients if double else [on(2 + saves)])
        ]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join()
    with lock:
        outcome["log"].extend(log)
        outcome["students"][username] = {
            "sees_work": sees_work,
            "started": start.status == 302,
            "last_ack": last_ack,
            "version": version,
            "double": response_id is not None and n % 2 == 0,
            "submitted": sum(
                1
                for r in submits
                if r.status == 302 and "/responses/" in r.headers.get("Location", "")
            ),
        }


def class_writes(env, ports, work, sessions, saves, checks) -> dict:
    outcome = {"log": [], "students": {}}
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions))
    threads = [
        threading.Thread(
            target=run_student,
            args=(n, username, key, ports, work, saves, barrier, outcome, lock),
        )
        for n, (username, key) in enumerate(sorted(sessions.items()))
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    found = call(env, "read_scale_work", work["essay"])
    students, log = outcome["students"], outcome["log"]
    statuses = collections.Counter(status for _, status, _ in log)
    acked = {u: s for u, s in students.items() if s["last_ack"] is not None}
    saves_found = sum(
        1
        for u, s in acked.items()
        if any(
            r["body"] == s["last_ack"] and r["version"] == s["version"] for r in found.get(u, [])
        )
    )
    one_each = sum(1 for rows in found.values() if len(rows) == 1)
    for_the_work = sum(
        1 for rows in found.values() for r in rows if r["assignment_id"] == work["assignment"]
    )
    submitted_rows = sum(1 for rows in found.values() for r in rows if r["status"] == "submitted")
    submits_acked = sum(1 for s in students.values() if s["submitted"])
    doubles = sum(1 for s in students.values() if s["double"])
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    timings = sorted(seconds for what, _, seconds in log if what in ("autosave", "submit"))

    print(f"  {len(sessions)} students, {len(log)} requests in {elapsed:.1f} s "
          f"({len(log) / elapsed:.0f} req/s); statuses "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))  # fmt: skip
    if timings:
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        print(f"  autosave and submit latency: p50 {statistics.median(timings) * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms")  # fmt: skip
    n = len(sessions)
    checks("no 5xx and no unanswered request", server_errors == 0, f"{server_errors}")
    checks(
        "every student saw the set work on the classes page and started it",
        all(s["sees_work"] and s["started"] for s in students.values()),
        f"{sum(s['sees_work'] for s in students.values())} saw it, "
        f"{sum(s['started'] for s in students.values())} started it, of {n}",
    )
    checks(
        "every acknowledged save is in the database (last text and version)",
        len(acked) == n and saves_found == len(acked),
        f"{saves_found} found of {len(acked)} acknowledged",
    )
    checks(
        "one response per student, for the set work",
        one_each == n == len(found) and for_the_work == n,
        f"{one_each} students with one response, {for_the_work} for the set work",
    )
    checks(
        "one submission per student, each acknowledged",
        submitted_rows == submits_acked == n,
        f"{submits_acked} acknowledged, {submitted_rows} submitted rows "
        f"({doubles} students submitted on both servers at once)",
    )
    return {"requests": len(log), "seconds": elapsed, "statuses": dict(statuses)}


def connections_open(url: str) -> int:
    """How many connections to the database other than this one are open."""
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [urlsplit(url).path.lstrip("/")],
        ).fetchone()[0]


# 3. An editor's change reaches visitors on every server ------------------------------------


def page_keys(redis_url: str) -> int:
    return sum(1 for _ in redis.Redis.from_url(redis_url).scan_iter("*studyhub:page:*"))


def visitors_see(ports, path: str, text: str) -> list[bool]:
    """Does a visitor (not signed in) fetching `path` from each server see `text`?"""
    seen = []
    for port in ports:
        status, page, _ = Session(port).send("GET", path)
        seen.append(status == 200 and text.encode() in page)
    return seen


def editor_changes_reach_visitors(env, ports, facts, checks) -> None:
    path = f"/essays/{facts['visitor_slug']}/"
    original = facts["visitor_headline"]
    for _ in range(2):  # the second visit of each server is served from the cache
        before = visitors_see(ports, path, original)
    cached = page_keys(env["REDIS_URL"])
    checks(
        "visitors see the essay on both servers, kept in Redis",
        all(before) and cached > 0,
        f"{cached} whole pages in Redis",
    )

    editor = Session(ports[0])
    editor.log_in("scale-editor", PASSWORD, admin=True)
    in_admin = f"{original} (revised in the admin)"
    status, _ = post_admin_form(
        editor,
        f"/admin/essays/essay/{facts['visitor_essay']}/change/",
        "essay_form",
        headline=in_admin,
    )
    after = visitors_see(ports, path, in_admin)
    checks(
        "an edit in the admin on server 1 shows at once on both servers",
        status == 302 and all(after),
        f"admin answered {status}; server 1 {after[0]}, server 2 {after[1]}",
    )

    in_shell = f"{original} (revised from a shell)"
    call(env, "rename_essay", facts["visitor_essay"], in_shell)
    after = visitors_see(ports, path, in_shell)
    checks(
        "an Essay.save() in another process shows at once on both servers",
        all(after),
        f"server 1 {after[0]}, server 2 {after[1]}",
    )

    # Redis restarted as the README configures it (no snapshots) comes back empty.
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    after = visitors_see(ports, path, in_shell)
    again = f"{original} (revised after Redis restarted)"
    status, _ = post_admin_form(
        editor,
        f"/admin/essays/essay/{facts['visitor_essay']}/change/",
        "essay_form",
        headline=again,
    )
    after += visitors_see(ports, path, again)
    checks(
        "after Redis restarts empty, both servers show the essay, and the next edit at once",
        status == 302 and all(after),
        f"before the edit {after[:2]}, after it {after[2:]}",
    )


# 4. Emails: each exactly once with two workers ---------------------------------------------


def release_marks(env, teacher: Session, assignment: int) -> int:
    """The teacher, having marked the pile, releases every mark at once from the board."""
    call(env, "mark_handed_in", assignment)
    token = teacher.cookies["csrftoken"]
    form = {"confirm": "yes", "redraft_due_at": "", "csrfmiddlewaretoken": token}
    status, _, _ = teacher.send(
        "POST", f"/admin/essays/assignment/{assignment}/release/", urlencode(form), FORM
    )
    return status


def wait_for_queue(env, expected_emails: int, timeout: float = 600) -> dict:
    """The task queue once every email is queued and every task has finished (or the time is
    up)."""
    deadline = time.monotonic() + timeout
    while True:
        queue = call(env, "task_queue")
        queued = sum(queue["counts"].get("send_email", {}).values())
        if (queued >= expected_emails and not queue["unfinished"]) or time.monotonic() > deadline:
            return queue
        time.sleep(2)


def header(message, name: str) -> str:
    return " ".join(str(make_header(decode_header(message[name] or ""))).split())


def emails_once_each(env, sink, assignment, students, worker_ids, release_status, checks):
    subjects = call(env, "expected_subjects", assignment)
    expected = {
        (f"scale-student-{n}@example.com", subject)
        for n in range(1, students + 1)
        for subject in subjects.values()
    }
    started = time.monotonic()
    queue = wait_for_queue(env, len(expected))
    time.sleep(1)  # the last message is recorded as the worker hears "250 queued"
    waited = time.monotonic() - started
    received = collections.Counter(
        (header(message, "To"), header(message, "Subject")) for message in sink.messages
    )
    twice = sum(1 for key, count in received.items() if count > 1)
    missing = len(expected - set(received))
    unexpected = len(set(received) - expected)
    send = queue["counts"].get("send_email", {})
    announce = queue["counts"].get("announce_set_work", {})
    print(f"  queue drained {waited:.0f} s after the release; tasks by worker: "
          + ", ".join(f"{w}: {n}" for w, n in sorted(queue["by_worker"].items())))  # fmt: skip
    checks("the release was accepted", release_status == 302, f"answered {release_status}")
    checks(
        "every expected email received exactly once",
        not missing and not twice and not unexpected and sum(received.values()) == len(expected),
        f"{sum(received.values())} received for {len(expected)} expected; {missing} missing, "
        f"{twice} twice, {unexpected} unexpected",
    )
    checks(
        "every task finished successfully, none claimed twice",
        set(send) == {"SUCCESSFUL"} and set(announce) == {"SUCCESSFUL"}
        and send["SUCCESSFUL"] == len(expected) and not queue["claimed_twice"],
        f"send_email {send}, announce_set_work {announce}, claimed twice {queue['claimed_twice']}",
    )  # fmt: skip
    checks(
        "both workers took tasks",
        set(queue["by_worker"]) == set(worker_ids),
        ", ".join(sorted(queue["by_worker"])),
    )


# 5. One server against two -----------------------------------------------------------------


def wrk(port: int, path: str, seconds: float, connections: int, cookie: str) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency",
         "-H", "Host: 127.0.0.1", "-H", "X-Forwarded-Proto: https", "-H", f"Cookie: {cookie}",
         f"http://127.0.0.1:{port}{path}"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def milliseconds(wrk_time: str) -> float:
    """wrk's "419.85ms", "1.02s" or "950.00us" in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", wrk_time).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk_across(ports, path, seconds, connections, cookie) -> dict:
    """wrk against each server at once, the connections shared out between them: requests a
    second in all, the slowest server's p50, and answers other than 2xx/3xx (or none)."""
    runs = [wrk(port, path, seconds, connections // len(ports), cookie) for port in ports]
    outputs = [run.communicate()[0] for run in runs]
    rps = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)) for out in outputs)
    bad = sum(
        int(number)
        for out in outputs
        for found in re.finditer(r"Non-2xx or 3xx responses:\s+(\d+)|Socket errors:(.*)", out)
        for number in re.findall(r"\d+", found.group(0).split(":", 1)[1])
    )
    p50 = max(milliseconds(re.search(r"50%\s+([\d.]+\w+)", out).group(1)) for out in outputs)
    return {"rps": rps, "p50": p50, "bad": bad}


def autosaves_across(ports, sessions, slug, seconds) -> dict:
    """Autosaves from one thread per student session, the sessions shared out between the
    servers, for `seconds`: requests a second, p50, and answers other than 200."""
    request = autosave_request(slug)
    clients = []
    for index, cookies in enumerate(sessions):
        client = signed_in_session(ports[index % len(ports)], dict(cookies))
        client.send("GET", f"/essays/{slug}/respond/")  # the editor: its CSRF cookie
        clients.append(client)
    latencies, statuses, lock = [], collections.Counter(), threading.Lock()
    deadline = time.monotonic() + seconds

    def work(client, index):
        n = 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            status = request(client, index, n)
            with lock:
                latencies.append(time.perf_counter() - start)
                statuses[status] += 1
            n += 1

    threads = [threading.Thread(target=work, args=(c, i)) for i, c in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "bad": sum(n for status, n in statuses.items() if status != 200),
    }


def one_against_two(ports, slug, sessions, args, checks) -> dict:
    """The same load on one server, then shared between two, `args.rounds` times in turn (the
    machine is shared: turns even out what else it is doing). Each autosave run has students
    of its own, with no draft of the essay yet."""
    names = sorted(sessions, key=lambda u: int(u.rsplit("-", 1)[1]))
    page_cookie = f"sessionid={sessions[names[0]]}"
    writers = [{"sessionid": sessions[u]} for u in names[1:]]
    plan = [("one server", ports[:1]), ("two servers", ports)] * args.rounds
    runs = collections.defaultdict(lambda: collections.defaultdict(list))
    for n, (label, servers) in enumerate(plan):
        page = wrk_across(servers, "/classes/", args.seconds, args.connections, page_cookie)
        own = writers[n * args.connections : (n + 1) * args.connections]
        saves = autosaves_across(servers, own, slug, args.seconds)
        runs[label]["classes page (signed in)"].append(page)
        runs[label]["autosave POST"].append(saves)
    print(f"  {'':<26}{'one server':>24}{'two servers':>24}   two / one")
    for page in runs["one server"]:
        cells = []
        for label in ("one server", "two servers"):
            rps = statistics.mean(r["rps"] for r in runs[label][page])
            p50 = statistics.median(r["p50"] for r in runs[label][page])
            cells.append((rps, f"{rps:>8.1f} req/s {p50:>6.0f} ms"))
        each = " | ".join("/".join(f"{r['rps']:.0f}" for r in runs[label][page]) for label in runs)
        print(f"  {page:<26}{cells[0][1]:>24}{cells[1][1]:>24}   "
              f"x{cells[1][0] / cells[0][0]:.2f}  (each run: {each})")  # fmt: skip
    bad = sum(r["bad"] for by_page in runs.values() for rs in by_page.values() for r in rs)
    checks("every throughput request answered 2xx", bad == 0, f"{bad} others")
    return runs


def describe_commit() -> str:
    """The commit measured, and whether the checkout differs from it."""
    git = lambda *args: subprocess.run(  # noqa: E731
        ["git", *args], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


# The run -------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-db", type=int, default=13, help="a Redis database of its own")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--saves", type=int, default=5, help="autosaves per student")
    parser.add_argument("--seconds", type=float, default=10, help="per throughput measurement")
    parser.add_argument("--connections", type=int, default=8, help="for throughput")
    parser.add_argument("--rounds", type=int, default=2, help="of one server, then two")
    args = parser.parse_args()
    if args.connections * 2 * args.rounds >= args.students:
        parser.error("--students must outnumber the autosave throughput runs' connections.")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL database: several servers share it.")
    return args


def environment(args, sink: FakeSMTPServer) -> dict:
    """Production settings on the database, the shared Redis and the recording mail server."""
    env = production_env(args.database_url)
    env.pop("CACHE_URL", None)  # it would win over REDIS_URL
    env.update(
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_USE_TLS="0",
        DEFAULT_FROM_EMAIL="StudyHub <studyhub@example.org>",
    )
    return env


def start_servers_and_workers(stack, env, workdir, worker_ids) -> list[int]:
    """Two gunicorn servers of 2 workers and the task workers, stopped when `stack` closes.
    Returns the servers' ports."""
    ports = [
        stack.enter_context(gunicorn(env, workdir / f"gunicorn-{n}.log", workers=2)) for n in (1, 2)
    ]
    for worker in worker_ids:
        stack.enter_context(task_worker(env, workdir / f"{worker}.log", worker))
    print(f"servers on ports {ports[0]} and {ports[1]} (2 gunicorn workers each), "
          f"task workers {', '.join(worker_ids)}")  # fmt: skip
    return ports


def teacher_sets_work(ports, facts, sessions, watched, checks) -> tuple[Session, int | None]:
    """The teacher signs in to the admin site on server 2 and sets the work; the watched
    students' navs, read on both servers before, must count it at once."""
    before = navs_show(ports, sessions, watched, DUE_THIS_WEEK)
    teacher = Session(ports[1])
    teacher.log_in("scale-teacher", PASSWORD, admin=True)
    assignment = set_work(teacher, facts)
    if checks("the work was set", assignment is not None):
        after = navs_show(ports, sessions, watched, DUE_THIS_WEEK)
        checks(
            "students' navs count the new work at once on both servers",
            not any(before) and all(after),
            f"before {sum(before)} of {len(before)} pages, after {sum(after)}",
        )
    return teacher, assignment


def teacher_releases_marks(env, ports, teacher, assignment, sessions, watched, checks) -> int:
    """The teacher releases the marks on server 1; the watched students' navs, read on both
    servers before, must count the marked work at once. Returns the release's status."""
    before = navs_show(ports, sessions, watched, NEWLY_MARKED)
    status = release_marks(env, signed_in_session(ports[0], teacher.cookies), assignment)
    after = navs_show(ports, sessions, watched, NEWLY_MARKED)
    checks(
        "students' navs count their marked work at once on both servers",
        not any(before) and all(after),
        f"before {sum(before)} of {len(before)} pages, after {sum(after)}",
    )
    return status


def main() -> int:
    args = arguments()
    workdir = Path(tempfile.mkdtemp(prefix="studyhub-scale-"))
    with FakeSMTPServer() as sink, contextlib.ExitStack() as stack:
        sink.release()
        env = environment(args, sink)
        print(f"StudyHub scale-out check, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit "
              f"{describe_commit()}, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.2f}")  # fmt: skip
        print(f"database {args.database_url.split('@')[-1]}, Redis {env['REDIS_URL']}, "
              f"mail server 127.0.0.1:{sink.port}, logs in {workdir}")  # fmt: skip
        started = time.monotonic()
        env, facts = prepare(env, args, workdir)
        print(f"prepared in {time.monotonic() - started:.0f} s: the library, a class of "
              f"{args.students} students, a teacher and an editor")  # fmt: skip
        checks = Checks()
        worker_ids = ["worker-1", "worker-2"]
        ports = start_servers_and_workers(stack, env, workdir, worker_ids)
        usernames = [f"scale-student-{n}" for n in range(1, args.students + 1)]
        sessions = call(env, "sign_in", usernames)
        watched = usernames[:5]

        print("\n1. The teacher sets the essay to the class (admin, server 2)")
        teacher, assignment = teacher_sets_work(ports, facts, sessions, watched, checks)
        if assignment is None:
            return 1

        print(f"\n2. The class writes and submits, alternating servers ({args.saves} "
              "autosaves each; every other one submits on both servers at once)")  # fmt: skip
        work = {**facts, "assignment": assignment}
        load = class_writes(env, ports, work, sessions, args.saves, checks)
        print(f"  PostgreSQL connections open after the load: "
              f"{connections_open(env['DATABASE_URL'])} (DJANGO_CONN_MAX_AGE "
              f"{os.environ.get('DJANGO_CONN_MAX_AGE', '60 (default)')})")  # fmt: skip

        print("\n3. An editor changes an essay that visitors have cached on both servers")
        editor_changes_reach_visitors(env, ports, facts, checks)

        print("\n4. The teacher releases the marks (admin, server 1); two workers send")
        status = teacher_releases_marks(env, ports, teacher, assignment, sessions, watched, checks)
        emails_once_each(env, sink, assignment, args.students, worker_ids, status, checks)

        print(f"\n5. Throughput, one server against two ({args.connections} connections, "
              f"{args.seconds:.0f} s each; {os.cpu_count()} cores shared by all)")  # fmt: skip
        fresh = call(env, "sign_in", usernames[: 1 + args.connections * 2 * args.rounds])
        one_against_two(ports, facts["visitor_slug"], fresh, args, checks)

        stack.close()  # servers and workers stopped
        print(f"\nload average at the end {os.getloadavg()[0]:.2f}; "
              f"{time.monotonic() - started:.0f} s in all; {load['requests']} requests in the "
              "class's load")  # fmt: skip
        if checks.failed:
            print(f"RESULT: FAILED ({len(checks.failed)}): " + "; ".join(checks.failed))
            return 1
        print("RESULT: nothing lost, nothing doubled, no stale page, every email once")
        return 0


if __name__ == "__main__":
    sys.exit(main())
