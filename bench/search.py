"""How long a catalogue search takes, by kind of query, with the facets the catalogue shows.

    .venv/bin/python bench/search.py [--essays 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_search \
        .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --reuse sqlite:////tmp/search.sqlite3   # data already there

Generates the essays (`generate_load_data`: no responses, which a search never reads) in a
fresh SQLite database (or EMPTIES the PostgreSQL database DATABASE_URL names), then, in this
process with production settings, requests the catalogue one search at a time as a visitor,
with the cache emptied before each request so that nothing is served from it, and prints the
median and worst time, the median CPU time of this process (with SQLite, which runs in this
process, that is the database's work too: a figure a busy machine disturbs less), and the
queries of each kind of query. Then each search again with its essays' cards kept, as a
library in use keeps them (essays.views.catalogue.essay_cards), but not its page or listing:
"cards kept".

The kinds:

- rare word: a word in 1 to 20 essays;
- topic word: a word from the middle of the vocabulary (as bench/pages.py searches);
- common word: a word in most essays;
- three words: three topic words (often no essay has all three: then "most of them");
- quoted phrase: two words that follow each other in some essay, in quotation marks;
- misspelt word: a topic word with one letter doubled or two letters swapped.

Prints figures; it is not a test. With --profile KIND, profiles that kind with pyinstrument
(`.venv/bin/pip install pyinstrument`).
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import manage, production_env

# What the page says it found: "About 9,500 essays matching", "12 essays matching".
SHOWN = re.compile(r"(About [\d,]+|\w+) essays? matching")
KINDS = ("rare word", "topic word", "common word", "three words", "quoted phrase", "misspelt word")


def queries_by_kind(count: int, seed: int = 1934) -> dict[str, list[str]]:
    """`count` queries of each kind, drawn from the generated essays and vocabulary."""
    from bench.vocabulary import topic_words
    from essays.management.load_text import WORDS
    from essays.models import Essay
    from essays.search.query import STOP_WORDS, TOKEN

    rng = random.Random(seed)
    topics = [word for word in topic_words(400, seed) if len(word) >= 6]
    counts = word_counts(topics)
    rare = sorted(
        word for word, essays in word_counts(None).items() if 1 <= essays <= 20 and len(word) > 3
    )
    published = sorted(Essay.objects.published().values_list("pk", flat=True))
    chosen = Essay.objects.in_bulk(rng.sample(published, count))
    bodies = [chosen[pk].body for pk in sorted(chosen)]
    phrases = []
    for body in bodies:
        words = [w for w in TOKEN.findall(body.lower()) if w not in STOP_WORDS]
        start = rng.randrange(len(words) - 1)
        phrases.append(f'"{words[start]} {words[start + 1]}"')
    common = [word for word in WORDS if word not in STOP_WORDS and not word.isdigit()]
    misspelt = []
    for word in rng.sample([w for w in topics if counts.get(w, 0) >= 20], count):
        at = rng.randrange(3, len(word) - 1)
        swapped = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        doubled = word[: at + 1] + word[at] + word[at + 1 :]
        misspelt.append(swapped if swapped != word and rng.random() < 0.5 else doubled)
    return {
        "rare word": rng.sample(rare, min(count, len(rare))),
        "topic word": rng.sample(topics, count),
        "common word": [rng.choice(common) for _ in range(count)],
        "three words": [" ".join(rng.sample(topics, 3)) for _ in range(count)],
        "quoted phrase": phrases[:count],
        "misspelt word": misspelt,
    }


def word_counts(words: list[str] | None) -> dict[str, int]:
    """Essays having each word (every word when None), from the search's own vocabulary."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT word, essays FROM essays_search_word")
        else:
            cursor.execute("SELECT term, doc FROM essays_essay_words_vocab")
        rows = dict(cursor.fetchall())
    return rows if words is None else {word: rows.get(word, 0) for word in words}


def forget_page(text: str) -> None:
    """Remove this search's page and listing from the cache, keeping everything else."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from essays.caching import cache_key
    from essays.views.catalogue import CATALOGUE_PARAMS

    request = RequestFactory().get("/", {"q": text})
    for kind in ("page", "fragment:catalogue"):
        cache.delete(cache_key(kind, request, CATALOGUE_PARAMS))


def timed(client, text: str) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get("/", {"q": text}, secure=True)
    assert response.status_code == 200, (text, response.status_code)
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def time_searches(queries: dict[str, list[str]], profile: str | None) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="localhost")
    results = {}
    for kind, texts in queries.items():
        client.get("/", {"q": texts[0]}, secure=True)  # warm
        timings, cpu_timings, query_counts, totals = [], [], [], []
        kept_timings, kept_cpu = [], []
        for text in texts:
            cache.clear()
            wall, cpu = timed(client, text)
            timings.append(wall)
            cpu_timings.append(cpu)
            forget_page(text)
            wall, cpu = timed(client, text)
            kept_timings.append(wall)
            kept_cpu.append(cpu)
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/", {"q": text}, secure=True)
            query_counts.append(len(captured))
            found = SHOWN.search(response.content.decode())
            totals.append(found.group(1) if found else "?")
        results[kind] = {
            "median_ms": round(statistics.median(timings), 1),
            "worst_ms": round(max(timings), 1),
            "cpu_ms": round(statistics.median(cpu_timings), 1),
            "kept_ms": round(statistics.median(kept_timings), 1),
            "kept_worst_ms": round(max(kept_timings), 1),
            "kept_cpu_ms": round(statistics.median(kept_cpu), 1),
            "queries": f"{min(query_counts)}–{max(query_counts)}"
            if min(query_counts) != max(query_counts)
            else str(query_counts[0]),
            "example": texts[0],
            "essays": totals[0],
        }
        if kind == profile:
            from pyinstrument import Profiler

            with Profiler() as profiler:
                for text in texts:
                    cache.clear()
                    client.get("/", {"q": text}, secure=True)
            profiler.print(show_all=False)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=30, help="queries of each kind")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="search data generated before")
    parser.add_argument("--profile", choices=KINDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="studyhub-search-") as workdir:
        database_url = (
            args.reuse or os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
        )
        env = production_env(database_url)
        if not args.reuse:
            if database_url.startswith("postgres"):
                manage(env, "flush", "--no-input")
            manage(env, "migrate", "--no-input", "-v", "0")
            print(f"Generating {args.essays:,} essays…")
            manage(
                env, "generate_load_data", "--essays", str(args.essays), "--students", "10",
                "--responses", "0", "--force",
            )  # fmt: skip
        manage(env, "collectstatic", "--no-input", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        from essays.models import Essay

        queries = queries_by_kind(args.queries)
        results = time_searches(queries, args.profile)
        essays = Essay.objects.count()
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"\n{database}, {essays:,} essays: one search at a time, {args.queries} of each kind")
    print(f"{'':<15}{'nothing cached':>29}{'cards kept':>29}")
    print(
        f"{'kind':<15}{'median ms':>11}{'worst ms':>10}{'cpu ms':>8}"
        f"{'median ms':>11}{'worst ms':>10}{'cpu ms':>8}{'queries':>9}{'essays':>14}  example"
    )
    for kind, figures in results.items():
        print(
            f"{kind:<15}{figures['median_ms']:>11}{figures['worst_ms']:>10}{figures['cpu_ms']:>8}"
            f"{figures['kept_ms']:>11}{figures['kept_worst_ms']:>10}{figures['kept_cpu_ms']:>8}"
            f"{figures['queries']:>9}{figures['essays']:>14}  {figures['example']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
