"""Raw records -> Papers: identity, duplicates, provenance, conflicts.

One paper is every record whose title has the same identity key
(slugs.identity_key). Metadata merges by these rules:
explicit date over inferred; highest upvote count seen; authors and
organization from whichever listing shows them. Two listings that really
disagree (different abstracts, author counts, explicit dates or
organizations) are reported as problems; the first listing's value is used.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from generator.addresses import org_id
from generator.errors import CorpusError
from generator.links import extract_links
from generator.model import ApiRecord, Organization, Paper, PaperDate, Problem, RawRecord
from generator.slugs import LONGER_HASHES, identity_key, paper_slug

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Merged:
    papers: tuple[Paper, ...]  # sorted by slug
    duplicates: int  # records folded into a paper seen before
    problems: tuple[Problem, ...]


def merge(records: list[RawRecord]) -> Merged:
    groups: dict[str, list[RawRecord]] = {}
    for record in records:
        groups.setdefault(identity_key(record.title), []).append(record)
    papers, problems = [], []
    for group in groups.values():
        paper, found = _merge_group(group)
        papers.append(paper)
        problems.extend(found)
    papers, clashes = unique_slugs(papers)
    return Merged(tuple(papers), len(records) - len(groups), tuple(problems + clashes))


def _merge_group(group: list[RawRecord]) -> tuple[Paper, list[Problem]]:
    first = group[0]
    problems: list[Problem] = []

    def conflict(what: str, values: list, fix: str) -> None:
        shown = _at_most([f"{v!s:.60} ({_at_most([str(r.source) for r in rs], SHOWN_SOURCES, ', ')})"
                          for v, rs in values], SHOWN_VARIANTS, "; ")
        problems.append(Problem(str(first.source), f'"{first.title[:80]}": listings disagree on {what}: '
                                f"{shown}; using the first", fix, kind="conflict"))

    abstracts = _distinct(group, lambda r: " ".join(r.abstract.split()))
    if len(abstracts) > 1:
        conflict("the abstract", abstracts, "check which listing is right and correct the other dump")
    metas = [r for r in group if r.meta is not None]
    authors = _distinct(metas, lambda r: r.meta.authors if r.meta else None)
    if len(authors) > 1:
        conflict("the author count", authors, "correct the wrong listing")
    orgs = _distinct(metas, lambda r: r.meta.org_name if r.meta else None)
    if len(orgs) > 1:
        conflict("the organization", orgs, "correct the wrong listing")
    date = _merge_dates(group, conflict, problems)
    upvotes = [r.meta.upvotes for r in metas if r.meta and r.meta.upvotes is not None]
    org_meta = next((r.meta for r in metas if r.meta and r.meta.org_name), None)
    title = Counter(r.title for r in group).most_common(1)[0][0]
    abstract = first.abstract
    return Paper(
        slug=paper_slug(title),
        title=title,
        abstract=abstract,
        date=date,
        upvotes=max(upvotes) if upvotes else None,
        authors=authors[0][0] if authors else None,
        org_handle=org_meta.org_handle if org_meta else None,
        org_name=org_meta.org_name if org_meta else None,
        links=extract_links(abstract),
        sources=tuple(r.source for r in group),
    ), problems


SHOWN_VARIANTS = 5  # a conflict line lists at most this many values (10,000 variants made one 750 kB line)
SHOWN_SOURCES = 3  # ... and at most this many dump lines per value


def _at_most(items: list[str], limit: int, sep: str) -> str:
    shown = sep.join(items[:limit])
    return shown + (f"{sep}and {len(items) - limit} more" if len(items) > limit else "")


def _distinct(records: list[RawRecord], value: Callable[[RawRecord], T | None]) -> list[tuple[T, list[RawRecord]]]:
    """Distinct non-None values in first-seen order, with the records showing each."""
    seen: dict[T, list[RawRecord]] = {}
    for r in records:
        v = value(r)
        if v is not None:
            seen.setdefault(v, []).append(r)
    return list(seen.items())


def _date_value(record: RawRecord) -> dt.date | None:
    return record.date.value if record.date else None


def _merge_dates(group: list[RawRecord], conflict, problems: list[Problem]) -> PaperDate | None:
    explicit = _distinct([r for r in group if r.date and not r.date.inferred], _date_value)
    inferred = _distinct([r for r in group if r.date and r.date.inferred], _date_value)
    if len(explicit) > 1:
        conflict("the date", explicit, "correct the wrong listing")
    if explicit:
        value = explicit[0][0]
        for other, records in inferred:
            if other != value:
                where = _at_most([str(r.source) for r in records], SHOWN_SOURCES, ", ")
                problems.append(Problem(where, f"inferred date {other} disagrees with the explicit date {value} "
                                        f"shown in {explicit[0][1][0].source}; the explicit one wins",
                                        "state this dump's listing date in corpus/sources.yml",
                                        kind="conflict"))
        return PaperDate(value)
    if len(inferred) > 1:
        conflict("the inferred date", inferred, "state the listing dates in corpus/sources.yml")
    return PaperDate(inferred[0][0], inferred=True) if inferred else None


def unique_slugs(papers: list[Paper]) -> tuple[list[Paper], list[Problem]]:
    """`papers` sorted by slug, each slug unique. Different papers share a slug only when their
    hash suffixes collide (paper_slug hashes every lossy slug): all of them then get a longer
    hash, so the result depends on the set of titles, never on their order. A problem line says so."""
    problems: list[Problem] = []
    for length in (*LONGER_HASHES, None):
        by_slug: dict[str, list[Paper]] = {}
        for paper in papers:
            by_slug.setdefault(paper.slug, []).append(paper)
        clashing = [group for group in by_slug.values() if len(group) > 1]
        if not clashing:
            return sorted(papers, key=lambda p: p.slug), problems
        if length is None:
            raise CorpusError(f"papers share an address even with a {LONGER_HASHES[-1]}-digit hash: "
                              + "; ".join(p.title[:60] for p in clashing[0]) + "; please report this as a bug")
        longer = {}
        for group in clashing:
            group.sort(key=lambda p: identity_key(p.title))
            for paper in group:
                longer[id(paper)] = replace(paper, slug=paper_slug(paper.title, length))
            problems.append(Problem(str(group[0].sources[0]) if group[0].sources else group[0].slug,
                                    f"{len(group)} papers share the address papers/{group[0].slug}/ "
                                    f"(a hash collision): {'; '.join(repr(p.title[:60]) for p in group)}; "
                                    f"each gets a longer address", "nothing to do; the pages are distinct"))
        papers = [longer.get(id(p), p) for p in papers]
    raise AssertionError("unreachable: the last length is None")


def organizations(papers: tuple[Paper, ...]) -> tuple[Organization, ...]:
    """One organization per address (addresses.org_id of the handle), most papers first.

    A handle shown with two display names, or two handles that slug alike, is
    one organization, named as most of its papers' listings name it.
    """
    members: dict[str, list[Paper]] = {}
    for paper in papers:
        if paper.org_handle:
            members.setdefault(org_id(paper.org_handle), []).append(paper)
    orgs = []
    for key, group in members.items():
        handle = Counter(p.org_handle or "" for p in group).most_common(1)[0][0]  # every one has a handle
        name = Counter(p.org_name or p.org_handle or "" for p in group).most_common(1)[0][0]
        orgs.append(Organization(key, handle, name, tuple(p.slug for p in group)))
    return tuple(sorted(orgs, key=lambda o: (-len(o.papers), o.name.casefold(), o.id)))


# Papers from the Hugging Face API (stored answers, generator/api.py).
#
# One paper is every API record with the same arXiv id or the same identity
# key (normalized title), and a dump paper with that identity key. Rules:
# - a dump paper keeps its slug and title (its address never moves) and its
#   abstract; it gains the API's arXiv id, author names and links;
# - the API's date (paper.publishedAt, else the day of the listing it came
#   from), upvotes, organization and author count win over a dump's; a dump's
#   explicit date that is neither the API's publication nor its featured day,
#   an author count or organization that differ, are reported as conflicts;
# - an API paper no dump shows joins when it came from a stored search, and
#   from a Daily Papers listing only when a theme's terms match it
#   (`belongs`); the rest (and enrich results whose dump paper is gone) are
#   counted as left out.


@dataclass(frozen=True, slots=True)
class MergedApi:
    papers: tuple[Paper, ...]  # sorted by slug: the dump papers (some enriched) and the API papers joining
    duplicates: int  # API records folded into a paper
    left_out: int  # API records of Daily Papers papers that matched no theme (or enrich without its dump paper)
    problems: tuple[Problem, ...]


def merge_api(papers: tuple[Paper, ...], records: list[ApiRecord], belongs) -> MergedApi:
    """Fold API records into the dump papers; `belongs(title, abstract, keywords)` decides for Daily Papers."""
    groups, problems = _group_api(records)
    by_key = {identity_key(p.title): p for p in papers}
    result: dict[str, Paper] = {p.slug: p for p in papers}
    joined: list[Paper] = []
    duplicates = left_out = 0
    for group in groups:
        keys = [r.enriches or identity_key(r.title) for r in group]
        dump_paper = next((by_key[k] for k in keys if k in by_key), None)
        if dump_paper is not None:
            current = result[dump_paper.slug]
            if current.api_sources:  # a second arXiv id for a paper already enriched
                problems.append(Problem(group[0].where, f'"{current.title[:80]}": a second arXiv id '
                                        f"{group[0].arxiv_id} (the paper has {current.arxiv_id}); ignored",
                                        "remove the wrong answer from corpus/api/", kind="conflict"))
                duplicates += len(group)
                continue
            paper, found = _enrich(current, group)
            result[paper.slug] = paper
            problems.extend(found)
            duplicates += len(group)
        elif any(r.kind == "search" for r in group) or (
                any(r.kind == "daily" for r in group)
                and belongs(group[0].title, _first(r.abstract for r in group) or "",
                            _first(r.keywords for r in group) or ())):
            joined.append(_api_paper(group))  # beside, not into, `result`: a slug collision must not replace
            duplicates += len(group) - 1
        else:
            left_out += len(group)
    merged, clashes = unique_slugs(list(result.values()) + joined)
    return MergedApi(tuple(merged), duplicates, left_out, tuple(problems + clashes))


def _group_api(records: list[ApiRecord]) -> tuple[list[list[ApiRecord]], list[Problem]]:
    """Records of one paper together: same arXiv id, or same identity key."""
    groups: list[list[ApiRecord]] = []
    by_id: dict[str, int] = {}
    by_key: dict[str, int] = {}
    problems: list[Problem] = []
    for record in records:
        key = identity_key(record.title)
        if record.enriches is not None and record.enriches != key:
            problems.append(Problem(record.where, f'enrich result "{record.title[:80]}" is not the paper looked '
                                    "up by its title; ignored", "run enrich again"))
            continue
        index = by_id.get(record.arxiv_id) if record.arxiv_id else None
        if index is None:
            index = by_key.get(key)
            if index is not None and record.arxiv_id and groups[index][0].arxiv_id not in (None, record.arxiv_id):
                problems.append(Problem(record.where, f'"{record.title[:80]}": arXiv id {record.arxiv_id} and '
                                        f"{groups[index][0].arxiv_id} ({groups[index][0].where}) have the same "
                                        "title; shown as one paper", kind="conflict"))
        if index is None:
            index = len(groups)
            groups.append([])
        groups[index].append(record)
        if record.arxiv_id:
            by_id.setdefault(record.arxiv_id, index)
        by_key.setdefault(key, index)
    # The record with an arXiv id first: it names the paper.
    return [sorted(g, key=lambda r: r.arxiv_id is None) for g in groups], problems


def _first(values):
    return next((v for v in values if v), None)


def _api_fields(group: list[ApiRecord]) -> dict:
    names = _first(r.author_names for r in group) or ()
    org = next((r for r in group if r.org_handle), None)
    upvotes = [r.upvotes for r in group if r.upvotes is not None]
    stars = [r.github_stars for r in group if r.github_stars is not None]
    return dict(
        arxiv_id=_first(r.arxiv_id for r in group),
        author_names=names,
        github=_first(r.github for r in group),
        github_stars=max(stars) if stars else None,  # counts only grow: the newest answer
        project_page=_first(r.project_page for r in group),
        keywords=_first(r.keywords for r in group) or (),
        ai_summary=_first(r.ai_summary for r in group),
        featured=_first(r.featured for r in group),
        api_sources=tuple(dict.fromkeys(r.file for r in group)),
        upvotes=max(upvotes) if upvotes else None,
        org_handle=org.org_handle if org else None,
        org_name=org.org_name if org else None,
    )


def _api_paper(group: list[ApiRecord]) -> Paper:
    first = group[0]
    abstract = _first(r.abstract for r in group) or ""
    fields = _api_fields(group)
    date = _first(r.date for r in group)
    return Paper(slug=paper_slug(first.title), title=first.title, abstract=abstract,
                 date=PaperDate(date) if date else None, authors=len(fields["author_names"]) or None,
                 links=extract_links(abstract), sources=(), **fields)


def _enrich(paper: Paper, group: list[ApiRecord]) -> tuple[Paper, list[Problem]]:
    fields = _api_fields(group)
    where = group[0].where
    problems = []

    def conflict(what: str, dump_value, api_value) -> None:
        problems.append(Problem(where, f'"{paper.title[:80]}": the API and the dumps disagree on {what}: '
                                f"{api_value} here, {dump_value} in {paper.sources[0]}; using the API's",
                                "check which is right; correct the dump if it is wrong", kind="conflict"))

    date = _first(r.date for r in group)
    if date and paper.date and not paper.date.inferred and paper.date.value not in (date, fields["featured"]):
        conflict("the date", paper.date.value, date)
    names = fields["author_names"]
    if names and paper.authors is not None and paper.authors != len(names):
        conflict("the author count", paper.authors, len(names))
    if fields["org_handle"] and paper.org_handle and org_id(fields["org_handle"]) != org_id(paper.org_handle):
        conflict("the organization", paper.org_handle, fields["org_handle"])
    for name in ("upvotes", "org_handle", "org_name"):
        if fields[name] is None:
            fields[name] = getattr(paper, name)
    return replace(paper, date=PaperDate(date) if date else paper.date, authors=len(names) or paper.authors,
                   **fields), problems
