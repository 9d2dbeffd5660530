"""The site's search vocabulary: the words of the indexed titles and abstracts, with counts.

The search worker (docs/javascripts/search-worker.js) fetches this file only
when a query word matches nothing, and corrects the word to the closest
vocabulary word by edit distance (fewest edits, then most frequent). One
"word count" per line, most frequent first, ties alphabetical, so the same
corpus gives the same bytes. Its address is addresses.SEARCH_VOCABULARY.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from generator import incremental
from generator.model import Paper

MIN_LENGTH = 4  # the worker corrects words of 4 letters or more
MAX_WORDS = 50_000  # at 10,000 papers the file stays small (about 100 kB gzipped at most)

# Letters only: the worker lowercases and splits a query at anything that is not a letter or digit,
# and never corrects a word that holds a digit.
_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The lowercase words of `text` (NFKC, as the worker normalizes a query)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


# ASCII text is its own NFKC form, and its letters are a-z once lowercased: the words of MIN_LENGTH letters
# or more are the runs this pattern finds (a run of fewer letters holds no match).
_ASCII_LONG_WORD = re.compile(rf"[a-z]{{{MIN_LENGTH},}}")


def _long_words(text: str) -> list[str]:
    if text.isascii():
        return _ASCII_LONG_WORD.findall(text.lower())
    return [w for w in words(text) if len(w) >= MIN_LENGTH]


# Under `mkdocs serve` an edited dump changes few texts: the others are not read again.
_LONG_WORDS = incremental.ServeMemory(_long_words)


def vocabulary(papers: Iterable[Paper]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for found in _LONG_WORDS.each([f"{paper.title} {paper.abstract}" for paper in papers]):
        counts.update(found)
    return counts


def render_vocabulary(papers: Iterable[Paper]) -> str:
    """The file's text: one "word count" line per word, most frequent first."""
    counts = vocabulary(papers)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_WORDS]
    return "".join(f"{word} {count}\n" for word, count in ranked)


# A word whose letters change case inside ("BRAIn", "BriLLM", "LLM-BRAIn"): Pagefind splits such a
# word where the case changes ("BRA" + "In") and indexes the parts and the whole, but not the plain
# words a reader types ("brain").
_MIXED_CASE = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")


def plain_forms(text: str) -> str:
    """The lowercase words of `text`'s mixed-case words ("LLM-BRAIn" -> "llm brain"), once each,
    for Pagefind to index beside the text as written (paper pages carry them hidden; Pagefind's child
    makes the stand-ins' own: pagefind_child.stand_ins)."""
    seen: dict[str, None] = {}
    search = _MIXED_CASE.search
    for token in text.split():
        # A word in one case, or capitalized, holds no change of case: the string methods tell that
        # faster than the pattern does (0.2 s against 0.65 s over 10,000 titles and abstracts).
        if not (token.islower() or token.istitle() or token.isupper()) and search(token):
            seen.update(dict.fromkeys(words(token)))
    return " ".join(seen)


# Pagefind indexes a hyphenated word whole, without its punctuation ("language-based" as
# `languagebased`), beside its parts. No query asks for the joined form: the worker splits a query at
# hyphens. But the joined forms widen the index chunk of their first part's stem: at 10,000 papers
# `language` fetched a second 19 kB chunk (`languagebas` ... `languagevis`) with every first query.
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W\d_])")  # after a letter or digit, before a letter ("GPT-4" stays)


def spaced_compounds(html: str) -> str:
    """`html` with a space before each hyphen that joins two words in its text ("language -based"),
    tags untouched: what Pagefind indexes of a page (generator/pagefind.py), so that it indexes the
    words, not the compound. Only the index sees the space; the search worker takes it out again
    where it shows a title or an excerpt (text that already held " -x", as in "the -v flag", is shown
    joined there: "the-v flag")."""
    parts = _TAG_OR_TEXT.split(html)
    parts[::2] = [_HYPHEN.sub(" -", text) if "-" in text else text for text in parts[::2]]
    return "".join(parts)
