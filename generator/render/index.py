"""Lookups every page needs, computed once per build from the Corpus."""

from __future__ import annotations

import calendar
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from generator import addresses
from generator.model import Corpus, Dump, Paper, Theme

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
FIRST_SENTENCE_MAX = 300


@dataclass(frozen=True)
class SiteIndex:
    corpus: Corpus
    by_slug: dict[str, Paper]
    by_theme: dict[str, list[Paper]]  # newest first, undated last
    by_month: dict[tuple[int, int], list[Paper]]  # (year, month) newest first -> papers newest first
    undated: list[Paper]
    in_time: list[Paper]  # dated papers, oldest first
    position: dict[str, int]  # slug -> index in in_time
    by_dump: dict[str, list[Paper]]
    themes: dict[str, Theme]
    listing_names: dict[str, str]  # dump name -> a readable name (listing_name)

    def listing_path(self, dump_name: str) -> str:
        return addresses.listing(self.corpus.listing_ids[dump_name])

    def newest(self, papers: list[Paper] | tuple[Paper, ...]) -> list[Paper]:
        return sorted(papers, key=newest_first)

    def neighbours(self, paper: Paper) -> tuple[Paper | None, Paper | None]:
        i = self.position.get(paper.slug)
        if i is None:
            return None, None
        before = self.in_time[i - 1] if i > 0 else None
        after = self.in_time[i + 1] if i + 1 < len(self.in_time) else None
        return before, after

    def years(self) -> list[int]:
        return sorted({y for y, _ in self.by_month}, reverse=True)


def oldest_first(paper: Paper) -> tuple:
    """Dated papers by date, then title (for lists of dated papers)."""
    return (paper.date.value if paper.date else None, paper.title.casefold())


def newest_first(paper: Paper) -> tuple:
    if paper.date is None:
        return (1, 0, paper.title.casefold())
    return (0, -paper.date.value.toordinal(), paper.title.casefold())


@functools.lru_cache(maxsize=1 << 15)
def first_sentence(text: str) -> str:
    """The text's first sentence, cut at a word near FIRST_SENTENCE_MAX characters. Kept for the last 32,768
    texts: a paper's page, its citation and every list it is in ask for its abstract's (50,000 calls
    took 0.6 s at 10,000 papers)."""
    sentence = _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]
    if len(sentence) > FIRST_SENTENCE_MAX:
        sentence = sentence[:FIRST_SENTENCE_MAX].rsplit(" ", 1)[0] + " …"
    return sentence


def listing_name(number: int, dump: Dump) -> str:
    """What a listing is called on the site: its date, or its place among the dumps."""
    listing = dump.listing
    if listing.value:
        return f"Listing of {listing.value.day} {calendar.month_name[listing.value.month]} {listing.value.year}"
    if listing.text:
        return f"Listing of {listing.text}" + (f" {listing.year}" if listing.year else ", year unknown")
    return f"Listing {number} (undated)"


def build_index(corpus: Corpus) -> SiteIndex:
    by_theme: dict[str, list[Paper]] = {t.slug: [] for t in corpus.themes}
    by_month: dict[tuple[int, int], list[Paper]] = defaultdict(list)
    by_dump: dict[str, list[Paper]] = {d.name: [] for d in corpus.dumps}
    undated = []
    for paper in corpus.papers:
        for match in paper.themes:
            by_theme[match.theme].append(paper)
        if paper.date:
            by_month[(paper.date.value.year, paper.date.value.month)].append(paper)
        else:
            undated.append(paper)
        for dump in paper.dumps:
            by_dump[dump].append(paper)
    in_time = sorted((p for p in corpus.papers if p.date), key=oldest_first)
    for papers in by_theme.values():
        papers.sort(key=newest_first)
    for papers in by_month.values():
        papers.sort(key=newest_first)  # months and their papers in one order: newest first
    undated.sort(key=lambda p: p.title.casefold())
    return SiteIndex(
        corpus=corpus,
        by_slug={p.slug: p for p in corpus.papers},
        by_theme=by_theme,
        by_month=dict(sorted(by_month.items(), reverse=True)),
        undated=undated,
        in_time=in_time,
        position={p.slug: i for i, p in enumerate(in_time)},
        by_dump=by_dump,
        themes={t.slug: t for t in corpus.themes},
        listing_names={d.name: listing_name(n, d) for n, d in enumerate(corpus.dumps, start=1)},
    )
