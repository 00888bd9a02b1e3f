"""Words for benchmark searches, from the vocabulary of `manage.py generate_load_data`."""

import random

from essays.management.load_text import RANKED, WORDS


def topic_words(count: int, seed: int = 0) -> list[str]:
    """Words a student might search for: neither the commonest nor the rarest (ranks 70–2,000)."""
    rng = random.Random(seed)
    return rng.sample(RANKED[len(WORDS) : 2000], count)
