"""How long a teacher waits for an assignment's board (a class of 30) and a class's markbook
(30 students × 20 pieces of set work), with a school trust's worth of data around them.

    .venv/bin/python bench/classes.py [--essays 2000] [--students 600] [--responses 40000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyhub_classes \
        .venv/bin/python bench/classes.py

Generates the data (`generate_load_data --classes`) in a fresh SQLite database (or EMPTIES the
PostgreSQL database DATABASE_URL names), then times each page in process with the teacher
signed in: median and worst of --repeat requests, and the queries each takes. Prints figures;
it is not a test.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import call, manage, production_env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=2000)
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--responses", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="studyhub-classes-") as workdir:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
        env = production_env(database_url)
        if database_url.startswith("postgres"):
            manage(env, "flush", "--no-input")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        print(f"Generating {args.essays:,} essays, {args.students:,} students in classes…")
        manage(
            env, "generate_load_data", "--essays", str(args.essays), "--students",
            str(args.students), "--responses", str(args.responses), "--classes", "--force",
        )  # fmt: skip
        results = call(env, "time_class_pages", args.repeat)
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(
        f"\n{database}: a class of {results['students']} with {results['assignments']} pieces "
        "of set work"
    )
    print(f"{'page':<14}{'median ms':>11}{'worst ms':>10}{'queries':>9}")
    for page in ("board", "markbook", "markbook CSV"):
        figures = results[page]
        print(
            f"{page:<14}{figures['median_ms']:>11}{figures['worst_ms']:>10}{figures['queries']:>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
