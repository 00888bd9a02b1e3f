"""Signed-in pages under wrk, each against a bare Django view measured in the same run.

    .venv/bin/python bench/signed_in.py                       # SQLite, data generated afresh
    .venv/bin/python bench/signed_in.py --reuse sqlite:////tmp/data/big.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_bench .venv/bin/python \
        bench/signed_in.py

Fills a fresh database with `generate_load_data --classes` (10,000 essays, 2,000 students,
200,000 responses, about 70 classes of 29 with 20 pieces of set work each; with DATABASE_URL
the named PostgreSQL database is emptied first), or with `--reuse URL` uses data generated
before (a SQLite file is copied first, so the original is left as it was; a PostgreSQL database
is used in place and gains the benchmark's users and drafts). It then serves StudyHub with
gunicorn (2 workers, production settings by way of bench.settings, every request marked
`X-Forwarded-Proto: https` as a TLS proxy would send it; Redis, `--redis-db`, emptied first, as
the shared cache and the sessions' store, as production has it) and runs Debian's wrk against
each page (`-t2 -c16`, keep-alive) for `--seconds`: the bare view first and last, the
visitors' pages, and the pages a signed-in student uses, each with that student's session
cookie. The autosave
POSTs come from a wrk Lua script: 64 students take turns, each sending its draft's current
version, so every save is a real one (a 409 would show in the statuses).

It prints requests/s, latency and each page's throughput as a share of the bare view's (the
mean of the two bare runs), the median latency one request at a time, and the workers' CPU
time per request (steadier than throughput when the machine runs other work).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Session, call, gunicorn, manage, production_env

PASSWORD = "generated-student-password"  # generate_load_data's, used for ours too
WRITERS = 64
GENERATE = ["--essays", "10000", "--students", "2000", "--responses", "200000",
            "--classes", "--class-size", "29", "--assignments-per-class", "20"]  # fmt: skip
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}

AUTOSAVE_LUA = """
local writers = {WRITERS}
local mine, by_draft, turn = {}, {}, 0
local text = string.rep("A paragraph the student is writing against the clock. ", 40)

function setup(thread)
  thread:set("parity", setup_count or 0)
  setup_count = (setup_count or 0) + 1
end

function init(args)
  for index, writer in ipairs(writers) do
    if index % 2 == parity then
      table.insert(mine, writer)
      by_draft[writer.draft] = writer
    end
  end
end

function request()
  turn = turn + 1
  local writer = mine[(turn % #mine) + 1]
  local body = string.format('{"body": "%s %d", "attempt": %d, "version": %d}',
                             text, turn, writer.attempt, writer.version)
  return wrk.format("POST", "/essays/" .. writer.slug .. "/respond/autosave/", {
    ["Host"] = "127.0.0.1",
    ["X-Forwarded-Proto"] = "https",
    ["Origin"] = "https://127.0.0.1",
    ["Content-Type"] = "application/json",
    ["Cookie"] = writer.cookie,
    ["X-CSRFToken"] = writer.csrf,
  }, body)
end

function response(status, headers, body)
  local draft = tonumber(string.match(body, '"response": (%d+)'))
  local version = tonumber(string.match(body, '"version": (%d+)'))
  if draft and version and by_draft[draft] then
    by_draft[draft].version = version
  end
end
"""


def wrk(port: int, path: str, seconds: float, headers: dict, script: Path | None = None,
        connections: int = 16, threads: int = 2) -> dict:  # fmt: skip
    """Run wrk against one page; its requests/s, latency percentiles and non-2xx/3xx count."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{path}")
    cpu_before = worker_cpu_seconds(port)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = worker_cpu_seconds(port) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50": milliseconds(percentiles.get("50", "0ms")),
        "p99": milliseconds(percentiles.get("99", "0ms")),
        "bad": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        # The server's own CPU time for one request: steadier than throughput on a machine
        # whose other work comes and goes (the master process counts too, but idles).
        "cpu_ms": cpu * 1000 / requests if requests else 0,
    }


def worker_cpu_seconds(port: int) -> float:
    """CPU time used so far by the gunicorn workers serving `port` (user and system)."""
    found = subprocess.run(
        ["pgrep", "-f", "--", f"--bind 127.0.0.1:{port}"], capture_output=True, text=True
    ).stdout.split()
    ticks = 0
    for pid in found:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def milliseconds(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def alone(session: Session, path: str, seconds: float) -> float:
    """Median milliseconds of one request at a time for `seconds`."""
    timings, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline or len(timings) < 5:
        start = time.perf_counter()
        status, _, _ = session.send("GET", path)
        timings.append((time.perf_counter() - start) * 1000)
        if status != 200:
            sys.exit(f"{path} answered {status}")
    return statistics.median(timings)


def signed_in_session(port: int, username: str) -> tuple[Session, dict]:
    session = Session(port)
    session.log_in(username, PASSWORD)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return session, {**HEADERS, "Cookie": cookie}


def check(session: Session, path: str, expect: bytes | None = None) -> None:
    """Each page is fetched once before it is measured: it must answer 200 with what it shows."""
    status, body, _ = session.send("GET", path)
    if status != 200 or (expect and expect not in body):
        sys.exit(f"{path} answered {status} without {expect!r}: not measured")


def prepare_database(args, workdir: Path) -> str:
    url = args.reuse or os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'pages.sqlite3'}"
    env = production_env(url)
    if args.reuse and url.startswith("sqlite:///"):
        source = Path(url.removeprefix("sqlite:///"))
        copy = workdir / "pages.sqlite3"
        # The write-ahead log first: the copy must hold everything the source does.
        subprocess.run(["sqlite3", str(source), "PRAGMA wal_checkpoint(TRUNCATE);"], check=False)
        shutil.copyfile(source, copy)
        return f"sqlite:///{copy}"
    if not args.reuse:
        if url.startswith("postgres"):
            manage(env, "flush", "--no-input")
        manage(env, "migrate", "--no-input", "-v", "0")
        started = time.monotonic()
        manage(env, "generate_load_data", *GENERATE, "--force")
        print(f"generated in {time.monotonic() - started:.0f} s")
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", help="database URL of data generated before")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's time per page")
    parser.add_argument("--pages", help="only these pages (comma-separated labels' first words)")
    parser.add_argument(
        "--redis-db", type=int, default=12, help="the Redis database to use (emptied first)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="studyhub-signed-in-"))
    url = prepare_database(args, workdir)
    env = production_env(url)
    env["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    # As in production: one Redis shared by the workers, holding sessions and kept pages.
    env["CACHE_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    facts = call(env, "prepare_signed_in", PASSWORD, WRITERS)
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{database}: {facts['essays']:,} essays, {facts['responses']:,} responses, "
          f"{facts['classes']} classes; the student has {facts['student_responses']} responses; "
          f"wrk -t2 -c16 -d{args.seconds:g}s; {os.cpu_count()} cores shared by server and wrk; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip

    with gunicorn(env, workdir / "gunicorn.log") as port:
        slug = facts["essay"]
        student, student_headers = signed_in_session(port, facts["student"])
        small, small_headers = signed_in_session(port, "bench-mywork-20")
        large, large_headers = signed_in_session(port, "bench-mywork-500")
        visitor = Session(port)
        # The writers' sessions are made directly (64 password checks would take a minute);
        # the editor page gives each its CSRF cookie, as it does a student.
        keys = call(env, "sign_in", [writer["username"] for writer in facts["writers"]])
        writers, writer_sessions = [], []
        for writer in facts["writers"]:
            session = Session(port)
            session.cookies["sessionid"] = keys[writer["username"]]
            check(session, f"/essays/{slug}/respond/", b"<textarea")
            cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
            writer_sessions.append((session, {**HEADERS, "Cookie": cookie}))
            writers.append({**writer, "slug": slug, "cookie": cookie,
                            "csrf": session.cookies["csrftoken"]})  # fmt: skip
        lua = workdir / "autosave.lua"
        lua.write_text(AUTOSAVE_LUA.replace("{WRITERS}", lua_table(writers)))

        pages = [
            ("bare Django view", "/bench/bare", visitor, HEADERS, None, None),
            ("essay (visitor)", f"/essays/{slug}/", visitor, HEADERS, None, None),
            ("catalogue (visitor)", "/", visitor, HEADERS, None, None),
            ("essay (signed in)", f"/essays/{slug}/", student, student_headers, b"Log out", None),
            # The editor as a student with a draft in it (one who autosaves below).
            ("editor", f"/essays/{slug}/respond/", *writer_sessions[0], b"<textarea", None),
            ("catalogue (signed in)", "/", student, student_headers, b"Log out", None),
            ("My work (20)", "/responses/", small, small_headers, b"Log out", None),
            ("My work (500)", "/responses/", large, large_headers, b"Log out", None),
            ("classes", "/classes/", student, student_headers, b"Log out", None),
            ("progress", "/progress/", student, student_headers, b"Log out", None),
            ("autosave POST", f"/essays/{slug}/respond/autosave/", None, {}, None, lua),
            ("bare Django view (again)", "/bench/bare", visitor, HEADERS, None, None),
        ]
        if args.pages:
            wanted = args.pages.split(",")
            pages = [p for p in pages if p[0].startswith("bare") or p[0].split()[0] in wanted]
        results = {}
        for label, path, session, headers, expect, script in pages:
            if session is not None:
                check(session, path, expect)
            results[label] = wrk(port, path, args.seconds, headers, script)
            results[label]["alone"] = (
                alone(session, path, min(3.0, args.seconds / 2)) if session else None
            )

    bare = statistics.mean(
        [results["bare Django view"]["rps"], results["bare Django view (again)"]["rps"]]
    )
    bare_cpu = statistics.mean(
        [results["bare Django view"]["cpu_ms"], results["bare Django view (again)"]["cpu_ms"]]
    )
    print(f"{'page':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of bare':>9}{'alone':>9}"
          f"{'cpu ms':>9}{'bare/cpu':>9}  bad")  # fmt: skip
    for label, result in results.items():
        one = f"{result['alone']:.1f}" if result["alone"] is not None else "-"
        bad = f"{result['bad']} {result['socket_errors']}"
        print(f"{label:<26}{result['rps']:>9.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}"
              f"{result['rps'] / bare:>9.2f}{one:>9}{result['cpu_ms']:>9.2f}"
              f"{bare_cpu / result['cpu_ms'] if result['cpu_ms'] else 0:>9.2f}  {bad}")  # fmt: skip
    print("(of bare: throughput against the mean of the two bare runs; alone: median ms, one "
          "at a time; cpu ms: the workers' CPU a request; bare/cpu: the bare view's CPU a "
          "request over the page's; bad: non-2xx/3xx answers)")  # fmt: skip
    return 0


def lua_table(writers: list[dict]) -> str:
    rows = []
    for writer in writers:
        fields = [f"{key} = {json.dumps(value)}" for key, value in writer.items()]
        rows.append("{" + ", ".join(fields) + "}")
    return "{\n  " + ",\n  ".join(rows) + "\n}"


if __name__ == "__main__":
    sys.exit(main())
