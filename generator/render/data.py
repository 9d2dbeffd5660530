"""Papers as plain data: the JSON export and papers.json on the site."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from generator import incremental
from generator.addresses import org_id, paper_url
from generator.model import Paper


def paper_record(paper: Paper) -> dict:
    return {
        "slug": paper.slug,
        "title": paper.title,
        "abstract": paper.abstract,
        "date": paper.date.value.isoformat() if paper.date else None,
        "date_inferred": bool(paper.date and paper.date.inferred),
        "added": paper.added.isoformat() if paper.added else None,
        "upvotes": paper.upvotes,
        "authors": paper.authors,
        "organization": paper.org_name,
        "organization_id": org_id(paper.org_handle) if paper.org_handle else None,
        "links": list(paper.links),
        "sources": [{"dump": s.dump, "line": s.line} for s in paper.sources],
        "themes": [m.theme for m in paper.themes],
        # Why the paper is in each theme: the terms that matched (weak ones listed again), score, by hand.
        "placements": [{"theme": m.theme, "terms": list(m.terms), "weak_terms": list(m.weak_terms),
                        "score": m.score, "manual": m.manual} for m in paper.themes],
        "url": paper_url(paper.slug),
        "has_code": bool(paper.code_links),
        "arxiv_id": paper.arxiv_id,
        "author_names": list(paper.author_names),
        "github": paper.github,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "keywords": list(paper.keywords),
        "ai_summary": paper.ai_summary,
        "hf_url": paper.hf_url,
        "featured": paper.featured.isoformat() if paper.featured else None,
        "origin": paper.origin,
        "api_sources": list(paper.api_sources),
    }


def papers_json(papers: tuple[Paper, ...]) -> str:
    """Every paper's record, one per line (readable, and diffs show the papers that changed). Each line is
    written by json's C encoder, which Python uses only without `indent` (indented: 1.1 s at 10,000 papers).
    Under `mkdocs serve` a rebuild writes only the lines of the papers that changed (`_LINES`)."""
    if not papers:
        return "[]\n"
    return "[\n" + ",\n".join(_LINES.each(sorted(papers, key=lambda p: p.slug))) + "\n]\n"


def _line(paper: Paper) -> str:
    return json.dumps(paper_record(paper), ensure_ascii=False)


_LINES = incremental.ServeMemory(_line)


SNIPPET_CHARS = 110


def snippet(text: str) -> str:
    """The start of an abstract, cut at a word: what a browse result shows under its title."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


WHY_TERMS = 2  # terms named per theme in a browse entry (the paper page names them all)


def why(match, term_index: dict[str, int]) -> list:
    """Why a paper is in a theme, compactly: "h" when placed by hand, else the indexes of
    its first terms in the data's term list (~index for a weak one), "+" when there are more."""
    if match.manual:
        return ["h"]
    out = [~term_index.setdefault(t, len(term_index)) if t in match.weak_terms
           else term_index.setdefault(t, len(term_index)) for t in match.terms[:WHY_TERMS]]
    return out + ["+"] if len(match.terms) > WHY_TERMS else out


def browse_json(papers: tuple[Paper, ...], themes: list[str], orgs: list[str]) -> str:
    """The browse page's data, as JSON text: one column per field, so each name is written once;
    themes, organizations and terms as indexes into lists; dates as day numbers (days since
    1970-01-01, null when none). No abstracts: a snippet only.

    Columns (one value per paper, papers in slug order): slug, title, date, inferred (0/1),
    upvotes (-1: none shown), org (index, -1: none), code (0/1), themes ([indexes]), snippet,
    added (day number or null), why ([codes] per theme, see `why`).
    """
    theme_index = {slug: i for i, slug in enumerate(themes)}
    term_index: dict[str, int] = {}
    org_index = {oid: i for i, oid in enumerate(orgs)}
    ordered = sorted(papers, key=lambda p: p.slug)
    columns: dict[str, list] = {
        "slug": [p.slug for p in ordered],
        "title": [p.title for p in ordered],
        "date": [_day(p.date.value) if p.date else None for p in ordered],
        "inferred": [int(bool(p.date and p.date.inferred)) for p in ordered],
        "upvotes": [-1 if p.upvotes is None else p.upvotes for p in ordered],
        "org": [org_index[org_id(p.org_handle)] if p.org_handle else -1 for p in ordered],
        "code": [int(bool(p.code_links)) for p in ordered],
        "themes": [[theme_index[m.theme] for m in p.themes] for p in ordered],
        "snippet": [snippet(p.abstract) for p in ordered],
        "added": [_day(p.added) if p.added else None for p in ordered],
        "why": [[why(m, term_index) for m in p.themes] for p in ordered],
    }
    data = {"paper_url": paper_url("{slug}"), "themes": themes, "orgs": orgs, "terms": list(term_index),
            "columns": columns}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def browse_data(papers: tuple[Paper, ...], themes: list[str], orgs: list[str]) -> bytes:
    """browse_json, gzip-compressed (deterministic: no time or name in the header). The page
    fetches these bytes and inflates them with the browser's DecompressionStream, as Pagefind
    does with its index: what crosses the network is this size on any host (0.7 MB at 10,000
    papers, 3.1 MB as JSON text), compressed by the server or not."""
    return _GZIPPED.each([browse_json(papers, themes, orgs)])[0]


def _gzip(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


# Under `mkdocs serve` the data is compressed again only when it changed (0.3 s at 10,000 papers): an edit
# that changes no paper's snippet, title, date or themes leaves it as it was.
_GZIPPED = incremental.ServeMemory(_gzip)


_EPOCH = dt.date(1970, 1, 1)


def _day(day: dt.date) -> int:
    return (day - _EPOCH).days
