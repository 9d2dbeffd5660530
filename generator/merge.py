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
from dataclasses import dataclass
from typing import TypeVar

from generator.addresses import org_id
from generator.errors import CorpusError
from generator.links import extract_links
from generator.model import Organization, Paper, PaperDate, Problem, RawRecord
from generator.slugs import identity_key, paper_slug

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
    _check_unique_slugs(papers)
    papers.sort(key=lambda p: p.slug)
    return Merged(tuple(papers), len(records) - len(groups), tuple(problems))


def _merge_group(group: list[RawRecord]) -> tuple[Paper, list[Problem]]:
    first = group[0]
    problems: list[Problem] = []

    def conflict(what: str, values: list, fix: str) -> None:
        shown = "; ".join(f"{v!s:.60} ({', '.join(str(r.source) for r in rs)})" for v, rs in values)
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
                where = ", ".join(str(r.source) for r in records)
                problems.append(Problem(where, f"inferred date {other} disagrees with the explicit date {value} "
                                        f"shown in {explicit[0][1][0].source}; the explicit one wins",
                                        "state this dump's listing date in corpus/sources.yml",
                                        kind="conflict"))
        return PaperDate(value)
    if len(inferred) > 1:
        conflict("the inferred date", inferred, "state the listing dates in corpus/sources.yml")
    return PaperDate(inferred[0][0], inferred=True) if inferred else None


def _check_unique_slugs(papers: list[Paper]) -> None:
    seen: dict[str, Paper] = {}
    for paper in papers:
        other = seen.setdefault(paper.slug, paper)
        if other is not paper:
            # paper_slug hashes every lossy slug; reaching here means a hash collision.
            raise CorpusError(f"{paper.sources[0]} and {other.sources[0]}: two papers share the address "
                              f"{paper.slug!r}; please report this as a bug")


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
