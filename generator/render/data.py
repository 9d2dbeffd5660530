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
