"""Text and progress for `manage.py generate_load_data`: deterministic prose with the spread of
natural language, and a progress bar."""

import itertools
import random
import time

GENERATED = "generated-"  # every generated slug and username starts with this
BATCH = 2000
SUBJECTS = ["History", "English Literature", "Economics", "Politics", "Geography", "Philosophy"]
LEVELS = ["A Level", "AS Level", "GCSE"]
VOCABULARY = (
    "the state war peace treaty policy economy market price demand supply growth inflation "
    "empire revolution reform crisis alliance power security trade labour wages capital "
    "poetry novel tragedy character narrative theme imagery ambition guilt memory nature "
    "society class gender religion science reason liberty justice argument evidence historians "
    "critics however therefore although because despite whereas consequently significant "
    "1848 1914 1919 1929 1933 1945 government parliament monarchy voters elections"
)
WORDS = VOCABULARY.split()
# The long tail: made-up words from syllables ("talovin", "mersadu"), so the text has the
# spread of natural language — a few words in nearly every essay, most words in few of them.
SYLLABLE_LIST = "ba ce di fo gu la me ni po ru sa te vi lo ma ne ri to ka de mi so tu ve"
SYLLABLES = SYLLABLE_LIST.split()
TAIL = random.Random(1934).sample(
    sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:10]}), 5000
)
RANKED = WORDS + TAIL
# Zipf's law: the word at rank r turns up about 1/r as often as the commonest.
CUMULATIVE = list(itertools.accumulate(1 / rank for rank in range(1, len(RANKED) + 1)))
COMMAND_WORDS = ["Discuss", "Assess", "Evaluate"]


def sentence(rng: random.Random) -> str:
    words = rng.choices(RANKED, cum_weights=CUMULATIVE, k=rng.randint(8, 22))
    return " ".join(words).capitalize() + "."


def paragraphs(rng: random.Random, words: int) -> str:
    out, total = [], 0
    while total < words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        out.append(paragraph)
        total += len(paragraph.split())
    return "\n\n".join(out)


class Progress:
    """A one-line progress bar on stderr (a plain line per step when not a terminal)."""

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total = stream, label, max(total, 1)
        self.start = time.monotonic()
        self.tty = stream.isatty()

    def update(self, done: int) -> None:
        share = done / self.total
        elapsed = time.monotonic() - self.start
        bar = "#" * int(share * 30)
        line = f"{self.label:<10} [{bar:<30}] {done:>9,}/{self.total:,} {elapsed:6.1f}s"
        if self.tty:
            self.stream.write("\r" + line, ending="\n" if done >= self.total else "")
            self.stream.flush()
        elif done >= self.total or done % (BATCH * 10) == 0:
            self.stream.write(line)
