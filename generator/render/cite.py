"""How a paper is cited and previewed elsewhere: BibTeX, and the head's meta
tags that reference managers (Highwire `citation_*`, read by Zotero) and link
previews (OpenGraph, Twitter cards) read. Pure functions of a Paper."""

from __future__ import annotations

import re

from generator.model import Paper
from generator.render.index import first_sentence

SITE_NAME = "Paper Atlas"
# BibTeX gives these a meaning inside a braced field (TeX: special characters).
_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
        "$": r"\$", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_TEX_RE = re.compile("|".join(map(re.escape, _TEX)))


def tex(text: str) -> str:
    return _TEX_RE.sub(lambda m: _TEX[m.group()], " ".join(text.split()))


def _optional(paper: Paper, name: str):
    """A field another stage may add (the Hugging Face API: arxiv_id, author_names)."""
    return getattr(paper, name, None)


def bibtex(paper: Paper, url: str) -> str:
    """A @misc entry (an @article once an arXiv id is known), keyed by slug and year."""
    year = paper.date.value.year if paper.date else None
    key = re.sub(r"[^a-z0-9]+", "", paper.slug.split("-")[0].lower())[:20] or "paper"
    key += str(year) if year else ""
    key += "_" + re.sub(r"[^a-z0-9]+", "", "".join(w[:1] for w in paper.slug.split("-")[1:6]))
    arxiv = _optional(paper, "arxiv_id")
    names = _optional(paper, "author_names") or ()
    fields = [("title", "{" + tex(paper.title) + "}")]
    if names:
        fields.append(("author", " and ".join(tex(n) for n in names)))
    if year:
        fields.append(("year", str(year)))
    if arxiv:
        fields += [("eprint", tex(arxiv)), ("archivePrefix", "arXiv")]
    fields += [("url", url), ("note", "Hugging Face Daily Papers, via Paper Atlas")]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def meta_tags(paper: Paper, url: str) -> list[dict[str, str]]:
    """(attribute -> value) per <meta> tag, raw text: front matter escapes it."""
    description = first_sentence(paper.abstract)
    tags = [{"name": "citation_title", "content": paper.title}]
    for name in _optional(paper, "author_names") or ():
        tags.append({"name": "citation_author", "content": name})
    if paper.date:
        tags.append({"name": "citation_publication_date", "content": paper.date.value.strftime("%Y/%m/%d")})
    arxiv = _optional(paper, "arxiv_id")
    if arxiv:
        tags.append({"name": "citation_arxiv_id", "content": arxiv})
        tags.append({"name": "citation_pdf_url", "content": f"https://arxiv.org/pdf/{arxiv}"})
    if url:
        tags.append({"name": "citation_abstract_html_url", "content": url})
    tags += [
        {"property": "og:type", "content": "article"},
        {"property": "og:site_name", "content": SITE_NAME},
        {"property": "og:title", "content": paper.title},
        {"property": "og:description", "content": description},
    ]
    if url:
        tags.append({"property": "og:url", "content": url})
    tags += [
        {"name": "twitter:card", "content": "summary"},
        {"name": "twitter:title", "content": paper.title},
        {"name": "twitter:description", "content": description},
    ]
    return tags
