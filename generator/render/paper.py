"""Paper pages: one per paper, at its permanent address."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from generator import addresses, incremental
from generator.links import is_code
from generator.model import Paper
from generator.related import english_stop_words
from generator.render import cite, environment, escape, fragments
from generator.render.environment import render
from generator.render.fragments import date_text
from generator.render.index import SiteIndex
from generator.render.vocabulary import plain_forms, spaced_compounds

SHARED_TERMS = 4  # words named in a related paper's reason
_WORD = re.compile(r"[a-z][a-z0-9-]{3,}")


class PaperLinks(dict):
    """slug -> '<a href="../slug/">Title</a> · date', the link from one paper page to another.

    A paper is linked from many others (related, previous, next); its title is
    escaped once per build instead of once per link.
    """

    def __init__(self, site: SiteIndex):
        super().__init__()
        self.site = site

    def __missing__(self, slug: str) -> str:
        paper = self.site.by_slug[slug]
        target = addresses.href(addresses.paper(slug), addresses.paper(""))
        title = escape.html_attr(paper.title)
        self[slug] = link = f'<a href="{escape.html_attr(target)}">{title}</a> · {date_text(paper)}'
        return link


class SharedTerms:
    """Why two papers are related: the rarest words both use (the terms TF-IDF weighs most).

    Under `mkdocs serve` (`last`: the previous build's) a pair's terms are taken from the last build when
    neither paper's words changed and not both of them hold a word whose count changed: the words they share
    are the same, in the same order of rarity (an edited abstract at 10,000 papers: its own pairs only)."""

    def __init__(self, papers: tuple[Paper, ...], last: SharedTerms | None = None):
        words = _WORDS.each([f"{p.title} {p.abstract}".lower() for p in papers])
        self.words = {p.slug: found for p, found in zip(papers, words, strict=True)}
        self.df = df = Counter(w for found in words for w in found)
        # Rarest first, ties alphabetical: each word's place in that order, so that sorting a pair's shared
        # words compares integers.
        self.rank = {w: i for i, w in enumerate(sorted(df, key=lambda w: (df[w], w)))}
        self.pairs: dict[tuple[str, str], list[str]] = {}
        self.kept: dict[tuple[str, str], list[str]] = {}
        self.fresh: set[str] = set()  # papers whose words changed (any pair of theirs is made again)
        self.holding: set[str] = set()  # papers holding a word whose count changed
        if last is not None:
            moved = {w for w in df.keys() | last.df.keys() if df[w] != last.df[w]}
            before = last.words
            self.fresh = {slug for slug, found in self.words.items()
                          if (old := before.get(slug)) is not found and old != found}
            self.holding = {slug for slug, found in self.words.items() if not found.isdisjoint(moved)}
            self.kept = last.pairs

    def __call__(self, a: str, b: str) -> list[str]:
        pair = (a, b)
        kept = self.kept.get(pair)
        if kept is None or a in self.fresh or b in self.fresh or (a in self.holding and b in self.holding):
            kept = sorted(self.words[a] & self.words[b], key=self.rank.__getitem__)[:SHARED_TERMS]
        self.pairs[pair] = kept
        return kept


# Under `mkdocs serve`: the last build's shared terms (SharedTerms' `last`), with the code key they were made by.
_last_shared: tuple[str | None, SharedTerms] | None = None
# Words counted by count_words_ahead: (the texts they were counted in, the SharedTerms with no pair made yet).
_ahead: tuple[tuple, SharedTerms] | None = None


def count_words_ahead(papers: tuple[Paper, ...]) -> None:
    """Count the papers' words for their shared terms now (SharedTerms without its pairs: 0.4 s at 2,000
    papers, 1.2 s at 10,000), before their related papers are known: `generator build` does it on the
    corpus read so far while a child computes them, which the build waits for otherwise. shared_terms
    takes them when it is given papers of the same slugs, titles and abstracts (the words depend on nothing
    else); paper_pages forgets them."""
    global _ahead
    _ahead = (texts(papers), SharedTerms(papers))


def texts(papers: tuple[Paper, ...]) -> tuple:
    """What SharedTerms reads of the papers before it makes a pair; what Pagefind's stand-ins and the search
    vocabulary read of them too (the hook compares the corpus read so far with the whole one by it)."""
    return tuple((p.slug, p.title, p.abstract) for p in papers)


def _words(text: str) -> frozenset[str]:
    """The words of a paper's lowercased title and abstract, English stop words left out."""
    stop = english_stop_words()
    return frozenset(w.strip("-") for w in _WORD.findall(text) if w not in stop)


# Under `mkdocs serve` an edited dump changes few texts (and every count, so the words are counted again;
# they are not read again).
_WORDS = incremental.ServeMemory(_words)


Ring = tuple[tuple[str, str, tuple[str, ...]], ...]  # what graph_svg draws (see neighbourhood)


def neighbourhood(paper: Paper, site: SiteIndex) -> Ring:
    """What a paper's graph shows of its related papers: each one's slug, title, and the papers of the drawing
    it relates to. A value, so that a rebuild draws the graph of none but the pages it renders again."""
    drawn = {paper.slug, *paper.related}
    return tuple((slug, other.title, tuple(o for o in other.related if o in drawn))
                 for slug in paper.related for other in (site.by_slug[slug],))


def graph_svg(slug: str, ring: Ring) -> str:
    """The paper `slug` and its related papers (`ring`, see neighbourhood) as a small inline SVG: numbered
    nodes (as in the list below it), an edge for each link between them. Only this neighbourhood is on the
    page, whatever the size of the corpus."""
    if not ring:
        return ""
    size, centre, radius = 220, 110, 80
    at = {slug: (centre, centre)}
    for i, (other, _, _) in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * i / len(ring)
        at[other] = (round(centre + radius * math.cos(angle)), round(centre + radius * math.sin(angle)))
    edges = {tuple(sorted((slug, other))) for other, _, _ in ring}
    for other, _, related in ring:
        edges |= {tuple(sorted((other, third))) for third in related}
    # Lines in an SVG drawing; the nodes are HTML links laid over it (Material's
    # scripts handle HTML links; an SVG <a> has a read-only href they cannot set).
    out = [f'<div class="pa-graph" role="group" aria-label="This paper and its {len(ring)} related papers, '
           f'numbered as in the list below" style="width:{size}px;height:{size}px">',
           f'<svg viewBox="0 0 {size} {size}" width="{size}" height="{size}" aria-hidden="true">']
    for a, b in sorted(edges):
        (x1, y1), (x2, y2) = at[a], at[b]
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    out.append("</svg>")
    here = addresses.paper("")
    for number, (other, title, _) in enumerate(ring, start=1):
        x, y = at[other]
        title = escape.html_attr(title)
        href = escape.html_attr(addresses.href(addresses.paper(other), here))
        out.append(f'<a class="pa-graph-node" href="{href}" title="{title}" aria-label="{number}: {title}" '
                   f'style="left:{x - 15}px;top:{y - 15}px">{number}</a>')
    out.append(f'<span class="pa-graph-node pa-graph-here" style="left:{centre - 18}px;top:{centre - 18}px">'
               f'this</span></div>')
    return "".join(out)


# The page's headings, in order: (key in the template, text). The ids are the page's anchors, as
# Python-Markdown's toc extension made them when paper pages were Markdown: links to them stay valid.
HEADINGS = (("abstract", "Abstract"), ("themes", "Themes"), ("related", "Related papers"), ("time", "In time"),
            ("listings", "Listings"), ("elsewhere", "Elsewhere"))


def heading_ids(title: str) -> dict[str, str]:
    """Heading key -> id (a paper titled "Abstract" takes `abstract`, its Abstract heading `abstract_1`)."""
    return dict(zip(["title", *(key for key, _ in HEADINGS)],
                    environment.heading_ids([title, *(text for _, text in HEADINGS)]), strict=True))


def shared_terms(papers: tuple[Paper, ...]) -> dict[str, list[list[str]]]:
    """Slug -> the shared terms of the paper and each of its related papers, in order (pure: memoized by
    paper_pages, so a rebuild neither imports scikit-learn for its stop words nor counts words again; under
    `mkdocs serve` made from the last build's, see SharedTerms; words counted ahead by count_words_ahead
    are taken when they are of the same texts)."""
    global _last_shared
    build = incremental.current()
    code = build.code if build is not None else None
    last, _last_shared = (_last_shared if incremental.serving else None), None
    ahead = _ahead if _ahead is not None and _ahead[0] == texts(papers) else None
    if ahead is not None and last is None:
        shared = ahead[1]
    else:
        shared = SharedTerms(papers, last[1] if last is not None and last[0] == code else None)
    out = {p.slug: [shared(p.slug, other) for other in p.related] for p in papers}
    shared.kept = {}  # (the last build's pairs: not kept twice)
    if incremental.serving:
        _last_shared = (code, shared)
    return out


@dataclass(frozen=True, slots=True)
class PageInputs:
    """Everything a paper page shows, as values: the page is a pure function of them (`render_page`), so a
    rebuild renders only the pages whose inputs changed (`incremental.memo_each` keys on them)."""

    paper: Paper
    url: str  # the page's absolute address, or "" when the site has none
    themes: tuple[tuple[str, str], ...]  # (slug, name) of each of the paper's themes
    links: tuple[tuple[str, str], ...]  # (slug, link) of the related papers and the two neighbours in time
    reasons: tuple[tuple[str, ...], ...]  # the shared terms of each related paper, in order
    neighbours: tuple[str | None, str | None]  # slugs of the papers before and after it in time
    listings: tuple[tuple[str, str, str], ...]  # (dump, address, name) of each listing it was seen in
    graph: Ring  # what the paper's graph shows (graph_svg draws it when the page is rendered)


def page_inputs(paper: Paper, site: SiteIndex, links: PaperLinks, shared: dict[str, list[list[str]]],
                names: dict[str, str], base_url: str = "") -> PageInputs:
    before, after = (None if p is None else p.slug for p in site.neighbours(paper))
    near = [slug for slug in (before, after) if slug]
    dumps = dict.fromkeys(source.dump for source in paper.sources)
    return PageInputs(
        paper=paper, url=base_url + addresses.paper_url(paper.slug) if base_url else "",
        themes=tuple((m.theme, site.themes[m.theme].name) for m in paper.themes),
        links=tuple((slug, links[slug]) for slug in (*paper.related, *near)),
        reasons=tuple(tuple(terms) for terms in shared[paper.slug]),
        neighbours=(before, after),
        listings=tuple((dump, site.listing_path(dump), names[dump]) for dump in dumps),
        graph=neighbourhood(paper, site))


def render_page(inputs: PageInputs) -> str:
    paper, url = inputs.paper, inputs.url
    return render("paper.html.j2", addresses.paper(paper.slug), paper=paper, ids=heading_ids(paper.title),
                  theme_names=dict(inputs.themes), paper_links=dict(inputs.links), neighbours=inputs.neighbours,
                  listings={dump: (path, name) for dump, path, name in inputs.listings},
                  reasons=dict(zip(paper.related, inputs.reasons, strict=True)),
                  graph=graph_svg(paper.slug, inputs.graph),
                  code_links=[u for u in paper.links if is_code(u)],
                  bibtex=cite.bibtex(paper, url or addresses.paper_url(paper.slug)),
                  head=cite.meta_tags(paper, url), plain_forms=plain_forms(f"{paper.title} {paper.abstract}"),
                  arxiv_id=getattr(paper, "arxiv_id", None),
                  github=getattr(paper, "github", None))


def indexed_body(title: str, abstract: str) -> str:
    """What Pagefind reads of a paper's page: its `data-pagefind-body`, made by the function that makes it on
    the page (fragments.indexed), without the facts Pagefind ignores, its compounds spaced
    (vocabulary.spaced_compounds). Pagefind makes the same index of it as of the page with its compounds
    spaced (tests/test_pagefind.py), and it needs nothing but the paper's title and abstract: Pagefind's
    child process makes it, as soon as the corpus is read, before any page is made (generator/pagefind.py,
    pagefind_child.py)."""
    body = fragments.indexed(title, abstract, heading_ids(title), plain_forms(f"{title} {abstract}"))
    return spaced_compounds(body + "\n")


def paper_pages(site: SiteIndex, base_url: str = "") -> Callable[[], list[tuple[str, str]]]:
    """A function returning every paper page. `base_url`: the site's absolute address (mkdocs.yml site_url),
    for meta tags and citations. In a build with a cache, only the pages whose inputs changed since the last
    build are rendered; in a one-off build of many, half of them by a child process while this one goes on
    (incremental.memo_each_helped)."""
    global _ahead
    links = PaperLinks(site)
    shared = incremental.memo(shared_terms, site.corpus.papers,  # what shared_terms reads of each paper
                              key=tuple((p.slug, p.title, p.abstract, p.related) for p in site.corpus.papers))
    _ahead = None
    names = site.listing_names
    base = base_url.rstrip("/") + "/" if base_url else ""
    papers = site.corpus.papers
    pages = incremental.memo_each_helped(render_page, [(page_inputs(p, site, links, shared, names, base),)
                                                       for p in papers])
    return lambda: [(addresses.paper(paper.slug), page) for paper, page in zip(papers, pages(), strict=True)]
