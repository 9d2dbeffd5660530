"""Papers as plain data: the JSON export and papers.json on the site."""

from __future__ import annotations

import json

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
    records = sorted((paper_record(p) for p in papers), key=lambda r: r["slug"])
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


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
    """The browse page's data: one row per paper, columns named once, themes and
    organizations as indexes into the lists the page's form holds. No abstracts:
    a snippet only, so 10,000 papers stay a small download.

    Row: [slug, title, date or "", year inferred 0/1, upvotes or -1, org index or -1,
          has code 0/1, [theme indexes], snippet, added or "", [why, per theme]]
    """
    theme_index = {slug: i for i, slug in enumerate(themes)}
    term_index: dict[str, int] = {}
    org_index = {oid: i for i, oid in enumerate(orgs)}
    rows = []
    for p in sorted(papers, key=lambda p: p.slug):
        rows.append([
            p.slug, p.title, p.date.value.isoformat() if p.date else "", int(bool(p.date and p.date.inferred)),
            -1 if p.upvotes is None else p.upvotes,
            org_index[org_id(p.org_handle)] if p.org_handle else -1,
            int(bool(p.code_links)), [theme_index[m.theme] for m in p.themes],
            snippet(p.abstract), p.added.isoformat() if p.added else "", [why(m, term_index) for m in p.themes],
        ])
    data = {"paper_url": paper_url("{slug}"), "themes": themes, "orgs": orgs, "terms": list(term_index),
            "columns": ["slug", "title", "date", "inferred", "upvotes", "org", "code", "themes", "snippet", "added",
                        "why"],
            "rows": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
