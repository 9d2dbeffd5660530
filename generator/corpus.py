"""Run the reading stages over a corpus folder: dumps -> records -> papers.

    sources (bytes, decoding) -> parse (records) -> dates (listing year)
    -> merge (one paper per title) -> api + merge_api (stored Hugging Face
    API answers, corpus/api/) -> themes -> related

Nothing here writes files. A dump that cannot be read is reported and
skipped; the rest still build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from generator import addresses, api, children, dates, incremental, related, sources, themes
from generator.errors import DumpError
from generator.merge import Merged, merge, merge_api, organizations
from generator.model import ApiFile, Corpus, Dump, ListingDate, Paper, Problem, Rejected, Source
from generator.parse import parse_dump
from generator.slugs import identity_key


def read_dump(path: Path, settings: sources.SourceSettings | None) -> Dump:
    """One dump through sources, parse and dates. Raises DumpError if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:  # permissions, a disk error, a file removed meanwhile
        raise DumpError(path.name, f"cannot be read ({exc.strerror or exc}); check the file's permissions") from exc
    try:
        text = sources.decode(path.name, data, settings)
    except DumpError as error:
        return unreadable_dump(path, error, _records_held(path.name, data))
    parsed = parse_dump(path.name, text.text)
    records = list(parsed.records)
    listing = dates.listing_date(path.name, parsed.listing_text, dates.explicit_years(records),
                                 settings.listing_date if settings else None)
    records, problems = dates.resolve_dates(records, listing, path.name)
    return Dump(path.name, parsed.layout, text.encoding, listing, tuple(records), parsed.rejected,
                parsed.problems + tuple(problems))


def unreadable_dump(path: Path, error: DumpError, held: int | None = None) -> Dump:
    """An unreadable dump still shows in the report, as one rejected entry that stands for every
    record the dump holds (counted with undecodable bytes replaced; 1 when nothing can be counted)."""
    source = Source(path.name, error.line or 1)
    holding = f" (all {held} records in it)" if held and held > 1 else ""
    return Dump(path.name, "unreadable", "?", ListingDate(None, None, "unreadable"), (),
                (Rejected(source, f"dump not read{holding}: {error.reason}", records=held or 1),),
                (Problem(str(source) if error.line else path.name, error.reason + holding),))


def _records_held(name: str, data: bytes) -> int | None:
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # binary: nothing to count
    parsed = parse_dump(name, data.decode("utf-8", errors="replace"))
    return len(parsed.records) + len(parsed.rejected) or None


_last: tuple[tuple, Corpus] | None = None
@dataclass(frozen=True)
class _Pending:
    """A reading begun by start_loading, its related papers still being computed."""

    key: tuple  # the folder's state (load_corpus's key)
    finish: Callable[[], Corpus]  # returns the whole corpus, waiting for the related papers
    child: children.Worker | None  # computing them, in a one-off build
    early: Corpus  # the corpus read so far (no related papers)


_pending: _Pending | None = None


def load_corpus(path: Path, with_related: bool = True) -> Corpus:
    """The corpus in `path`. Read once per state of the folder: `generator build`
    checks the corpus and then MkDocs' hook reads it again, and `mkdocs serve`
    rebuilds on edits to docs/ too; while no file in the folder changed, the
    same (immutable) Corpus is returned. A reading begun by start_loading is
    finished, not begun again; a call for any other corpus (another folder or
    state, or without related papers) drops it, and stops its child."""
    global _last, _pending
    key = (_signature(path), with_related)
    if _last is not None and _last[0] == key:
        return _last[1]
    if _pending is not None and _pending.key == key:
        finish, _pending = _pending.finish, None
        corpus = finish()
    else:
        forget_pending()
        corpus = _begin(path, with_related)[1]()
    _last = (key, corpus)
    return corpus


def start_loading(path: Path) -> Corpus:
    """The corpus in `path` read now, its papers' `related` left empty (unless this process read it last):
    their computation goes on (in a child process, in a one-off build) while the caller does other work, and
    the next load_corpus(path) returns the whole corpus, waiting for them only then. `generator build`
    checks the corpus with this one, and MkDocs loads its config meanwhile (0.5-1 s of the build's critical
    path at 2,000 papers)."""
    global _pending
    forget_pending()
    key = (_signature(path), True)
    if _last is not None and _last[0] == key:
        return _last[1]  # (read already, related papers included)
    make, finish, child = _begin(path, True)
    early = make(None)
    _pending = _Pending(key, finish, child, early)
    return early


def read_so_far(path: Path) -> Corpus | None:
    """The corpus start_loading returned for `path` while the related papers it left out are still computed
    (the folder unchanged since), else None: what needs no related papers (the search index of titles and
    abstracts) is begun on it while they are."""
    if _pending is None or _pending.key != (_signature(path), True):
        return None
    return _pending.early


def computing_related() -> bool:
    """Whether the reading begun by start_loading has its related papers computed now, in a child process
    (the cache did not hold them): the caller can do what needs them only in part (the shared terms' word
    counts) while it would otherwise wait for them in load_corpus."""
    return _pending is not None and _pending.child is not None and _pending.child.alive()


def forget_pending() -> None:
    """A reading begun by start_loading that will not be finished (a failed build): its child stops."""
    global _pending
    pending, _pending = _pending, None
    if pending is not None and pending.child is not None:
        pending.child.stop()


def _signature(path: Path) -> tuple:
    """What identifies the folder's state: every file's name, size and change time
    (the stored API answers in api/ too)."""
    if not path.is_dir():
        return (str(path),)
    files = [p for p in sorted(path.iterdir()) if p.is_file()] + api.find_api_files(path)
    return (str(path.resolve()),) + tuple(
        (str(p.relative_to(path)), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) for p in files
        for st in (p.stat(),))


def _begin(path: Path, with_related: bool
           ) -> tuple[Callable[[list[tuple[str, ...]] | None], Corpus], Callable[[], Corpus], children.Worker | None]:
    """Read the corpus in `path` now: a function making it with given related papers (None: none), a function
    returning it whole (waiting for its related papers), and the child computing them, if any (a one-off
    build); the child is stopped when reading or waiting fails, Ctrl-C included."""
    early = _related_worker() if with_related else None
    try:
        make, later = _read_all(path, with_related, early)
    except BaseException:
        if early is not None:
            early.stop()
        raise

    def finish() -> Corpus:
        try:
            return make(later())
        except BaseException:
            if early is not None:
                early.stop()
            raise

    return make, finish, early


def _read_all(path: Path, with_related: bool, early: children.Worker | None
              ) -> tuple[Callable[[list[tuple[str, ...]] | None], Corpus], Callable[[], list[tuple[str, ...]] | None]]:
    """Everything read, as a function making the corpus of given related papers (None: none), and a function
    returning the related papers (waiting for them, when they are computed in `early`)."""
    dump_paths, refused = sources.scan(path)  # first: a missing folder is the clearest error
    settings = sources.load_settings(path)
    rules = themes.load_rules(path)
    # Entries that look like dumps but are not read (symlinks, folders, hidden...): listed, never silent.
    dumps = [unreadable_dump(Path(error.where), error) for error in refused]
    read, merged = _read_and_merge(dump_paths, settings)  # (refused entries hold no record to merge)
    dumps = sorted(dumps + read, key=lambda d: d.name)
    api_files = tuple(api.read_api_file(path, p) for p in api.find_api_files(path))
    matcher = themes.Matcher(rules)
    with_api = merge_api(merged.papers, [r for f in api_files for r in f.records],
                         belongs=lambda title, abstract, keywords:
                         matcher.match(title, abstract, keywords)[0].theme != themes.OTHER.slug)
    read_papers = with_api.papers
    later = _related_later(read_papers, early) if with_related else lambda: None
    matches, theme_problems = themes.assign(read_papers, rules)
    added = added_dates(read_papers, dumps, api_files)
    listing_ids, clashes = listing_ids_of(tuple(d.name for d in dumps))
    problems = (tuple(p for d in dumps for p in d.problems) + merged.problems + tuple(theme_problems) + clashes
                + tuple(p for f in api_files for p in f.problems) + with_api.problems)

    def corpus(similar: list[tuple[str, ...]] | None) -> Corpus:
        papers = tuple(replace(p, themes=m, related=r, added=added[p.slug])
                       for p, m, r in zip(read_papers, matches, similar or [()] * len(read_papers), strict=True))
        return Corpus(path, tuple(dumps), papers, rules.themes + (themes.OTHER,),
                      merged.duplicates + with_api.duplicates, problems, organizations(papers), listing_ids,
                      api_files, with_api.left_out)

    return corpus, later


def _related_worker() -> children.Worker | None:
    """For a build in a process that has not imported scikit-learn (a one-off build): a child process that
    imports it while the dumps are read (1-1.7 s), to compute the related papers while the themes are
    assigned (_related_later), off the build's critical path. Under `mkdocs serve` they are computed in
    process: a rebuild starts from the last computation."""
    if not incremental.active() or incremental.serving or "sklearn" in sys.modules:
        return None
    return children.Worker(preload=("generator.related", "sklearn.feature_extraction.text"))


def _related_later(papers: tuple[Paper, ...], worker: children.Worker | None) -> Callable[[], list[tuple[str, ...]]]:
    """The related papers: from the cache, or computed in `worker` (stopped if the cache holds them), or here."""
    key = tuple((p.slug, p.title, p.abstract) for p in papers)  # related() reads those three
    if worker is None:
        similar = incremental.memo(related.related, papers, key=key)
        return lambda: similar
    return incremental.memo_later(related.related, papers, key=key, worker=worker)


# The dumps this process read and merged last, by what identifies them (`_dumps_key`).
_last_dumps: tuple[tuple, tuple[list[Dump], Merged]] | None = None
_last_read: dict[tuple, Dump] = {}  # each dump of that call by what identifies it: (file stat, settings)


def _read_and_merge(dump_paths: list[Path], settings: dict[str, sources.SourceSettings]) -> tuple[list[Dump], Merged]:
    """The dumps read, and their records merged. While no dump changed (the same names, inodes, sizes and
    change times, the same settings) the last result is returned: under `mkdocs serve` an edit to
    themes.yml or docs/ reads and merges no dump again (1.5 s at 10,000 papers)."""
    global _last_dumps, _last_read
    key = _dumps_key(dump_paths, settings)
    if key is not None and _last_dumps is not None and _last_dumps[0] == key:
        return _last_dumps[1]
    dumps, read = [], {}
    for i, dump_path in enumerate(dump_paths):
        # A dump that did not change since the last call (the same file, settings) is not read again:
        # under `mkdocs serve` an edited dump is the only one read.
        each = None if key is None else (key[0][i], settings.get(dump_path.name))
        dump = _last_read.get(each) if each is not None else None
        if dump is None:
            try:
                dump = read_dump(dump_path, settings.get(dump_path.name))
            except DumpError as error:
                dump = unreadable_dump(dump_path, error)
        if each is not None:
            read[each] = dump
        dumps.append(dump)
    dumps.sort(key=lambda d: d.name)
    result = (dumps, merge([r for d in dumps for r in d.records]))
    _last_dumps = (key, result) if key is not None else None
    _last_read = read
    return result


def _dumps_key(dump_paths: list[Path], settings: dict[str, sources.SourceSettings]) -> tuple | None:
    try:
        stats = tuple((str(p.resolve()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                      for p in dump_paths for st in (p.stat(),))
    except OSError:
        return None  # read_dump says why
    return stats, tuple(sorted(settings.items(), key=lambda item: item[0]))


def added_dates(papers: tuple[Paper, ...], dumps: list[Dump], api_files: tuple[ApiFile, ...] = ()) -> dict:
    """slug -> the day each paper entered the atlas: the earliest of its dumps' listing
    dates and the days a stored API answer first fetched it (None when none is known)."""
    listed = {d.name: d.listing.value for d in dumps}
    fetched: dict[str, dt.date] = {}
    for api_file in api_files:
        for key, day in api_file.added:
            fetched[key] = min(day, fetched.get(key, day))

    def added(paper: Paper) -> dt.date | None:
        days = [day for name in paper.dumps if (day := listed.get(name))]
        days += [day for key in (paper.arxiv_id, identity_key(paper.title)) if key and (day := fetched.get(key))]
        return min(days, default=None)

    return {p.slug: added(p) for p in papers}


def listing_ids_of(names: tuple[str, ...]) -> tuple[dict[str, str], tuple[Problem, ...]]:
    """Each dump's listing address key. Dumps whose names slug alike ("a b.txt",
    "a-b.txt") each get a short hash of their own name appended, so no listing
    takes another's page whatever order they arrive in; `check` says so. A hashed
    key that another dump's name spells out ("a-b-19d703ab.txt"), or that two
    names share (a crafted collision), takes a longer hash: never an error."""
    by_slug: dict[str, list[str]] = {}
    for name in names:
        by_slug.setdefault(addresses.listing_slug(name), []).append(name)
    ids = {group[0]: slug for slug, group in by_slug.items() if len(group) == 1}
    taken, problems = set(ids.values()), []
    for slug, group in sorted(by_slug.items()):  # sorted: the keys depend on the names, not their order
        if len(group) == 1:
            continue
        for name in sorted(group):
            digest = hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()
            ids[name] = next(key for n in (8, 16, 40) if (key := f"{slug}-{digest[:n]}") not in taken)
            taken.add(ids[name])
        for name in group:
            others = [n for n in group if n != name]
            listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            problems.append(Problem(name, f"its name gives the same listing address as {listed}; "
                                    f"its listing page is listings/{ids[name]}/",
                                    "rename one of the dumps for a cleaner address"))
    return ids, tuple(problems)
