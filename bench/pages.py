"""How fast StudyHub's pages are, against a bare Django view, at two sizes of library.

    .venv/bin/python bench/pages.py [--sizes small,large] [--seconds 5] [--concurrency 8]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_bench .venv/bin/python bench/pages.py

For each size it fills a fresh database with `generate_load_data` (small: 100 essays, 50
students, 1,000 responses; large: 10,000 essays, 2,000 students, 200,000 responses), starts
gunicorn (2 workers, production settings: DEBUG off, HTTPS redirect and secure cookies on,
requests marked `X-Forwarded-Proto: https` as a TLS-terminating proxy would; bench.settings,
which adds the bare view at /bench/bare), and sends requests to each page for a fixed time
from a Python load generator with keep-alive connections. It prints requests/s, p50 and p99
latency and each page's throughput as a share of the bare view's, the median latency of one
request at a time ("alone": what a user waits on a quiet server, which the latency targets are
about), then the bytes an essay page transfers.
With DATABASE_URL the named PostgreSQL database is emptied first: use one kept for benchmarks.
"""

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Session, call, gunicorn, manage, production_env

SIZES = {
    "small": {"essays": 100, "students": 50, "responses": 1_000},
    "large": {"essays": 10_000, "students": 2_000, "responses": 200_000},
}
STUDENT_PASSWORD = "generated-student-password"  # generate_load_data's, used for ours too


def measure(port, seconds, concurrency, make_request, login=None):
    """Run make_request(session, n) from `concurrency` threads for `seconds`."""
    latencies, statuses, lock = [], {}, threading.Lock()
    sessions = []
    for index in range(concurrency):
        session = Session(port)
        if login:
            login(session, index)
        sessions.append(session)
    deadline = time.monotonic() + seconds

    def work(session, index):
        n = 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            status = make_request(session, index, n)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
            n += 1

    threads = [threading.Thread(target=work, args=(s, i)) for i, s in enumerate(sessions)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000 if ordered else 0,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else 0,
        "statuses": statuses,
    }


def get(path):
    return lambda session, index, n: session.send("GET", path)[0]


def varied_search(words):
    """A different two-word search on each request, so the visitors' page cache rarely helps:
    this is the cost of searching itself."""

    def request(session, index, n):
        first = words[(index * 7919 + n) % len(words)]
        second = words[(index * 104729 + n * 31) % len(words)]
        return session.send("GET", f"/?q={first}+{second}&page={1 + n % 2}")[0]

    return request


def autosave_request(slug):
    def request(session, index, n):
        if not hasattr(session, "version"):
            session.version, session.attempt = 0, 1
        body = json.dumps(
            {
                "body": f"Saved text {n} " * 200,
                "attempt": session.attempt,
                "version": session.version,
            }
        )
        status, data, _ = session.send(
            "POST",
            f"/essays/{slug}/respond/autosave/",
            body,
            {
                "Content-Type": "application/json",
                "X-CSRFToken": session.cookies.get("csrftoken", ""),
            },
        )
        if status == 200:
            answer = json.loads(data)
            session.version, session.attempt = answer["version"], answer["attempt"]
        return status

    return request


def submit_request(slug):
    """Each submission needs a fresh draft: save one (not timed), then time the submit."""

    def request(session, index, n):
        if not hasattr(session, "attempt"):
            session.attempt = 1
        status, data, _ = session.send(
            "POST",
            f"/essays/{slug}/respond/autosave/",
            json.dumps({"body": "An answer. " * 300, "attempt": session.attempt, "version": 0}),
            {"Content-Type": "application/json", "X-CSRFToken": session.cookies["csrftoken"]},
        )
        if status != 200:
            return status
        saved = json.loads(data)
        session.attempt = saved["attempt"] + 1
        session.timed_from = time.perf_counter()
        form = urlencode(
            {
                "response": saved["response"],
                "version": saved["version"],
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            }
        )
        return session.send(
            "POST",
            f"/essays/{slug}/respond/submit/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )[0]

    return request


def transfer_sizes(port, slug) -> dict:
    session = Session(port)
    _, html, _ = session.send("GET", f"/essays/{slug}/")
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    sizes = {"HTML": len(gzip.compress(html))}
    cache_headers = set()
    for asset in assets:
        _, data, headers = session.send(
            "GET", asset.decode(), headers={"Accept-Encoding": "gzip, br"}
        )
        sizes[asset.decode().rsplit("/", 1)[-1]] = len(data)
        cache_headers.add(headers.get("Cache-Control", ""))
    external = re.findall(rb'(?:href|src)="(https?://[^"]+)"', html)
    return {"sizes": sizes, "cache": cache_headers, "external": [e.decode() for e in external]}


def run_size(name, args, env, workdir):
    numbers = SIZES[name]
    if env["DATABASE_URL"].startswith("sqlite"):
        database = workdir / f"{name}.sqlite3"
        database.unlink(missing_ok=True)
        env = {**env, "DATABASE_URL": f"sqlite:///{database}"}
    else:
        manage(env, "flush", "--no-input")
    manage(env, "migrate", "--no-input", "-v", "0")
    started = time.monotonic()
    manage(
        env, "generate_load_data", "--essays", str(numbers["essays"]),
        "--students", str(numbers["students"]), "--responses", str(numbers["responses"]),
        "--force",
    )  # fmt: skip
    print(f"\n== {name}: {numbers['essays']:,} essays, {numbers['responses']:,} responses "
          f"(generated in {time.monotonic() - started:.0f} s)")  # fmt: skip
    facts = call(env, "prepare_pages", STUDENT_PASSWORD)

    with gunicorn(env, workdir / f"gunicorn-{name}.log") as port:
        slug = facts["essay"]
        student_login = lambda session, index: session.log_in(facts["student"], STUDENT_PASSWORD)  # noqa: E731
        bench_login = lambda session, index: session.log_in(  # noqa: E731
            f"bench-student-{index + 1}", STUDENT_PASSWORD
        )
        # Submitting needs students with no draft of this essay: not the ones that autosaved.
        submit_login = lambda session, index: session.log_in(  # noqa: E731
            f"bench-student-{index + 17}", STUDENT_PASSWORD
        )
        teacher_login = lambda session, index: session.log_in(  # noqa: E731
            "bench-teacher", STUDENT_PASSWORD, admin=True
        )
        pages = [
            ("bare Django view", get("/bench/bare"), None),
            ("catalogue", get("/"), None),
            ("catalogue, filtered", get(f"/?subject={facts['subject']}&tag={facts['tag']}"), None),
            ("search (cached)", get("/?q=treaty+revolution"), None),
            ("search, topic words", varied_search(facts["topic_words"]), None),
            ("search, common words", varied_search(facts["common_words"]), None),
            ("catalogue (signed in)", get("/"), student_login),
            ("essay (visitor)", get(f"/essays/{slug}/"), None),
            ("essay (signed in)", get(f"/essays/{slug}/"), student_login),
            ("My work", get("/responses/"), student_login),
            ("admin responses list", get("/admin/essays/response/"), teacher_login),
            ("autosave POST", autosave_request(slug), bench_login),
            ("submit POST", submit_request(slug), submit_login),
        ]
        results = {}
        for label, request, login in pages:
            results[label] = measure(port, args.seconds, args.concurrency, request, login)
            # The latency of one request at a time: what a user waits for on a quiet server.
            alone = measure(port, max(1.0, args.seconds / 2), 1, request, login)
            results[label]["alone"] = alone["p50"]
        sizes = transfer_sizes(port, slug)

    bare = results["bare Django view"]["rps"]
    print(f"{'page':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of bare':>9}{'alone':>9}"
          "  statuses")  # fmt: skip
    for label, result in results.items():
        share = result["rps"] / bare if bare else 0
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items()))
        print(f"{label:<24}{result['rps']:>9.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}"
              f"{share:>8.0%}{result['alone']:>9.1f}  {statuses}")  # fmt: skip
    print(f"(req/s, p50 and p99 with {args.concurrency} connections at once; 'alone': p50 ms "
          "with one request at a time)")  # fmt: skip
    total = sum(sizes["sizes"].values())
    parts = ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in sizes["sizes"].items())
    print(f"essay page transfer (compressed): {parts}; total {total / 1024:.1f} KB")
    print(f"static cache headers: {sorted(sizes['cache'])}")
    print(f"other hosts: {sizes['external'] or 'none'}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--seconds", type=float, default=5.0, help="per page")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="studyhub-bench-"))
    env = production_env(os.environ.get("DATABASE_URL") or "sqlite:///placeholder")
    manage({**env, "DATABASE_URL": f"sqlite:///{workdir / 'static.sqlite3'}"},
           "collectstatic", "--no-input", "-v", "0")  # fmt: skip
    print(f"database: {'PostgreSQL' if env['DATABASE_URL'].startswith('postgres') else 'SQLite'}; "
          f"{args.concurrency} connections, {args.seconds:.0f} s a page, "
          f"{os.cpu_count()} cores shared by the server and the load generator")  # fmt: skip
    for name in args.sizes.split(","):
        run_size(name.strip(), args, env, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
