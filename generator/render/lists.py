"""The pages that list papers: home, themes, timeline, listings, organizations,
with-code and browse. Each function yields (source path, page source): Markdown for the overviews,
finished HTML (generator/finished.py) for the pages that list papers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator import addresses as at
from generator import incremental
from generator.links import CODE_HOSTS
from generator.model import Paper, Theme
from generator.render.environment import heading_ids, render
from generator.render.index import SiteIndex

NEWEST_ON_HOME = 10
OVERLAP_MAX = 20  # themes; the overlap table has one cell per pair
UPVOTED_ON_HOME = 10

Pages = Iterator[tuple[str, str]]


def home(site: SiteIndex, charts: dict[str, str]) -> Pages:
    corpus = site.corpus
    dated = [p for p in corpus.papers if p.date]
    from generator.render.feeds import recently_added
    upvoted = sorted((p for p in corpus.papers if p.upvotes),
                     key=lambda p: (-(p.upvotes or 0), p.title.casefold()))
    yield at.HOME, render("home.md.j2", at.HOME, papers=corpus.papers, themes=list(site.themes.values()),
                          dumps=corpus.dumps, newest=site.newest(dated)[:NEWEST_ON_HOME],
                          added=recently_added(corpus.papers)[:NEWEST_ON_HOME], dated_count=len(dated),
                          most_upvoted=upvoted[:UPVOTED_ON_HOME], **_months(charts), **_common(site))


def themes(site: SiteIndex, charts: dict[str, str]) -> Pages:
    # The table has a cell per pair of themes: past OVERLAP_MAX themes it would be quadratic in
    # size and cost, and unreadable, so it is left out (issue 15: per-theme work stays linear).
    overlap: dict[tuple[str, str], int] = {}
    if len(site.themes) <= OVERLAP_MAX:
        members = {slug: {p.slug for p in papers} for slug, papers in site.by_theme.items()}
        overlap = {(a, b): len(members[a] & members[b]) for a in site.themes for b in site.themes}
    yield at.THEMES, render("themes_index.md.j2", at.THEMES, themes=site.themes, overlap=overlap, **_common(site))
    pages = []
    for theme in site.themes.values():
        chart = at.theme_chart(theme.slug)
        pages.append((theme, tuple(site.by_theme[theme.slug]), chart if chart in charts else None,
                      charts.get(chart, "")))
    for (theme, *_), page in zip(pages, _THEME_PAGES.each(pages), strict=True):
        yield at.theme(theme.slug), page


def _theme_page(inputs: tuple[Theme, tuple[Paper, ...], str | None, str]) -> str:
    """A theme's page: a pure function of the theme, its papers (newest first) and its chart, so that under
    `mkdocs serve` a rebuild renders again only the pages of the themes whose papers changed (`_THEME_PAGES`:
    10,000 papers make 32,000 entries on the theme pages)."""
    theme, papers, chart, chart_alt = inputs
    by_year = _by_year(list(papers))
    year_ids = {year: "undated" if year == "Undated" else f"y{year}" for year in by_year}
    return render("theme.html.j2", at.theme(theme.slug), theme=theme, chart=chart, chart_alt=chart_alt,
                  papers=list(papers), by_year=by_year, year_ids=year_ids,
                  title_id=heading_ids([theme.name], year_ids.values())[0],
                  browse_href=at.browse_href(theme.slug, at.theme(theme.slug)))


_THEME_PAGES = incremental.ServeMemory(_theme_page)


def timeline(site: SiteIndex, charts: dict[str, str]) -> Pages:
    dated = sum(1 for p in site.corpus.papers if p.date)
    yield at.TIMELINE, render("timeline_index.md.j2", at.TIMELINE, years=site.years(), dated_count=dated,
                              undated=site.undated, **_months(charts), **_common(site))
    for year in site.years():
        months = [dt.date(y, m, 1) for (y, m) in site.by_month if y == year]
        count = sum(len(site.by_month[(d.year, d.month)]) for d in months)
        title = heading_ids([f"Papers of {year}"], map(at.month_anchor, months))[0]
        yield at.year(year), render("year.html.j2", at.year(year), year=year, count=count, months=months,
                                    title_id=title, by_month=site.by_month)
    by_letter = _by_letter(site.undated)
    letter_ids = {letter: "other" if letter == "#" else letter.lower() for letter in by_letter}
    yield at.UNDATED, render("undated.html.j2", at.UNDATED, papers=site.undated, by_letter=by_letter,
                             letter_ids=letter_ids, title_id=heading_ids(["Undated papers"], letter_ids.values())[0],
                             total=len(site.corpus.papers))


def listings(site: SiteIndex) -> Pages:
    corpus = site.corpus
    yield at.LISTINGS, render("listings_index.md.j2", at.LISTINGS, dumps=corpus.dumps, by_dump=site.by_dump,
                              listing_path=site.listing_path, names=site.listing_names)
    for dump in corpus.dumps:
        papers = site.by_dump[dump.name]
        elsewhere = [p for p in papers if len(p.dumps) > 1]
        here = site.listing_path(dump.name)
        yield here, render("listing.html.j2", here, dump=dump, papers=papers, elsewhere=elsewhere,
                           ids=heading_ids([site.listing_names[dump.name], "Papers"]),
                           listing_path=site.listing_path, names=site.listing_names)


def organizations(site: SiteIndex) -> Pages:
    orgs = site.corpus.orgs
    yield at.ORGS, render("orgs_index.md.j2", at.ORGS, orgs=orgs, total=len(site.corpus.papers))
    for org in orgs:
        papers = site.newest([site.by_slug[slug] for slug in org.papers])
        yield at.org(org.id), render("org.html.j2", at.org(org.id), handle=org.handle, name=org.name, papers=papers,
                                     title_id=heading_ids([org.name])[0])


def browse(site: SiteIndex) -> Iterator[tuple[str, str | bytes]]:
    """The browse page and its data file; the form's options and the data's
    theme and organization indexes come from the same two lists."""
    from generator.render.data import browse_data

    orgs = sorted(((o.id, o.name) for o in site.corpus.orgs), key=lambda o: o[1].casefold())
    yield at.BROWSE, render("browse.md.j2", at.BROWSE, themes=site.themes.values(), years=site.years(),
                            orgs=orgs, undated=len(site.undated), data_src=at.href(at.BROWSE_DATA, at.BROWSE))
    yield at.BROWSE_DATA, browse_data(site.corpus.papers, list(site.themes), [oid for oid, _ in orgs])


def with_code(site: SiteIndex) -> Pages:
    papers: list[Paper] = site.newest([p for p in site.corpus.papers if p.code_links])
    yield at.CODE, render("code.html.j2", at.CODE, papers=papers, hosts=CODE_HOSTS,
                          title_id=heading_ids(["Papers with code"])[0])


def _by_year(papers: list[Paper]) -> dict[str, list[Paper]]:
    """Papers (newest first, undated last) under their year's heading; "Undated" last."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(str(paper.date.value.year) if paper.date else "Undated", []).append(paper)
    return groups


def _by_letter(papers: list[Paper]) -> dict[str, list[Paper]]:
    """Papers (A–Z by title) under the first letter of their title; "#" for the rest."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        first = paper.title.strip()[:1].upper()
        groups.setdefault(first if "A" <= first <= "Z" else "#", []).append(paper)
    return dict(sorted(groups.items(), key=lambda item: (item[0] == "#", item[0])))


def _common(site: SiteIndex) -> dict:
    return dict(by_theme=site.by_theme, by_month=site.by_month)


def _months(charts: dict[str, str]) -> dict:
    return dict(months_chart=at.MONTHS_CHART in charts, months_alt=charts.get(at.MONTHS_CHART, ""))
