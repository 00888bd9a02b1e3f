"""How long instant feedback takes: key points and similarity for a long answer.

    .venv/bin/python bench/feedback.py [--words 5000] [--repeat 20]

Prints the median and worst time for a response of --words words against a model essay of the
same length, with 12 key points of 3 phrases each. Target: well under a second.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from essays.feedback import KeyPoint, covered_key_points, highlight_shared, similarity  # noqa: E402

WORDS = (
    "the soviet union league nations collective security stalin germany france britain pact "
    "munich conference policy defence revolution comintern japan china treaty war peace "
    "economy trade alliance historians argue however therefore evidence judgement 1934 1938 "
    "1939 moscow berlin london paris aggression appeasement diplomacy ideology security"
)
VOCABULARY = WORDS.split()


def text(rng: random.Random, words: int) -> str:
    sentences = []
    for _ in range(words // 12):
        sentences.append(" ".join(rng.choice(VOCABULARY) for _ in range(12)).capitalize() + ".")
    return " ".join(sentences)


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(1934)
    response, model = text(rng, args.words), text(rng, args.words)
    points = [
        KeyPoint(i, f"point {i}", tuple(" ".join(rng.sample(VOCABULARY, 2)) for _ in range(3)))
        for i in range(12)
    ]
    print(f"response {len(response.split()):,} words, model {len(model.split()):,} words")
    print(f"{'step':<22}{'median ms':>12}{'worst ms':>12}")
    for name, function in [
        ("key points covered", lambda: covered_key_points(response, points)),
        ("similarity", lambda: similarity(response, model)),
        ("highlighted passages", lambda: highlight_shared(response, model)),
    ]:
        times = timed(function, args.repeat)
        print(f"{name:<22}{statistics.median(times) * 1000:>12.1f}{max(times) * 1000:>12.1f}")


if __name__ == "__main__":
    main()
