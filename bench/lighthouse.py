"""Lighthouse's performance, accessibility and best-practices scores for every student page.

    .venv/bin/python bench/lighthouse.py [--no-fail] [--runs 3] [--pages essay,login] [--keep]
    CHROME_PATH=/usr/bin/chromium LIGHTHOUSE=~/bin/lighthouse .venv/bin/python bench/lighthouse.py

Builds a small fresh SQLite database as `make run` does (migrations, the fixtures, and
`create_demo_users`, whose demo class gives its students a class, drafts, and work returned with
feedback and with margin comments; two of them, mpatel and zahmed, are given a password here),
serves it with gunicorn under production settings
(bench/harness.py: DEBUG off, HTTPS redirect, secure cookies, hashed and compressed static
files, here collected into a temporary folder) and runs Lighthouse against each page in Debian's
Chromium, headless. Lighthouse keeps its defaults: a phone (Moto G Power) on a slow 4G network
with a 4x slower processor, simulated. Every request carries `X-Forwarded-Proto: https`, as
StudyHub's TLS-terminating proxy would send; a signed-in page's requests carry the student's
session cookie too (Lighthouse's --extra-headers).

It prints a table: page, performance, accessibility, best practices, and under any score below
100 the titles of the audits that failed (for performance, the metrics that cost points, with
their values). It exits 1 if any score is below 100, unless --no-fail is given. Each page is
measured --runs times (3) and the run with the median performance score is reported, as
Lighthouse's own documentation advises: a single run's Total Blocking Time varies with whatever
else the machine is doing (on a busy 2-core machine one run in five or so loses a point or three).
About 50 s a page; --pages picks pages by words of their labels, --keep keeps the JSON reports.

Lighthouse comes from the npm registry: LIGHTHOUSE names a lighthouse command to use; otherwise a
`lighthouse` on PATH of the pinned version is used; otherwise the pinned version is installed
once with npm into ~/.cache/studyhub/. Node.js and npm are needed: Debian's (`apt-get install
nodejs npm`, Node.js 18) run Lighthouse 12, the version pinned here; Lighthouse 13 needs Node.js
22.19 or newer, which neither Debian 12 nor this machine has. Chromium: `apt-get install
chromium`.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Session, gunicorn, manage, production_env

LIGHTHOUSE_VERSION = "12.8.2"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "studyhub"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Headless, as root, and quiet: without the background-networking flags Chromium keeps trying
# to reach Google's hosts, which this closed network refuses.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
FIXTURES = ["fixtures/mark_schemes.json", "fixtures/library.json", "fixtures/comment_bank.json"]
CATEGORIES = [
    ("performance", "performance"),
    ("accessibility", "accessibility"),
    ("best-practices", "best practices"),
]
# The demo class's students: Maya Patel has a class, a draft and work returned with feedback;
# Zara Ahmed has a first attempt returned with margin comments and targets, and its redraft.
STUDENTS = ["mpatel", "zahmed"]
TRIES = 3  # runs of a page that Lighthouse itself fails to record, before giving up
PASSWORD = "lighthouse-student-password"

# Gives the demo students a password and reads back what the pages need, inside Django.
PREPARE = """
import json
from django.contrib.auth import get_user_model
from essays.demo import STALIN, VERSAILLES
from essays.models import Response
for student in get_user_model().objects.filter(username__in={students!r}):
    student.set_password({password!r})
    student.save(update_fields=["password"])
returned = Response.objects.filter(status="returned")
print(json.dumps({{
    "essay": STALIN,
    "draft_essay": VERSAILLES,
    "returned": returned.get(student__username="mpatel", essay__slug=STALIN).pk,
    "commented": returned.get(student__username="zahmed", essay__slug=VERSAILLES).pk,
}}))
"""


# Every page a student sees: (label, path, the student signed in or None). The paths are filled
# in from what PREPARE reads back.
PAGES = [
    ("catalogue (visitor)", "/", None),
    ("catalogue (signed in)", "/", "mpatel"),
    ("search", "/?q=treaty", None),
    ("essay (visitor)", "/essays/{essay}/", None),
    ("essay (signed in)", "/essays/{essay}/", "mpatel"),
    ("editor (respond)", "/essays/{draft_essay}/respond/", "mpatel"),
    ("new attempt (respond)", "/essays/{essay}/respond/", "mpatel"),
    ("My work", "/responses/", "mpatel"),
    ("returned, with feedback", "/responses/{returned}/", "mpatel"),
    ("returned, margin comments", "/responses/{commented}/", "zahmed"),
    ("classes", "/classes/", "mpatel"),
    ("join a class", "/classes/join/", "mpatel"),
    ("progress", "/progress/", "mpatel"),
    ("login", "/accounts/login/", None),
    ("sign up", "/accounts/signup/", None),
]


def chosen_pages(words: str) -> list[tuple[str, str, str | None]]:
    """The pages whose label contains one of the comma-separated `words` (all, if none)."""
    wanted = [word.strip() for word in words.split(",") if word.strip()]
    chosen = [page for page in PAGES if not wanted or any(w in page[0] for w in wanted)]
    if not chosen:
        sys.exit(f"no page's label contains {words!r}: " + ", ".join(p[0] for p in PAGES))
    return chosen


def node_version() -> tuple[int, ...]:
    node = shutil.which("node")
    if not node or not shutil.which("npm"):
        sys.exit("Lighthouse needs Node.js and npm: apt-get install nodejs npm (Debian's)")
    printed = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    return tuple(int(part) for part in re.findall(r"\d+", printed)[:3])


def version_of(command: str) -> str:
    result = subprocess.run([command, "--version"], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def lighthouse_command() -> str:
    """The lighthouse to run: $LIGHTHOUSE, or the pinned version on PATH, or the pinned version
    installed from the npm registry into the cache folder (once; later runs reuse it)."""
    if os.environ.get("LIGHTHOUSE"):
        return os.environ["LIGHTHOUSE"]
    if node_version() < (18, 16):
        sys.exit(f"Lighthouse {LIGHTHOUSE_VERSION} needs Node.js 18.16 or newer")
    on_path = shutil.which("lighthouse")
    if on_path and version_of(on_path) == LIGHTHOUSE_VERSION:
        return on_path
    prefix = CACHE / f"lighthouse-{LIGHTHOUSE_VERSION}"
    command = prefix / "node_modules" / ".bin" / "lighthouse"
    if not command.exists():
        print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} from the npm registry into {prefix}")
        prefix.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
             "--loglevel", "error", f"lighthouse@{LIGHTHOUSE_VERSION}"],
            capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode or not command.exists():
            sys.exit(f"npm could not install lighthouse:\n{result.stderr[-3000:]}")
    return str(command)


def chromium_version() -> str:
    if not shutil.which(CHROME):
        sys.exit(f"no Chromium at {CHROME}: apt-get install chromium, or set CHROME_PATH")
    printed = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout
    return printed.strip()


def build_site(workdir: Path) -> tuple[dict[str, str], dict]:
    """A fresh SQLite database with the fixtures and the demo class, and the static files
    collected into `workdir`; returns the environment to serve it with and the pages' facts."""
    env = production_env(f"sqlite:///{workdir / 'lighthouse.sqlite3'}")
    env["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "loaddata", *FIXTURES, "-v", "0")
    # The demo accounts are for development only: the command refuses to run without DEBUG.
    manage({**env, "DJANGO_DEBUG": "1"}, "create_demo_users")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    code = PREPARE.format(students=STUDENTS, password=PASSWORD)
    output = manage(env, "shell", "--no-imports", "-c", code)
    return env, json.loads(output.strip().splitlines()[-1])


def signed_in_cookies(port: int, username: str) -> str:
    """The Cookie header of a browser that signed in as `username` (its session and CSRF
    cookies)."""
    session = Session(port)
    session.log_in(username, PASSWORD)
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def run_lighthouse(command: str, url: str, headers: dict, report: Path) -> dict:
    """One Lighthouse run with its default (mobile, simulated throttling) settings; returns the
    JSON report. Lighthouse's own failures to record a trace (its "Please run Lighthouse
    again", NO_NAVSTART and the like, seen in a few runs in a hundred on a busy machine) are
    tried again, up to twice; a page that fails three times stops the run."""
    for attempt in range(1, TRIES + 1):
        report.unlink(missing_ok=True)
        result = subprocess.run(
            [command, url, "--quiet", "--output=json", f"--output-path={report}",
             "--only-categories=" + ",".join(key for key, _ in CATEGORIES),
             f"--chrome-flags={CHROME_FLAGS}", f"--extra-headers={json.dumps(headers)}"],
            env={**os.environ, "CHROME_PATH": CHROME}, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        data = json.loads(report.read_text()) if report.exists() else {}
        error = data.get("runtimeError", {}).get("message") or (
            result.returncode and result.stderr[-3000:]
        )
        if not error:
            return data
        print(f"  lighthouse failed on {url} (try {attempt} of {TRIES}): {error}", file=sys.stderr)
    sys.exit(f"lighthouse failed {TRIES} times on {url}")


def score(data: dict, category: str) -> int | None:
    value = data["categories"][category]["score"]
    return None if value is None else round(value * 100)


def failing_audits(data: dict, category: str) -> list[str]:
    """The audits that cost `category` points: those counted in its score that did not pass
    (for performance, the metrics, with their values)."""
    failed = []
    for ref in data["categories"][category]["auditRefs"]:
        audit = data["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            failed.append(f"{audit['title']}{value}")
    return failed


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (the first of those, on a tie)."""
    scores = [run["categories"]["performance"]["score"] or 0 for run in runs]
    middle = statistics.median_low(scores)
    return runs[scores.index(middle)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-fail", action="store_true", help="report only: always exit 0")
    parser.add_argument("--runs", type=int, default=3, help="runs a page; the median is shown")
    parser.add_argument("--pages", default="", help="only pages whose label contains one of "
                        "these comma-separated words")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the JSON reports")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more")

    chosen = chosen_pages(args.pages)
    command = lighthouse_command()
    node = ".".join(map(str, node_version()))
    print(f"Lighthouse {version_of(command)}, {chromium_version()}, Node.js {node}; "
          "mobile, simulated throttling (Lighthouse's defaults)")  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="studyhub-lighthouse-"))
    env, facts = build_site(workdir)

    rows = []
    with gunicorn(env, workdir / "gunicorn.log") as port:
        cookies = {student: signed_in_cookies(port, student) for student in STUDENTS}
        for label, path, student in chosen:
            headers = {"X-Forwarded-Proto": "https"}
            if student:
                headers["Cookie"] = cookies[student]
            url = f"http://127.0.0.1:{port}{path.format(**facts)}"
            runs = [
                run_lighthouse(command, url, headers, workdir / f"report-{len(rows)}-{n}.json")
                for n in range(args.runs)
            ]
            data = median_run(runs)
            if data["finalDisplayedUrl"] != url:
                sys.exit(f"{label}: {url} ended at {data['finalDisplayedUrl']}")
            rows.append((label, data))
            print(f"  measured {label}", file=sys.stderr)

    below = report(rows)
    if args.keep:
        print(f"JSON reports: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if below and not args.no_fail else 0


def report(rows: list[tuple[str, dict]]) -> int:
    """Print the table; return how many scores are below 100."""
    print(f"\n{'page':<26}{'performance':>12}{'accessibility':>15}{'best practices':>16}")
    below = 0
    for label, data in rows:
        scores = [score(data, key) for key, _ in CATEGORIES]
        cells = [f"{'-' if value is None else value:>{width}}"
                 for value, width in zip(scores, (12, 15, 16), strict=True)]  # fmt: skip
        print(f"{label:<26}{''.join(cells)}")
        for (key, name), value in zip(CATEGORIES, scores, strict=True):
            if value is None or value < 100:
                below += 1
                for title in failing_audits(data, key) or ["(no failing audit listed)"]:
                    print(f"    {name}: {title}")
    print(f"\n{below} score(s) below 100" if below else "\nevery score is 100")
    return below


if __name__ == "__main__":
    sys.exit(main())
