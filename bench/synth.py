"""Synthetic Daily Papers corpora for the benchmark, built from the real corpus's statistics.

    python -m bench.synth --papers 10000 --seed 1 --out bench/work/corpus-10000

What is taken from the real corpus (corpus/*.txt):

* words: a bigram (first-order Markov) chain over title words and another over
  abstract words, so word frequencies and word pairs follow the real dumps;
* lengths: title and abstract lengths (in words) are drawn from the real ones;
* listings: dump sizes, the share of each kind of dump (compact; spaced with a
  metadata block under ~97% of records; spaced without metadata), how many
  listings show one paper (duplicates across dumps), author counts, the share
  of organization lines, explicit years and upvote counts.

Every paper has a distinct title (by the generator's identity key) and a
distinct abstract. A paper shown by two listings has the same title, abstract,
author count and date in both (upvotes may grow), so duplicates merge without
conflicts, as in the real corpus. Spaced dumps with metadata show the year only
for papers of earlier years; each holds a paper of the previous year, so the
generator infers the listing year as it does for the real dumps.

The output depends only on --papers, --seed and the real corpus: the same
arguments give byte-identical dumps.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from generator import dates, sources
from generator.parse import HEADER_LINES, parse_dump
from generator.slugs import identity_key
from generator.themes import without_manual_lists

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"
MONTHS = dates.MONTHS
MARKER = ".bench-synth"  # a folder holding it is ours to rewrite
LISTING_YEAR = 2025
TOPIC_STICKINESS = 0.9  # chance that a step follows the topic text rather than the whole corpus  # the year the synthetic listings were "saved" in
# Words a title does not end on.
_DANGLING = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to",
             "via", "vs", "with", "without", "towards", "through", "is", "are", "&", "-", "–", "—"}
_ORG_FALLBACK = [("google", "Google"), ("meta-llama", "Meta Llama"), ("nvidia", "NVIDIA"),
                 ("allenai", "Ai2"), ("microsoft", "Microsoft")]


# --------------------------------------------------------------------------- statistics of the real corpus

class Chain:
    """A first-order Markov chain over whitespace tokens; successors kept with multiplicity.

    Besides the corpus-wide successors it keeps each text's own, so a walk can
    stay near one real text ("topic") most of the time: synthetic abstracts then
    match about as many themes as real ones instead of every theme at once.
    """

    def __init__(self) -> None:
        self.next: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        self.local: list[dict[str, list[str]]] = []  # per text: word -> successors in that text

    def add(self, text: str) -> None:
        words = text.split()
        if not words:
            return
        self.starts.append(words[0])
        local: dict[str, list[str]] = defaultdict(list)
        for a, b in zip(words, words[1:]):
            self.next[a].append(b)
            local[a].append(b)
        self.local.append(dict(local))

    def step(self, rng: random.Random, word: str, topic: int | None = None) -> str:
        if topic is not None and rng.random() < TOPIC_STICKINESS:
            options = self.local[topic].get(word)
            if options:
                return rng.choice(options)
        options = self.next.get(word)
        return rng.choice(options) if options else rng.choice(self.starts)


@dataclass
class Stats:
    titles: Chain = field(default_factory=Chain)
    abstracts: Chain = field(default_factory=Chain)
    title_lengths: list[int] = field(default_factory=list)
    abstract_lengths: list[int] = field(default_factory=list)
    dump_sizes: list[int] = field(default_factory=list)
    dump_kinds: list[str] = field(default_factory=list)  # "compact", "meta", "plain"
    multiplicity: list[int] = field(default_factory=list)  # listings per real paper
    meta_share: float = 0.97  # records with a metadata block, in dumps that have them
    authors: list[int] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)  # None: shown without a year
    upvotes: list[int] = field(default_factory=list)
    orgs: list[tuple[str, str]] = field(default_factory=list)
    org_share: float = 0.02


def real_stats(corpus: Path = REAL_CORPUS) -> Stats:
    """Read the real dumps with the generator's own parser and collect the statistics above."""
    stats = Stats()
    seen: dict[str, set[str]] = defaultdict(set)  # identity key -> dumps
    metas, with_meta, in_meta_dumps = [], 0, 0
    for path in sources.find_dumps(corpus):
        text = sources.decode(path.name, path.read_bytes()).text
        parsed = parse_dump(path.name, text)
        records = parsed.records
        if not records:
            continue
        n_meta = sum(1 for r in records if r.meta is not None)
        kind = "compact" if parsed.layout == "compact" else ("meta" if n_meta * 2 > len(records) else "plain")
        stats.dump_kinds.append(kind)
        stats.dump_sizes.append(len(records))
        if kind == "meta":
            with_meta += n_meta
            in_meta_dumps += len(records)
        for r in records:
            key = identity_key(r.title)
            if key not in seen:
                stats.titles.add(r.title)
                stats.abstracts.add(r.abstract)
                stats.title_lengths.append(len(r.title.split()))
                stats.abstract_lengths.append(len(r.abstract.split()))
            seen[key].add(path.name)
            if r.meta is not None:
                metas.append(r.meta)
    if not stats.dump_sizes:
        raise SystemExit(f"{corpus}: no dumps to take statistics from")
    stats.multiplicity = [len(d) for d in seen.values()]
    if in_meta_dumps:
        stats.meta_share = with_meta / in_meta_dumps
    stats.authors = [m.authors for m in metas if m.authors is not None] or [3]
    stats.years = [m.year for m in metas] or [None]
    stats.upvotes = [m.upvotes for m in metas if m.upvotes is not None] or [0]
    stats.orgs = sorted({(m.org_handle, m.org_name) for m in metas if m.org_handle}) + _ORG_FALLBACK
    if metas:
        stats.org_share = sum(1 for m in metas if m.org_handle) / len(metas)
    return stats


# --------------------------------------------------------------------------- papers

@dataclass
class Paper:
    title: str
    abstract: str
    year: int
    month: int
    day: int
    authors: int | None
    org: tuple[str, str] | None


def _title(rng: random.Random, stats: Stats, topic: int) -> str:
    target = max(2, stats.title_lengths[topic] + rng.randint(-2, 2))
    words = [stats.titles.starts[topic] if rng.random() < 0.5 else rng.choice(stats.titles.starts)]
    while len(words) < target or words[-1].casefold() in _DANGLING or words[-1].endswith((":", ",", "-")):
        words.append(stats.titles.step(rng, words[-1], topic))
        if len(words) > target + 8:
            break
    while words and (words[-1].casefold() in _DANGLING or words[-1].endswith((":", ",", "-"))):
        words.pop()
    return " ".join(words)


def _abstract(rng: random.Random, stats: Stats, topic: int) -> str:
    target = max(30, rng.choice(stats.abstract_lengths) + rng.randint(-15, 15))
    words = [stats.abstracts.starts[topic] if rng.random() < 0.5 else rng.choice(stats.abstracts.starts)]
    while len(words) < target or not words[-1].endswith("."):
        words.append(stats.abstracts.step(rng, words[-1], topic))
        if len(words) > target + 40:
            words[-1] = words[-1].rstrip(",;:") + "."
            break
    return " ".join(words)


_DATE_LIKE = dates.LOOKS_LIKE_DATE


def _usable_line(text: str) -> bool:
    """A line the dump reader takes for what it is (not chrome, metadata or a date)."""
    return (bool(text) and text not in HEADER_LINES and not text.startswith(("Subscribe", "•", "·"))
            and not _DATE_LIKE.match(text))


def make_papers(n: int, rng: random.Random, stats: Stats) -> list[Paper]:
    papers: list[Paper] = []
    keys: set[str] = set()
    abstracts: set[str] = set()
    while len(papers) < n:
        topic = rng.randrange(len(stats.titles.local))  # a real paper to stay near
        title, abstract = _title(rng, stats, topic), _abstract(rng, stats, topic)
        key = identity_key(title)
        if (not _usable_line(title) or not _usable_line(abstract) or key in keys or abstract in abstracts
                or len(key) < 3):
            continue
        keys.add(key)
        abstracts.add(abstract)
        year = rng.choice(stats.years) or LISTING_YEAR
        year = min(year, LISTING_YEAR)
        month = rng.randint(1, 9 if year == LISTING_YEAR else 12)  # listings are saved Oct-Dec
        day = rng.randint(1, 28)
        org = rng.choice(stats.orgs) if rng.random() < stats.org_share else None
        authors = None if org else rng.choice(stats.authors)
        papers.append(Paper(title, abstract, year, month, day, authors, org))
    return papers


# --------------------------------------------------------------------------- listings

@dataclass
class Listing:
    name: str
    kind: str  # "compact", "meta", "plain"
    month: int
    day: int
    daily_papers_line: bool
    papers: list[int] = field(default_factory=list)  # indexes into papers, in listing order
    meta: list[bool] = field(default_factory=list)
    upvotes: list[int] = field(default_factory=list)


def make_listings(papers: list[Paper], rng: random.Random, stats: Stats) -> list[Listing]:
    n = len(papers)
    showings = [rng.choice(stats.multiplicity) for _ in range(n)]
    mean_size = sum(stats.dump_sizes) / len(stats.dump_sizes)
    count = max(1, round(sum(showings) / mean_size))
    kinds = [stats.dump_kinds[i % len(stats.dump_kinds)] for i in range(count)]
    rng.shuffle(kinds)
    listings = []
    for i, kind in enumerate(kinds):
        digest = hashlib.sha1(f"{rng.random()}".encode()).hexdigest()[:16]
        listings.append(Listing(f"{i:03d}_{digest}.txt", kind, rng.randint(10, 12) if kind == "meta" else
                                rng.randint(1, 12), rng.randint(1, 28), rng.random() < 0.7))
    # First showings: consecutive blocks of a shuffled order, sized like the real dumps.
    weights = [rng.choice(stats.dump_sizes) for _ in listings]
    total = sum(weights)
    bounds, acc = [], 0
    for w in weights:
        acc += w
        bounds.append(round(n * acc / total))
    order = list(range(n))
    rng.shuffle(order)
    cumulative = [sum(weights[:i + 1]) for i in range(len(weights))]
    start = 0
    for listing, end in zip(listings, bounds):
        listing.papers.extend(order[start:end])
        start = end
    # Further showings in other listings, drawn in proportion to the listing sizes.
    for index, times in enumerate(showings):
        if times < 2 or len(listings) < 2:
            continue
        chosen: set[int] = set()
        for _ in range(times - 1):
            for _attempt in range(20):
                k = bisect_right(cumulative, rng.random() * total)
                k = min(k, len(listings) - 1)
                if k not in chosen:
                    chosen.add(k)
                    break
        for k in sorted(chosen):
            if index not in listings[k].papers:
                listings[k].papers.append(index)
    for listing in listings:
        rng.shuffle(listing.papers)
        listing.meta = [listing.kind == "meta" and rng.random() < stats.meta_share for _ in listing.papers]
        listing.upvotes = [rng.choice(stats.upvotes) for _ in listing.papers]
    _previous_year_in_each(listings, papers, rng)
    return listings


def _previous_year_in_each(listings: list[Listing], papers: list[Paper], rng: random.Random) -> None:
    """Each metadata listing shows a paper of LISTING_YEAR - 1, so its year is inferred as LISTING_YEAR."""
    for listing in listings:
        shown = [i for i, m in zip(listing.papers, listing.meta) if m]
        if not shown or any(papers[i].year == LISTING_YEAR - 1 for i in shown):
            continue
        older = [i for i in shown if papers[i].year < LISTING_YEAR - 1] or shown
        papers[rng.choice(older)].year = LISTING_YEAR - 1


# --------------------------------------------------------------------------- text of the dumps

def _date_line(paper: Paper, upvotes: int) -> str:
    text = f"{MONTHS[paper.month - 1]} {paper.day}"
    if paper.year != LISTING_YEAR:
        text += f", {paper.year}"
    return f"{text} {upvotes}" if upvotes else text


def dump_text(listing: Listing, papers: list[Paper]) -> str:
    if listing.kind == "compact":
        lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]
        for n, index in enumerate(listing.papers):
            paper = papers[index]
            lines.append(("Subscribe" if n == 0 else "") + paper.title)
            lines.append(paper.abstract)
        return "\n".join(lines) + "\n"
    blocks = ["new", "Get trending papers in your email inbox!", "Subscribe"]
    if listing.daily_papers_line:
        blocks.append("Daily Papers")
    blocks += ["byAK and the research community", f"{MONTHS[listing.month - 1]} {listing.day}"]
    for index, meta, upvotes in zip(listing.papers, listing.meta, listing.upvotes):
        paper = papers[index]
        blocks += [paper.title, paper.abstract]
        if meta:
            head = f"{paper.org[0]} {paper.org[1]}" if paper.org else \
                f"  • {paper.authors} authors"  # the site says "1 authors" too
            blocks.append(f"{head}\n·\n{_date_line(paper, upvotes)}")
    return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------- the corpus

@dataclass
class Synthetic:
    papers: list[Paper]
    listings: list[Listing]

    @property
    def records(self) -> int:
        return sum(len(listing.papers) for listing in self.listings)


def make(n: int, seed: int, corpus: Path = REAL_CORPUS, stats: Stats | None = None) -> Synthetic:
    if n < 1:
        raise ValueError("need at least one paper")
    rng = random.Random(seed)
    stats = stats or real_stats(corpus)
    papers = make_papers(n, rng, stats)
    listings = make_listings(papers, rng, stats)
    return Synthetic(papers, listings)


def write(synthetic: Synthetic, out: Path, corpus: Path = REAL_CORPUS) -> Path:
    """Write the dumps and a copy of the real themes.yml into `out` (its old dumps are removed)."""
    out = out.resolve()
    repo = Path(os.environ.get("PAPER_ATLAS_BENCH_REPO") or ROOT)  # bench.run measures a snapshot of the repo
    for forbidden in {p.resolve() for p in (REAL_CORPUS, ROOT / "site", repo / "corpus", repo / "site")}:
        if out == forbidden or out.is_relative_to(forbidden):
            raise SystemExit(f"{out}: refusing to write inside {forbidden}")
    marker = out / MARKER
    if out.exists() and any(out.iterdir()) and not marker.exists():
        raise SystemExit(f"{out}: exists, is not empty and was not written by bench.synth; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    marker.write_text("written by bench.synth; its dumps are replaced on every run\n", encoding="utf-8")
    for old in out.glob("*.txt"):
        old.unlink()
    (out / "sources.yml").unlink(missing_ok=True)
    for listing in synthetic.listings:
        (out / listing.name).write_text(dump_text(listing, synthetic.papers), encoding="utf-8")
    # Without include/exclude lists: they name real papers, which a synthetic corpus does not hold.
    (out / "themes.yml").write_text(without_manual_lists((corpus / "themes.yml").read_text(encoding="utf-8")),
                                    encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True, metavar="N", help="distinct papers")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="corpus folder to write")
    parser.add_argument("--corpus", type=Path, default=REAL_CORPUS, metavar="DIR",
                        help="real corpus to take the statistics and themes.yml from (default: corpus)")
    args = parser.parse_args(argv)
    synthetic = make(args.papers, args.seed, args.corpus)
    write(synthetic, args.out, args.corpus)
    print(f"wrote {len(synthetic.listings)} dumps ({synthetic.records} records, {len(synthetic.papers)} papers) "
          f"to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
