"""What a search asks for: the query read into clauses, each a word or a quoted phrase.

Both databases get the same clauses. A word joined by a hyphen or an apostrophe ("Nazi-Soviet")
is a phrase of its parts, as each database's tokenizer splits it. English stop words ("the",
"of") are left out of unquoted words, as PostgreSQL's English configuration leaves them out of
its index; inside a quoted phrase they stay, so the phrase still reads as written.
"""

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 8
MAX_PHRASE_WORDS = 12
QUOTES = re.compile(r"[\"“”„«»]")
TOKEN = re.compile(r"[^\W_]+")
# A word with its joins ("nazi-soviet", "o'brien"); a possessive "'s" is dropped first.
JOINED_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
# Control characters (NUL among them) separate words; databases and logs never see them.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# PostgreSQL's English stop words (tsearch_data/english.stop): words its index leaves out.
ENGLISH_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who
    whom this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS.split())


@dataclass(frozen=True)
class Clause:
    """A word, or a phrase whose words must appear together and in order."""

    words: tuple[str, ...]
    quoted: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def text(self) -> str:
        """The clause as it would be typed, so that parse() reads it back the same."""
        if self.quoted:
            return '"' + " ".join(self.words) + '"'
        return "-".join(self.words)

    def replace_words(self, corrections: dict[str, str]) -> "Clause":
        return Clause(tuple(corrections.get(word, word) for word in self.words), self.quoted)


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def text(self) -> str:
        return " ".join(clause.text() for clause in self.clauses)

    def words(self) -> list[str]:
        return list(dict.fromkeys(word for clause in self.clauses for word in clause.words))

    def replace_words(self, corrections: dict[str, str]) -> "Query":
        return Query(tuple(clause.replace_words(corrections) for clause in self.clauses))


def clean(query: str) -> str:
    """The query with control characters as spaces, cut to MAX_QUERY_LENGTH characters."""
    return CONTROL.sub(" ", query[:MAX_QUERY_LENGTH]).strip()


def parse(query: str) -> Query:
    """The clauses of a query, in order, without repeats, at most MAX_CLAUSES of them.

    Text between a pair of quotation marks is a phrase; a quotation mark without its partner
    is ignored, and the words after it are read as words.
    """
    parts = QUOTES.split(clean(query))
    if len(parts) % 2 == 0:
        # An odd number of quotation marks: the last one opens nothing.
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    clauses: list[Clause] = []
    for position, part in enumerate(parts):
        if position % 2:
            words = tuple(TOKEN.findall(POSSESSIVE.sub("", part.lower())))[:MAX_PHRASE_WORDS]
            candidates = [Clause(words, quoted=True)] if len(words) > 1 else [Clause(words)]
        else:
            candidates = [
                Clause(tuple(TOKEN.findall(word))[:MAX_PHRASE_WORDS])
                for word in JOINED_WORD.findall(POSSESSIVE.sub("", part.lower()))
            ]
        clauses += [
            clause
            for clause in candidates
            if clause.words and not all(word in STOP_WORDS for word in clause.words)
        ]
    return Query(tuple(dict.fromkeys(clauses))[:MAX_CLAUSES])


def search_terms(query: str) -> list[str]:
    """The words of a query, lower case, without repeats."""
    return parse(query).words()
