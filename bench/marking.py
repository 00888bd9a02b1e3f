"""Marking a pile by keyboard: how many actions a script takes, and how long the teacher waits
from "release" to the next script.

    .venv/bin/python bench/marking.py [--scripts 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_marking \
        .venv/bin/python bench/marking.py

Builds a fresh database (a new SQLite file; with DATABASE_URL, that PostgreSQL database is
EMPTIED first) with the fixtures (mark schemes, library, comment bank), a teacher of a class
whose students each handed in a different answer to one piece of set work (one more script than
are marked, so that every release opens a next script), and serves it with gunicorn under
production settings behind a simulated TLS proxy (bench/harness.py). Chromium, driven by
Playwright, logs in through the admin's login page, opens the pile filtered to that set work,
opens its first script and marks --scripts scripts with the keyboard alone: a level, a mark, a
margin comment from the bank, a typed margin comment, a What went well and an Even better if
line from the bank, and release.

Every key press that is not typing words counts as an action (Tab, Enter, Esc and arrows too,
each press of s that selects a sentence); the letters typed into a box do not. It prints
the actions per script (min / median / max, and per step), and the time from pressing "r" to
the next script's page being ready (its load event: the page parsed, its CSS and scripts run,
the answer shown), beside the same navigation, made after each release, to two bare pages of
the same server (the bare Django view, and the admin's password-change page). It then
reads the database and exits 1 unless every marked script was released with its level, mark,
lines and margin comments, and every bank comment's use was counted. BENCH_DEBUG=1 prints the
browser's console, failed requests and redirects as they happen.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import expect, sync_playwright

from bench import harness
from bench.harness import call, gunicorn, manage, production_env

CHROMIUM = os.environ.get("STUDYHUB_CHROMIUM", "/usr/bin/chromium")
USERNAME = "bench-marker"
PASSWORD = "marking-by-keyboard"
FIXTURES = ["fixtures/mark_schemes.json", "fixtures/library.json", "fixtures/comment_bank.json"]
STEPS = [
    "level",
    "mark",
    "bank comment",
    "typed comment",
    "what went well",
    "even better if",
    "release",
]

# What the teacher does to each script, in turn: (level, mark, letters typed to find a margin
# comment in the bank, a typed margin comment, letters for What went well, for Even better if).
MARKING = [
    ("4", "17", "prec", "Which year? Be precise.", "clea", "judg"),
    ("3", "13", "narr", "A good point: develop it.", "anal", "weig"),
    ("4", "18", "link", "How does this answer the question?", "rang", "coun"),
    ("2", "9", "judg", "Evidence for this?", "prec", "narr"),
    ("5", "22", "weig", "Excellent: a real judgement.", "coun", "link"),
]

# Run in every page before its own scripts: the moment "r" is pressed (kept across the
# navigation in sessionStorage) and the moment the page's load event ends.
TIMING_SCRIPT = """
document.addEventListener("keydown", (event) => {
  if (event.key === "r") { sessionStorage.setItem("bench-pressed", String(Date.now())); }
}, true);
window.addEventListener("load", () => {
  setTimeout(() => { window.benchLoadedAt = Date.now(); }, 0);
});
"""

# How long the navigation took, from the press (or the call to location.assign) to the load
# event, and its parts from the Navigation Timing entry: the request that was sent (with the
# redirect that answered a POST), the page it led to, and loading that page.
READ_TIMING = """() => {
  const pressed = Number(sessionStorage.getItem("bench-pressed"));
  const nav = performance.getEntriesByType("navigation")[0];
  const origin = performance.timeOrigin;
  const firstAnswered = nav.redirectEnd ? origin + nav.redirectEnd : origin + nav.responseStart;
  return {
    total: window.benchLoadedAt - pressed,
    first_request: firstAnswered - pressed,
    page_received: origin + nav.responseEnd - firstAnswered,
    page_loaded: window.benchLoadedAt - (origin + nav.responseEnd),
    redirected: nav.redirectCount,
  };
}"""


class Teacher:
    """The teacher at the keyboard: each press of a key that is not typing counts as an action
    of the step it belongs to."""

    def __init__(self, page):
        self.page = page
        self.actions: Counter = Counter()

    def press(self, step: str, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.actions[step] += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def select_sentence(teacher: Teacher, step: str) -> str:
    """s: the sentence at the caret (the answer's first, with the caret at its start; after a
    comment, the sentence after the passage commented on). Returns the selection."""
    teacher.press(step, "s")
    expect(teacher.page.get_by_role("status")).to_have_text(re.compile("^Selected: "))
    return teacher.page.evaluate("getSelection().toString()")


def check_selected(page, selected: str, number: int) -> None:
    quote = page.locator("#comment-form-quote").inner_text()
    assert quote.strip() and quote == selected.strip(), (
        f"script {number}: the selection was {selected!r}, the comment's passage {quote!r}"
    )
    assert re.search(r"[.!?]\W*$", quote), f"script {number}: not a sentence: {quote!r}"


def mark_script(teacher: Teacher, plan: tuple, number: int) -> None:
    """Mark the script on the page by keyboard alone, leaving the release ("r") to the caller."""
    page = teacher.page
    level, mark, bank_letters, typed, went_well_letters, even_better_letters = plan
    answer = page.get_by_role("textbox", name="The student's answer")

    teacher.press("level", level)
    expect(page.get_by_role("radio", name=re.compile(f"^Level {level} "))).to_be_checked()

    teacher.press("mark", "m")
    expect(page.get_by_role("spinbutton", name="Mark")).to_be_focused()
    teacher.type(mark)
    teacher.press("mark", "Escape")  # out of the box, back to the answer
    expect(answer).to_be_focused()

    # A margin comment from the bank on the first sentence: s, c, a few letters, Enter (the
    # first suggestion, saved at once).
    selected = select_sentence(teacher, "bank comment")
    teacher.press("bank comment", "c")
    comment_box = page.get_by_role("combobox", name="Comment")
    expect(comment_box).to_be_focused()
    check_selected(page, selected, number)
    teacher.type(bank_letters)
    expect(page.locator("#comment-text-options [role=option]").first).to_be_visible()
    teacher.press("bank comment", "Enter")
    expect(page.locator("#comment-message")).to_have_text("Comment 1 saved.")
    expect(answer).to_be_focused()

    # A typed margin comment on the next sentence: s, c, type it, Enter to save.
    selected = select_sentence(teacher, "typed comment")
    teacher.press("typed comment", "c")
    expect(comment_box).to_be_focused()
    check_selected(page, selected, number)
    teacher.type(typed)
    teacher.press("typed comment", "Enter")
    expect(page.locator("#comment-message")).to_have_text(re.compile(r"^Comment \d saved\.$"))
    expect(page.locator("#comment-list .comment")).to_have_count(2)
    expect(answer).to_be_focused()

    # What went well and Even better if from the bank: the key, a few letters, Enter (the
    # first suggestion, and back to the answer).
    for step, key, box_name, letters, field in (
        ("what went well", "w", "Add a strength from the bank", went_well_letters,
         "What went well"),
        ("even better if", "e", "Add a target from the bank", even_better_letters,
         "Even better if"),
    ):  # fmt: skip
        teacher.press(step, key)
        expect(page.get_by_role("combobox", name=box_name)).to_be_focused()
        teacher.type(letters)
        options = page.locator(f"#{'went-well' if key == 'w' else 'even-better'}-bank-options")
        expect(options.locator("[role=option]").first).to_be_visible()
        teacher.press(step, "Enter")
        expect(page.get_by_role("textbox", name=field)).not_to_have_value("")
        expect(answer).to_be_focused()
        expect(page.get_by_role("status")).to_have_text(re.compile(f"^Added to {field}: "))


def wait_until_loaded(page) -> dict:
    page.wait_for_function("window.benchLoadedAt !== undefined", timeout=30_000)
    return page.evaluate(READ_TIMING)


def go_to(page, path: str) -> dict:
    """The same navigation as a release, to another page: from the press to its load event."""
    page.evaluate(
        "(path) => { sessionStorage.setItem('bench-pressed', String(Date.now()));"
        " location.assign(path); }",
        path,
    )
    page.wait_for_url(f"**{path}")
    return wait_until_loaded(page)


def mark_pile(site: str, assignment_id: int, scripts: list[int], count: int) -> dict:
    per_script: list[Counter] = []
    releases: list[dict] = []
    bare: dict[str, list[dict]] = {"/bench/bare": [], "/admin/password_change/": []}
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
        )
        # What a TLS-terminating proxy adds: production settings redirect anything else to
        # https:// (the browser's own http:// Origin is trusted by the server: see main).
        context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
        context.add_init_script(TIMING_SCRIPT)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        if os.environ.get("BENCH_DEBUG"):
            page.on("console", lambda message: print("console:", message.text))
            page.on("requestfailed", lambda request: print("failed:", request.url, request.failure))
            page.on("response", lambda r: r.status >= 300 and print("status:", r.status, r.url))
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and problems.append(f"CSP: {message.text}")
            ),
        )

        page.goto(f"{site}/admin/login/?next=/admin/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{site}/admin/")
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        session = cookies.get("sessionid")
        if not session or not session["secure"]:
            sys.exit(f"no secure session cookie after logging in: {cookies}")

        page.goto(f"{site}/admin/essays/response/?assignment__id__exact={assignment_id}")
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(len(scripts))
        # The first script of the pile, opened from the list.
        rows.first.locator("th a").first.click()
        page.wait_for_url(re.compile(rf"/admin/essays/response/{scripts[0]}/change/"))
        expect(page.locator("#marking[data-ready=true]")).to_be_attached()

        for number in range(count):
            expect(page.locator("#marking[data-ready=true]")).to_be_attached()
            current = re.search(r"/response/(\d+)/change/", page.url).group(1)
            if int(current) != scripts[number]:
                problems.append(f"script {number + 1}: opened {current}, not {scripts[number]}")
            teacher = Teacher(page)
            mark_script(teacher, MARKING[number % len(MARKING)], number + 1)
            teacher.press("release", "r")
            page.wait_for_url(re.compile(rf"/admin/essays/response/{scripts[number + 1]}/change/"))
            timing = wait_until_loaded(page)
            expect(page.locator("#answer-text")).to_be_visible()
            expect(page.locator("#marking[data-ready=true]")).to_be_attached()
            expect(page.get_by_text(re.compile(r"^Released attempt 1 to "))).to_be_visible()
            releases.append(timing)
            per_script.append(teacher.actions)
            # The bare pages now, from this marking page and back, so that each release is
            # compared with them under the same load.
            marking_url = page.url
            for path, found in bare.items():
                found.append(go_to(page, path))
                page.goto(marking_url)
        browser.close()
    return {"actions": per_script, "releases": releases, "bare": bare, "problems": problems}


def check_stored(stored: dict, marked: list[int], left: int) -> list[str]:
    """What is wrong with what the database holds after marking, or nothing."""
    problems = []
    by_id = {script["id"]: script for script in stored["scripts"]}
    bank_picks = Counter()
    for pk in marked:
        script = by_id[pk]
        if not (script["status"] == "returned" and script["returned"]):
            problems.append(f"script {pk} was not released ({script['status']})")
        if script["level"] is None or script["mark"] is None:
            problems.append(f"script {pk} has no level or mark")
        if not script["went_well"].strip() or not script["even_better_if"].strip():
            problems.append(f"script {pk} lacks What went well or Even better if")
        notes = script["annotations"]
        if len(notes) != 2 or any(n["quote"] != n["in_text"] for n in notes):
            problems.append(f"script {pk}: margin comments {notes}")
        if sum(1 for n in notes if n["bank_item"]) != 1:
            problems.append(f"script {pk}: not exactly one margin comment from the bank")
        bank_picks.update(str(n["bank_item"]) for n in notes if n["bank_item"])
    if by_id[left]["status"] != "submitted" or by_id[left]["annotations"]:
        problems.append(f"script {left}, not marked, changed: {by_id[left]}")
    # Each script: one margin comment and two lines (What went well, Even better if).
    used = sum(stored["bank_uses"].values())
    if used != 3 * len(marked):
        problems.append(f"bank uses counted: {used}, expected {3 * len(marked)}")
    for pk, picks in bank_picks.items():
        if stored["bank_uses"].get(pk, 0) < picks:
            problems.append(f"bank comment {pk}: used {picks} times in the margin, counted less")
    return problems


ACCESS_FORMAT = "ACCESS %(m)s %(U)s %(s)s %(D)s"
ACCESS_LINE = re.compile(r"^ACCESS (\w+) (\S+) (\d+) (\d+)$", re.MULTILINE)
MARKING_PAGE = re.compile(r"^/admin/essays/response/\d+/change/$")


def server_times(log: str) -> dict[str, list[float]]:
    """From gunicorn's access log: how long the server took (ms) over the requests of each
    kind the waits are made of."""
    release, page = "save and release (POST, to its 302)", "a marking page (GET)"
    times: dict[str, list[float]] = {
        release: [],
        page: [],
        "/bench/bare": [],
        "/admin/password_change/": [],
    }
    for method, path, _status, micros in ACCESS_LINE.findall(log):
        if MARKING_PAGE.match(path):
            kind = release if method == "POST" else page
        elif path in times:
            kind = path
        else:
            continue
        times[kind].append(int(micros) / 1000)
    return times


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms, worst {max(values):.0f} ms"


def report(results: dict, database: str) -> None:
    actions = results["actions"]
    totals = [sum(counter.values()) for counter in actions]
    print(f"\n{database}: {len(actions)} scripts marked by keyboard")
    print(
        f"actions per script: min {min(totals)}, median {statistics.median(totals):g}, "
        f"max {max(totals)}"
    )
    for step in STEPS:
        counts = [counter[step] for counter in actions]
        low, high = min(counts), max(counts)
        print(f"  {step:<16}{low if low == high else f'{low}–{high}':>4}")
    parts = [
        ("whole wait", lambda t: t["total"]),
        ("  request sent (a POST: to its 302)", lambda t: t["first_request"]),
        ("  page received", lambda t: t["page_received"]),
        ("  page loaded (parse, CSS, scripts)", lambda t: t["page_loaded"]),
    ]
    print("\nfrom pressing r to the next script's page loaded:")
    for label, part in parts:
        print(f"  {label:<38}{summary([part(t) for t in results['releases']])}")
    print("the same navigation from the marking page to a bare page of the same server:")
    for path, timings in results["bare"].items():
        print(f"  {path}")
        for label, part in parts:
            print(f"  {label:<38}{summary([part(t) for t in timings])}")
    print("time in the server (gunicorn's log):")
    for kind, timings in results.get("server", {}).items():
        if timings:
            print(f"  {kind:<38}{summary(timings)} ({len(timings)} requests)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="studyhub-marking-") as workdir:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
        env = production_env(database_url)
        if database_url.startswith("postgres"):
            manage(env, "flush", "--no-input")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "loaddata", *FIXTURES, "-v", "0")
        data = call(env, "prepare_marking", USERNAME, PASSWORD, args.scripts + 1)
        # The browser speaks http:// to 127.0.0.1 while the server believes it is behind an
        # https:// proxy, so a POST's Origin (http://…) must be trusted. Chromium refuses to
        # have the Origin header rewritten, and gunicorn() picks its port itself: pick it here.
        port = harness.free_port()
        harness.free_port = lambda: port
        env["DJANGO_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
        # Each request's time in the server, in gunicorn's log: the wait without the browser.
        env["GUNICORN_CMD_ARGS"] = f"--access-logfile - --access-logformat '{ACCESS_FORMAT}'"
        log = Path(workdir) / "gunicorn.log"
        with gunicorn(env, log) as port:
            started = time.monotonic()
            results = mark_pile(
                f"http://127.0.0.1:{port}", data["assignment"], data["scripts"], args.scripts
            )
            elapsed = time.monotonic() - started
        stored = call(env, "read_marking", data["assignment"])
        results["server"] = server_times(log.read_text())
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    report(results, database)
    print(f"\n(the browser run took {elapsed:.0f} s; load average then {os.getloadavg()[0]:.2f})")
    first = next(script for script in stored["scripts"] if script["id"] == data["scripts"][0])
    for note in first["annotations"]:
        print(f"first script's margin comment on “{note['quote']}”: {note['comment']}")
    problems = results["problems"] + check_stored(
        stored, data["scripts"][: args.scripts], data["scripts"][args.scripts]
    )
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"checked: {args.scripts} scripts released with their marks, lines, margin comments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
