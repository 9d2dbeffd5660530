"""The shapes passed between stages. Frozen: a stage never edits another's output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.links import is_code


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record was read: dump file name and 1-based line of its title."""

    dump: str
    line: int

    def __str__(self) -> str:
        return f"{self.dump}:{self.line}"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a person should look at. `where` is `dump:line` or a file name."""

    where: str
    message: str
    fix: str = ""
    kind: str = ""  # "conflict" for listings that disagree

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text


@dataclass(frozen=True, slots=True)
class PaperDate:
    """A calendar date as shown in a listing; `inferred` marks a year we inferred."""

    value: dt.date
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Metadata:
    """The block under an abstract in the spaced layout."""

    date_text: str | None  # "Jul 19" or "Jul 19, 2023" as shown; None when missing or broken
    month: int | None
    day: int | None
    year: int | None  # None when the listing showed no year
    upvotes: int | None  # None when the count was not a number
    authors: int | None = None
    org_handle: str | None = None
    org_name: str | None = None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One paper as one listing showed it, before merging."""

    source: Source
    title: str
    abstract: str
    meta: Metadata | None = None
    date: PaperDate | None = None  # filled in by dates.resolve_dates


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that gets no page, and why."""

    source: Source
    reason: str
    text: str = ""
    records: int = 1  # a dump that could not be read stands for every record it holds


def count(rejected) -> int:
    """How many records the rejected entries stand for."""
    return sum(r.records for r in rejected)


@dataclass(frozen=True, slots=True)
class ListingDate:
    """The date a dump was saved on, as far as we know it."""

    text: str | None  # "Oct 28" as shown in the dump, or None
    value: dt.date | None  # None unless both the day and the year are known
    rule: str  # how the year was found, for the check report
    year: int | None = None  # the listing's year, known even when the day is not
    inferred: bool = False  # the year was inferred, not stated


@dataclass(frozen=True, slots=True)
class Dump:
    """One parsed dump file."""

    name: str
    layout: str  # "compact" or "spaced" (or "mixed", "empty")
    encoding: str
    listing: ListingDate
    records: tuple[RawRecord, ...]
    rejected: tuple[Rejected, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def with_metadata(self) -> int:
        return sum(1 for r in self.records if r.meta is not None)


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper after merging every listing that showed it."""

    slug: str
    title: str
    abstract: str
    date: PaperDate | None
    upvotes: int | None
    authors: int | None
    org_handle: str | None
    org_name: str | None
    links: tuple[str, ...]
    sources: tuple[Source, ...]
    themes: tuple[ThemeMatch, ...] = ()
    related: tuple[str, ...] = ()  # slugs, most similar first
    # From the Hugging Face API (generator/api.py); empty for a paper only dumps show.
    arxiv_id: str | None = None
    author_names: tuple[str, ...] = ()
    github: str | None = None  # checked http(s) URLs only
    github_stars: int | None = None
    project_page: str | None = None
    keywords: tuple[str, ...] = ()
    ai_summary: str | None = None
    featured: dt.date | None = None  # the day it was featured in Daily Papers
    api_sources: tuple[str, ...] = ()  # stored API files that hold it (corpus-relative)
    # The day the paper entered the atlas: the earliest listing date of its
    # dumps (corpus.added_dates). None when no listing it came from is dated.
    added: dt.date | None = None

    @property
    def dumps(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.dump for s in self.sources))

    @property
    def origin(self) -> str:
        """"dump", "api" or "both": where the paper was read from."""
        if self.sources and self.api_sources:
            return "both"
        return "api" if self.api_sources else "dump"

    @property
    def hf_url(self) -> str | None:
        return f"https://huggingface.co/papers/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def code_links(self) -> tuple[str, ...]:
        """The repository the API names, then code links in the abstract."""
        found = ((self.github,) if self.github else ()) + tuple(u for u in self.links if is_code(u))
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class ApiRecord:
    """One paper as a stored Hugging Face API answer showed it (generator/api.py)."""

    file: str  # corpus-relative path of the stored answer, e.g. api/daily/2025-10-28.json
    index: int  # 0-based position of the item in that file
    kind: str  # "daily", "search" or "enrich"
    arxiv_id: str | None
    title: str
    abstract: str
    date: dt.date | None  # paper.publishedAt, else the listing's date
    featured: dt.date | None  # paper.submittedOnDailyAt
    upvotes: int | None
    author_names: tuple[str, ...]
    org_handle: str | None
    org_name: str | None
    github: str | None
    github_stars: int | None
    project_page: str | None
    keywords: tuple[str, ...]
    ai_summary: str | None
    enriches: str | None = None  # for "enrich": the identity key of the dump paper it was looked up for

    @property
    def where(self) -> str:
        return f"{self.file} item {self.index + 1}"


@dataclass(frozen=True, slots=True)
class ApiFile:
    """One stored API answer, read."""

    path: str  # corpus-relative
    kind: str
    request: str  # what was asked, e.g. "date=2025-10-28" or "q=spiking"
    records: tuple[ApiRecord, ...]
    problems: tuple[Problem, ...] = ()
    unmatched: tuple[str, ...] = ()  # enrich: titles whose lookup found no exact match
    rejected: tuple[Rejected, ...] = ()  # Source(file, item number)
    added: tuple[tuple[str, dt.date], ...] = ()  # (arXiv id or identity key, day first fetched)


@dataclass(frozen=True, slots=True)
class Theme:
    slug: str
    name: str
    description: str
    terms: tuple[str, ...]  # strong: one places a paper
    weak: tuple[str, ...] = ()  # weak: two are needed (or one with a strong term)
    include: tuple[tuple[str, int], ...] = ()  # (slug or title, line in themes.yml): placed by hand
    exclude: tuple[tuple[str, int], ...] = ()  # kept out by hand


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    """A paper's place in a theme and why: the terms that matched, the score, weak or manual."""

    theme: str  # theme slug
    terms: tuple[str, ...] = field(default=())  # every term that matched, strong ones first
    weak_terms: tuple[str, ...] = ()  # those of `terms` that are weak
    score: float = 0.0
    manual: bool = False  # placed by the theme's `include` list

    @property
    def weak(self) -> bool:
        """Placed on weak terms alone (two or more), not by hand."""
        return not self.manual and bool(self.terms) and len(self.weak_terms) == len(self.terms)


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization that submitted papers, as grouped while merging: one per address.

    A handle shown with two display names (or two handles that slug alike) is
    one organization, named as most of its papers' listings name it.
    """

    id: str  # addresses.org_id of the handle: its page is orgs/<id>/
    handle: str
    name: str
    papers: tuple[str, ...]  # slugs


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything read from a corpus folder: what rendering and reporting work from."""

    path: Path
    dumps: tuple[Dump, ...]
    papers: tuple[Paper, ...]  # sorted by slug
    themes: tuple[Theme, ...]  # the file's themes, then "Other"
    duplicates: int
    problems: tuple[Problem, ...]
    orgs: tuple[Organization, ...] = ()  # most papers first, then by name
    listing_ids: dict[str, str] = field(default_factory=dict)  # dump name -> listing address key
    api_files: tuple[ApiFile, ...] = ()
    left_out: int = 0  # Daily Papers API papers that matched no theme, so are not in the atlas

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        return tuple(r for d in self.dumps for r in d.rejected) + tuple(r for f in self.api_files for r in f.rejected)

    @property
    def records_read(self) -> int:
        return (sum(len(d.records) + count(d.rejected) for d in self.dumps)
                + sum(len(f.records) + count(f.rejected) for f in self.api_files))

    @property
    def unmatched(self) -> tuple[str, ...]:
        """Titles whose enrich lookup found no paper of exactly that title."""
        return tuple(t for f in self.api_files for t in f.unmatched)

    def accounting(self) -> str:
        text = (f"records read {self.records_read} = papers {len(self.papers)} + duplicates merged "
                f"{self.duplicates} + rejected {count(self.rejected)}")
        return text + (f" + left out (Daily Papers matching no theme) {self.left_out}" if self.api_files else "")
