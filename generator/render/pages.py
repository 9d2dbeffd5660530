"""Every generated page as (docs-relative path, Markdown text). No disk access.

Paths are MkDocs source paths (`papers/<slug>.md` is served at
`/papers/<slug>/`). Links between pages are relative `.md` links, so MkDocs
checks each one and a broken link fails a strict build.
"""

from __future__ import annotations

import calendar
import json
import re
import datetime as dt
import posixpath
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote_plus

import jinja2

from generator.corpus import Corpus
from generator.errors import CorpusError
from generator.model import Paper, Theme
from generator.links import CODE_HOSTS, is_code
from generator.render import charts, escape
from generator.render.feeds import atom_feed
from generator.render.data import org_id, paper_url, papers_json
from generator.render.index import SiteIndex, build_index, first_sentence, month_anchor
from generator.slugs import plain_slug

HOME = "index.md"
NEWEST_ON_HOME = 10
UPVOTED_ON_HOME = 10
PAPERS_JSON = "papers.json"


def paper_path(paper: Paper) -> str:
    return f"papers/{paper.slug}.md"


def _page(folder: str, slug: str) -> str:
    """folder/slug.md; "index" is the folder's own overview, so a name slugging to it
    becomes "_index" (no slug starts with "_", so that address is free)."""
    return f"{folder}/{'_index' if slug == 'index' else slug}.md"


def theme_path(theme: Theme) -> str:
    return _page("themes", theme.slug)


def year_path(year: int) -> str:
    return f"timeline/{year}.md"


def month_path(value: dt.date) -> str:
    return f"{year_path(value.year)}#{month_anchor(value)}"


def feed_path(theme: Theme | None = None) -> str:
    return f"feeds/{theme.slug if theme else 'all'}.xml"


def org_path(handle: str) -> str:
    return _page("orgs", org_id(handle))


def listing_path(dump_name: str) -> str:
    return _page("listings", plain_slug(dump_name.rsplit(".", 1)[0]))


def long_date(value: dt.date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def month_name(value: dt.date) -> str:
    return f"{calendar.month_name[value.month]} {value.year}"


def date_text(paper: Paper) -> str:
    if paper.date is None:
        return "undated"
    return long_date(paper.date.value) + (" (year inferred)" if paper.date.inferred else "")


def hf_search(title: str) -> str:
    return f"https://huggingface.co/papers?q={quote_plus(title)}"


def arxiv_search(title: str) -> str:
    return f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"


def front_matter(title: str, description: str | None, search: bool, feed: str | None = None) -> str:
    """YAML front matter. Values are HTML-escaped: MkDocs themes print them unescaped."""
    lines = [f"title: {_yaml_string(title)}"]
    if description:
        lines.append(f"description: {_yaml_string(description)}")
    if not search:
        lines.append("search: {exclude: true}")
    if feed:
        lines.append(f"feed: {_yaml_string(feed)}")  # docs/overrides/main.html adds the autodiscovery link
    return "\n".join(lines)


# Characters YAML refuses even inside quotes (C1 controls, U+FFFE/FFFF).
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar: a JSON string is one, and json.dumps is fast (vs yaml.dump)."""
    return json.dumps(_NOT_YAML.sub("", escape.html_attr(text)), ensure_ascii=False)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.render", "templates"),
        autoescape=False,  # Markdown out: escaping is explicit, with the md filters
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=escape.md_text,
        md_abstract=escape.md_abstract,
        attr=escape.html_attr,
        external=lambda url, label=None: escape.external_link(url, label),
    )
    env.tests["ne_one"] = lambda dumps: len(dumps) > 1
    env.globals.update(
        paper_path=paper_path, theme_path=theme_path, year_path=year_path, month_path=month_path,
        listing_path=listing_path, feed_path=feed_path, org_path=org_path, is_code=is_code, long_date=long_date, month_name=month_name, date_text=date_text,
        first_sentence=first_sentence, front_matter=front_matter, hf_search=hf_search, arxiv_search=arxiv_search,
        month_anchor=month_anchor, first_day=lambda year, month: dt.date(year, month, 1),
    )
    return env


_ENV = _environment()


def _render(template: str, here: str, **context) -> str:
    folder = posixpath.dirname(here)
    up = "../" * here.count("/")

    def url(target: str) -> str:
        """`target` (docs-relative, maybe with #anchor) as a link relative to `here`."""
        if folder and target.startswith(folder + "/"):
            return target[len(folder) + 1:]
        return up + target

    return _ENV.get_template(template).render(url=url, **context)


class PaperLinks(dict):
    """slug -> "[Title](slug.md) · date", the link from one paper page to another.

    A paper is linked from many others (related, previous, next); its title is
    escaped once per build instead of once per link.
    """

    def __init__(self, site: SiteIndex):
        super().__init__()
        self.site = site

    def __missing__(self, slug: str) -> str:
        paper = self.site.by_slug[slug]
        self[slug] = link = f"[{escape.md_text(paper.title)}]({paper.slug}.md) · {date_text(paper)}"
        return link


def render_paper(paper: Paper, site: SiteIndex, links: PaperLinks | None = None) -> str:
    return _render("paper.md.j2", paper_path(paper), paper=paper, themes=site.themes,
                   paper_links=links if links is not None else PaperLinks(site),
                   neighbours=site.neighbours(paper))


def generate(corpus: Corpus, site_url: str = "") -> Iterator[tuple[str, str | bytes]]:
    """Every generated file of the site: (docs-relative path, text or bytes).

    `site_url` (mkdocs.yml's) makes the absolute links feeds need.
    """
    site = build_index(corpus)
    common = dict(by_theme=site.by_theme, by_month=site.by_month)
    themes = list(site.themes.values())
    dated = [p for p in corpus.papers if p.date]
    chart_files, alts = _charts(corpus, site)
    yield from chart_files
    months = dict(months_chart="months" in alts, months_alt=alts.get("months", ""))
    upvoted = sorted((p for p in corpus.papers if p.upvotes), key=lambda p: (-p.upvotes, p.title.casefold()))
    yield HOME, _render("home.md.j2", HOME, papers=corpus.papers, themes=themes, dumps=corpus.dumps,
                        newest=site.newest(dated)[:NEWEST_ON_HOME], most_upvoted=upvoted[:UPVOTED_ON_HOME],
                        **months, **common)
    yield "themes/index.md", _render("themes_index.md.j2", "themes/index.md", themes=site.themes,
                                     overlap_alt=alts["overlap"], **common)
    for theme in themes:
        chart = f"charts/theme-{theme.slug}.svg" if f"theme-{theme.slug}" in alts else None
        yield theme_path(theme), _render("theme.md.j2", theme_path(theme), theme=theme, chart=chart,
                                         chart_alt=alts.get(f"theme-{theme.slug}", ""),
                                         papers=site.by_theme[theme.slug])
    yield "timeline/index.md", _render("timeline_index.md.j2", "timeline/index.md", years=site.years(),
                                       dated_count=len(dated), undated=site.undated, **months, **common)
    for year in site.years():
        count = sum(len(p) for (y, _), p in site.by_month.items() if y == year)
        yield year_path(year), _render("year.md.j2", year_path(year), year=year, count=count, **common)
    yield "timeline/undated.md", _render("undated.md.j2", "timeline/undated.md", papers=site.undated)
    _check_listing_addresses(corpus)
    yield "listings/index.md", _render("listings_index.md.j2", "listings/index.md", dumps=corpus.dumps,
                                       by_dump=site.by_dump)
    for dump in corpus.dumps:
        papers = site.by_dump[dump.name]
        elsewhere = [p for p in papers if len(p.dumps) > 1]
        yield listing_path(dump.name), _render("listing.md.j2", listing_path(dump.name), dump=dump,
                                               papers=papers, elsewhere=elsewhere)
    yield from _discovery(corpus, site)
    links = PaperLinks(site)
    for paper in corpus.papers:
        yield paper_path(paper), render_paper(paper, site, links)
    yield PAPERS_JSON, papers_json(corpus.papers)
    yield from _feeds(site, themes, site_url)


def _check_listing_addresses(corpus: Corpus) -> None:
    seen: dict[str, str] = {}
    for dump in corpus.dumps:
        other = seen.setdefault(listing_path(dump.name), dump.name)
        if other != dump.name:
            raise CorpusError(f"corpus/{dump.name} and corpus/{other}: their names give the same listing "
                              f"address ({listing_path(dump.name)}); rename one of the dumps")


def _charts(corpus: Corpus, site: SiteIndex) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The SVG chart files, and each chart's text alternative by name."""
    files, alts = [], {}
    months = charts.months_by_theme(list(corpus.papers), corpus.themes)
    if months:
        files.append(("charts/papers-per-month.svg", months[0]))
        alts["months"] = months[1]
    members = {slug: {p.slug for p in papers} for slug, papers in site.by_theme.items()}
    svg, alts["overlap"] = charts.overlap_matrix(corpus.themes, members)
    files.append(("charts/theme-overlap.svg", svg))
    colours = charts.theme_colours(corpus.themes)
    for theme in corpus.themes:
        chart = charts.years_of_theme(site.by_theme[theme.slug], theme, colours[theme.slug])
        if chart:
            files.append((f"charts/theme-{theme.slug}.svg", chart[0]))
            alts[f"theme-{theme.slug}"] = chart[1]
    return files, alts


def _discovery(corpus: Corpus, site: SiteIndex) -> Iterator[tuple[str, str]]:
    """Organization pages and the with-code list."""
    # One page per handle's address; a handle shown with two display names (or
    # two handles that slug alike) is one organization, named as most listings name it.
    members: dict[str, list[Paper]] = {}
    for paper in corpus.papers:
        if paper.org_handle:
            members.setdefault(org_path(paper.org_handle), []).append(paper)
    orgs = {}
    for path, papers in members.items():
        handle = Counter(p.org_handle for p in papers).most_common(1)[0][0]
        name = Counter(p.org_name or p.org_handle for p in papers).most_common(1)[0][0]
        orgs[(handle, name)] = papers
    orgs = dict(sorted(orgs.items(), key=lambda item: (-len(item[1]), item[0][1].casefold())))
    yield "orgs/index.md", _render("orgs_index.md.j2", "orgs/index.md", orgs=orgs, total=len(corpus.papers))
    for (handle, name), papers in orgs.items():
        yield org_path(handle), _render("org.md.j2", org_path(handle), handle=handle, name=name,
                                        papers=site.newest(papers))
    yield "browse.md", _render("browse.md.j2", "browse.md", themes=site.themes.values(), years=site.years(),
                               orgs=sorted(((org_id(h), name) for h, name in orgs), key=lambda o: o[1].casefold()))
    with_code = site.newest([p for p in corpus.papers if any(is_code(u) for u in p.links)])
    yield "code.md", _render("code.md.j2", "code.md", papers=with_code, hosts=CODE_HOSTS)


def _feeds(site: SiteIndex, themes: list[Theme], site_url: str) -> Iterator[tuple[str, bytes]]:
    base = site_url.rstrip("/") + "/" if site_url else "/"

    def absolute(paper: Paper) -> str:
        return base + paper_url(paper.slug)

    everything = site.newest(list(site.corpus.papers))
    yield feed_path(), atom_feed(everything, title="Paper Atlas: all papers", subtitle="Every paper, newest first",
                                 feed_url=base + feed_path(), home_url=base, paper_url=absolute)
    for theme in themes:
        yield feed_path(theme), atom_feed(site.by_theme[theme.slug], title=f"Paper Atlas: {theme.name}",
                                          subtitle=theme.description, feed_url=base + feed_path(theme),
                                          home_url=base + f"themes/{theme.slug}/", paper_url=absolute)
