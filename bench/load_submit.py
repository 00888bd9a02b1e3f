"""The bell rings: a class autosaves and submits at the same moment. Does anything get lost?

    .venv/bin/python bench/load_submit.py [--students 50] [--saves 10] [--seconds 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_load \
        .venv/bin/python bench/load_submit.py

Starts StudyHub under gunicorn (2 workers, production settings by way of bench.settings, behind
a simulated HTTPS proxy) on a fresh database (a new SQLite file by default; with DATABASE_URL,
that PostgreSQL database is emptied and migrated first), signs in the students, then has all of
them autosave repeatedly and submit (twice at once, like a double click), within a time limit.
It then reads the database and prints: requests sent, responses by status, saves acknowledged
against saves found, submissions acknowledged against submitted rows, duplicates, "database is
locked" errors, and p50/p99 latency. It exits 1 if anything was lost, doubled, or answered with
a 5xx.
"""

import argparse
import collections
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import call, gunicorn, manage, production_env
from tests.http_client import StudentClient

PASSWORD = "bell-rings-at-three"
SLUG = "load-test-essay"


def prepare_database(env, students: int) -> None:
    if env["DATABASE_URL"].startswith("postgres"):
        manage(env, "flush", "--no-input")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    call(env, "prepare_load_students", students, SLUG, PASSWORD)


def run_student(n, url, saves, deadline, barrier, outcome, lock):
    client = StudentClient(url, forwarded_https=True)
    username = f"load{n}"
    logged_in = client.log_in(username, PASSWORD)
    # Start together; a student whose login failed still releases the others.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=120)
    attempt, version, response_id, last_ack = 1, 0, None, None
    if logged_in:
        for save in range(saves):
            if time.monotonic() > deadline:
                break
            body = f"{username}: point {save}. " * (save + 1)
            result, data = client.autosave(SLUG, body, attempt, version)
            if result.status == 200:
                version, response_id, last_ack = data["version"], data["response"], body
        if response_id is not None and time.monotonic() < deadline:
            clicks = [
                threading.Thread(target=client.submit, args=(SLUG, response_id, version))
                for _ in range(2)
            ]
            for click in clicks:
                click.start()
            for click in clicks:
                click.join()
    with lock:
        outcome["log"].extend(client.log)
        outcome["acknowledged"][username] = last_ack
        outcome["logged_in"] += logged_in
        outcome["submitted_ok"][username] = sum(
            1 for what, status, _ in client.log if what == "submit" and status == 302
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--saves", type=int, default=10, help="autosaves per student")
    parser.add_argument("--seconds", type=float, default=60, help="time limit for the load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="studyhub-load-"))
    env = production_env(os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'load.sqlite3'}")
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}")
    prepare_database(env, args.students)

    log_path = workdir / "gunicorn.log"
    with gunicorn(env, log_path, workers=args.workers) as port:
        url = f"http://127.0.0.1:{port}"
        outcome = {"log": [], "acknowledged": {}, "submitted_ok": {}, "logged_in": 0}
        lock = threading.Lock()
        barrier = threading.Barrier(args.students)
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=run_student,
                args=(n, url, args.saves, deadline, barrier, outcome, lock),
            )
            for n in range(args.students)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 180)
        elapsed = time.monotonic() - started

    found = call(env, "count_load_results", SLUG)
    rows = {row["student__username"]: row for row in found["rows"]}
    log = outcome["log"]
    statuses = collections.Counter(status for _, status, _ in log)
    load = [s for what, _, s in log if what in ("autosave", "submit")]
    acked = {u: body for u, body in outcome["acknowledged"].items() if body is not None}
    saves_found = sum(1 for u, body in acked.items() if rows.get(u, {}).get("body") == body)
    submits_acked = sum(1 for n in outcome["submitted_ok"].values() if n)
    submitted_rows = sum(1 for row in rows.values() if row["status"] == "submitted")
    locked = log_path.read_text().count("database is locked")
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)

    print(f"students {args.students} (logged in {outcome['logged_in']}), "
          f"gunicorn workers {args.workers}, {elapsed:.1f} s")  # fmt: skip
    print(f"requests sent            {len(log)}")
    print("responses by status      " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"saves acknowledged       {len(acked)} students' last saves; found in the database: "
          f"{saves_found}")  # fmt: skip
    print(f"submissions acknowledged {submits_acked}; submitted rows: {submitted_rows}")
    print(f"duplicates               {max(0, found['most_per_student'] - 1)} "
          "(most responses for one student, less one)")  # fmt: skip
    print(f"'database is locked'     {locked}")
    if load:
        ordered = sorted(load)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"latency (saves, submits) p50 {statistics.median(load) * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms")  # fmt: skip
    failed = (
        server_errors
        or locked
        or saves_found != len(acked)
        or submitted_rows != submits_acked
        or found["most_per_student"] > 1
    )
    print("RESULT: " + ("FAILED" if failed else "nothing lost, nothing duplicated, no 5xx"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
