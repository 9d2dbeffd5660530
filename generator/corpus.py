"""Run the reading stages over a corpus folder: dumps -> records -> papers.

    sources (bytes, decoding) -> parse (records) -> dates (listing year)
    -> merge (one paper per title) -> themes -> related

Nothing here writes files. A dump that cannot be read is reported and
skipped; the rest still build.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from generator import dates, related, sources, themes
from generator.errors import DumpError
from generator.merge import merge
from generator.parse import parse_dump
from generator.model import Dump, ListingDate, Paper, Problem, Rejected, Source, Theme


@dataclass(frozen=True, slots=True)
class Corpus:
    path: Path
    dumps: tuple[Dump, ...]
    papers: tuple[Paper, ...]  # sorted by slug
    themes: tuple[Theme, ...]  # the file's themes, then "Other"
    duplicates: int
    problems: tuple[Problem, ...]

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        return tuple(r for d in self.dumps for r in d.rejected)

    @property
    def records_read(self) -> int:
        return sum(len(d.records) + len(d.rejected) for d in self.dumps)

    def accounting(self) -> str:
        return (f"records read {self.records_read} = papers {len(self.papers)} + duplicates merged "
                f"{self.duplicates} + rejected {len(self.rejected)}")


def read_dump(path: Path, settings: sources.SourceSettings | None) -> Dump:
    """One dump through sources, parse and dates. Raises DumpError if unreadable."""
    text = sources.decode(path.name, path.read_bytes(), settings)
    parsed = parse_dump(path.name, text.text)
    records = list(parsed.records)
    listing = dates.listing_date(path.name, parsed.listing_text, dates.explicit_years(records),
                                 settings.listing_date if settings else None)
    records, problems = dates.resolve_dates(records, listing, path.name)
    return Dump(path.name, parsed.layout, text.encoding, listing, tuple(records), parsed.rejected,
                parsed.problems + tuple(problems))


def unreadable_dump(path: Path, error: DumpError) -> Dump:
    """An unreadable dump still shows in the report, as one rejected record."""
    source = Source(path.name, error.line or 1)
    return Dump(path.name, "unreadable", "?", ListingDate(None, None, "unreadable"), (),
                (Rejected(source, f"dump not read: {error.reason}"),),
                (Problem(str(source) if error.line else path.name, error.reason),))


_last: tuple[tuple, Corpus] | None = None


def load_corpus(path: Path, with_related: bool = True) -> Corpus:
    """The corpus in `path`. Read once per state of the folder: `generator build`
    checks the corpus and then MkDocs' hook reads it again, and `mkdocs serve`
    rebuilds on edits to docs/ too; while no file in the folder changed, the
    same (immutable) Corpus is returned."""
    global _last
    key = (_signature(path), with_related)
    if _last is not None and _last[0] == key:
        return _last[1]
    corpus = _load(path, with_related)
    _last = (key, corpus)
    return corpus


def _signature(path: Path) -> tuple:
    """What identifies the folder's state: every file's name, size and change time."""
    if not path.is_dir():
        return (str(path),)
    return (str(path.resolve()),) + tuple(
        (p.name, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) for p in sorted(path.iterdir())
        if p.is_file()
        for st in (p.stat(),))


def _load(path: Path, with_related: bool) -> Corpus:
    dump_paths = sources.find_dumps(path)  # first: a missing folder is the clearest error
    settings = sources.load_settings(path)
    rules = themes.load_rules(path)
    dumps = []
    for dump_path in dump_paths:
        try:
            dumps.append(read_dump(dump_path, settings.get(dump_path.name)))
        except DumpError as error:
            dumps.append(unreadable_dump(dump_path, error))
    merged = merge([r for d in dumps for r in d.records])
    papers = merged.papers
    matches, theme_problems = themes.assign(papers, rules)
    similar = related.related(papers) if with_related else [()] * len(papers)
    papers = tuple(replace(p, themes=m, related=r) for p, m, r in zip(papers, matches, similar))
    problems = tuple(p for d in dumps for p in d.problems) + merged.problems + tuple(theme_problems)
    return Corpus(path, tuple(dumps), papers, rules.themes + (themes.OTHER,), merged.duplicates, problems)
