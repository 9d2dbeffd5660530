"""Every generated file of the site, as (docs-relative path, text or bytes). No disk access.

The overview pages are Markdown (their links are relative `.md` links, which
MkDocs checks); paper pages and the pages that list papers are finished HTML
(generator/finished.py checks their links as strictly). A broken link fails a
strict build either way.
Charts, feeds and papers.json are finished files. Addresses come from
`generator.addresses`; each page family is rendered by its own module.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

from generator import addresses as at
from generator import children, incremental
from generator.model import Corpus, Paper, Theme
from generator.render import lists
from generator.render.data import papers_json
from generator.render.index import SiteIndex, build_index
from generator.render.paper import paper_pages, render_page


def generate(corpus: Corpus, site_url: str = "") -> Iterator[tuple[str, str | bytes]]:
    """Every generated file. `site_url` (mkdocs.yml's) makes the absolute links feeds need."""
    site = build_index(corpus)
    drawn = charts(site)  # in a child process during a build: matplotlib works while the pages render
    papers = paper_pages(site, site_url)  # (in part by a child process, while the lists are rendered)
    chart_files, alts = drawn()
    yield from chart_files
    yield from lists.home(site, alts)
    yield from lists.themes(site, alts)
    yield from lists.timeline(site, alts)
    yield from lists.listings(site)
    yield from lists.organizations(site)
    yield from lists.browse(site)
    yield from lists.with_code(site)
    yield from papers()
    # As UTF-8 bytes, the file MkDocs writes: the text held in memory for the rest of the build is half as large
    # (one letter beyond Latin-1 makes Python hold every character of the text in two bytes: 53 MB at 10,000 papers).
    yield at.PAPERS_JSON, papers_json(corpus.papers).encode("utf-8")
    yield from feeds(site, site_url)


def charts_drawn_here() -> bool:
    """Whether this process draws the charts itself: it has imported matplotlib already (a test process,
    a program that uses matplotlib itself), so a child would only import it again (0.5 CPU seconds). A build run as a
    command, or `mkdocs serve`, has not: its charts are drawn by a child while the pages render."""
    return "matplotlib" in sys.modules


def begin_charts(corpus: Corpus) -> None:
    """In a one-off build a child process starts now, to draw the charts: it imports matplotlib meanwhile.
    In a first build it draws them when charts() asks: drawing at once competes with the related papers'
    child, which this process waits for (2 s slower in two paired first builds of 10,000 papers). In a
    rebuild (the cache holds paper pages) it starts only when the cache does not hold these charts (the
    papers' dates or themes changed), and draws them at once, on the corpus read so far
    (incremental.begin_later): they show no related papers, which this process waits for meanwhile
    (matplotlib's import and the drawing were the longest wait of a rebuild after one paper was added to
    2,000: 1.1 s); charts() takes them when the corpus it is given shows the same. Not under `mkdocs serve`
    (the process's own worker keeps matplotlib between rebuilds), nor in a process whose worker drew charts
    before, or that draws them itself (charts_drawn_here)."""
    if incremental.serving or children.asked_before() or charts_drawn_here() or not incremental.active():
        return
    if not incremental.made_before(render_page):  # a first build: no chart key made (a cached one stops it)
        incremental.start_helper("charts", ("generator.render.charts",))
        return

    def helper():
        incremental.start_helper("charts", ("generator.render.charts",))
        return incremental.take_helper("charts")

    args, key = _chart_inputs(build_index(corpus))
    incremental.begin_later(_charts, *args, key=key, start=helper)


def charts(site: SiteIndex) -> Callable[[], tuple[list[tuple[str, str]], dict[str, str]]]:
    """A function returning the SVG chart files and each chart's text alternative by its path: from the
    build's cache when the same charts were drawn before (matplotlib is slow), else those begun by
    begin_charts when they show the same, else drawn in a child process meanwhile (incremental.memo_later),
    or here when matplotlib is loaded here (charts_drawn_here)."""
    args, key = _chart_inputs(site)
    return incremental.memo_later(_charts, *args, key=key, worker=incremental.take_helper("charts"),
                                  here=charts_drawn_here())


def _chart_inputs(site: SiteIndex) -> tuple[tuple, tuple]:
    """_charts' arguments, and what they show of them (the cache key): the themes' slugs and names, the
    papers' dates and first themes, and the dates of each theme's papers."""
    papers, themes = site.corpus.papers, site.corpus.themes
    by_theme = {slug: tuple(papers) for slug, papers in site.by_theme.items()}
    drawn_from = (tuple((t.slug, t.name) for t in themes),
                  tuple((p.date, p.themes[0].theme if p.themes else None) for p in papers),
                  {slug: tuple(p.date for p in members) for slug, members in by_theme.items()})
    return (papers, themes, by_theme), drawn_from


def _charts(papers: tuple[Paper, ...], themes: tuple[Theme, ...],
            by_theme: dict[str, tuple[Paper, ...]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Reads only the themes' slugs and names and the papers' dates and first themes (`charts` keys the
    cache on them: editing a theme's description or terms that place no paper elsewhere draws nothing)."""
    from generator.render import charts as draw  # matplotlib: imported when a site is rendered

    files, alts = [], {}
    months = draw.months_by_theme(list(papers), themes)
    if months:
        files.append((at.MONTHS_CHART, months[0]))
        alts[at.MONTHS_CHART] = months[1]
    colours = draw.theme_colours(themes)
    for theme in themes:
        chart = draw.years_of_theme(list(by_theme[theme.slug]), theme, colours[theme.slug])
        if chart:
            files.append((at.theme_chart(theme.slug), chart[0]))
            alts[at.theme_chart(theme.slug)] = chart[1]
    return files, alts


def feeds(site: SiteIndex, site_url: str) -> Iterator[tuple[str, bytes]]:
    """The site-wide Atom feed and one per theme, with absolute links."""
    from generator.render.feeds import atom_feed, recently_added  # feedgen pulls in lxml

    base = site_url.rstrip("/") + "/" if site_url else "/"

    def absolute(paper: Paper) -> str:
        return base + at.paper_url(paper.slug)

    papers = site.corpus.papers
    dated = sum(1 for p in papers if p.date)
    yield at.ALL_FEED, atom_feed(recently_added(papers), title="Paper Atlas: all papers",
                                 subtitle=f"Papers most recently added first ({dated} of {len(papers)} dated)",
                                 feed_url=base + at.ALL_FEED, home_url=base, paper_url=absolute)
    for theme in site.themes.values():
        yield at.feed(theme.slug), atom_feed(recently_added(site.by_theme[theme.slug]),
                                             title=f"Paper Atlas: {theme.name}",
                                             subtitle=theme.description, feed_url=base + at.feed(theme.slug),
                                             home_url=base + at.url(at.theme(theme.slug)), paper_url=absolute)
