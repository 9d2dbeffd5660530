"""Every generated page as (docs-relative path, Markdown text). No disk access.

Paths are MkDocs source paths (`papers/<slug>.md` is served at
`/papers/<slug>/`). Links between pages are relative `.md` links, so MkDocs
checks each one and a broken link fails a strict build.
"""

from __future__ import annotations

import calendar
import datetime as dt
import posixpath
from collections.abc import Iterator
from urllib.parse import quote_plus

import jinja2
import yaml

from generator.corpus import Corpus
from generator.model import Paper, Theme
from generator.render import escape
from generator.render.data import papers_json
from generator.render.index import SiteIndex, build_index, first_sentence, month_anchor
from generator.slugs import plain_slug

_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: 10x faster
HOME = "index.md"
NEWEST_ON_HOME = 10
UPVOTED_ON_HOME = 10
PAPERS_JSON = "papers.json"


def paper_path(paper: Paper) -> str:
    return f"papers/{paper.slug}.md"


def theme_path(theme: Theme) -> str:
    return f"themes/{theme.slug}.md"


def year_path(year: int) -> str:
    return f"timeline/{year}.md"


def month_path(value: dt.date) -> str:
    return f"{year_path(value.year)}#{month_anchor(value)}"


def listing_path(dump_name: str) -> str:
    return f"listings/{plain_slug(dump_name.rsplit('.', 1)[0])}.md"


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


def front_matter(title: str, description: str | None, search: bool) -> str:
    """YAML front matter. Values are HTML-escaped: MkDocs themes print them unescaped."""
    meta: dict = {"title": escape.html_attr(title)}
    if description:
        meta["description"] = escape.html_attr(description)
    if not search:
        meta["search"] = {"exclude": True}
    return yaml.dump(meta, Dumper=_YAML_DUMPER, allow_unicode=True, width=10**6, sort_keys=False).rstrip("\n")


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
        listing_path=listing_path, long_date=long_date, month_name=month_name, date_text=date_text,
        first_sentence=first_sentence, front_matter=front_matter, hf_search=hf_search, arxiv_search=arxiv_search,
        month_name_of=lambda y, mth: f"{calendar.month_name[mth]} {y}",
    )
    return env


_ENV = _environment()


def _render(template: str, here: str, **context) -> str:
    base = posixpath.dirname(here)

    def url(target: str) -> str:
        path, _, anchor = target.partition("#")
        relative = posixpath.relpath(path, base or ".")
        return f"{relative}#{anchor}" if anchor else relative

    return _ENV.get_template(template).render(url=url, **context)


def render_paper(paper: Paper, site: SiteIndex) -> str:
    return _render("paper.md.j2", paper_path(paper), paper=paper, themes=site.themes,
                   by_slug=site.by_slug, neighbours=site.neighbours(paper))


def generate(corpus: Corpus) -> Iterator[tuple[str, str]]:
    """Every generated file of the site: (docs-relative path, text)."""
    site = build_index(corpus)
    common = dict(by_theme=site.by_theme, by_month=site.by_month)
    themes = list(site.themes.values())
    dated = [p for p in corpus.papers if p.date]
    upvoted = sorted((p for p in corpus.papers if p.upvotes), key=lambda p: (-p.upvotes, p.title.casefold()))
    yield HOME, _render("home.md.j2", HOME, papers=corpus.papers, themes=themes, dumps=corpus.dumps,
                        newest=site.newest(dated)[:NEWEST_ON_HOME], most_upvoted=upvoted[:UPVOTED_ON_HOME],
                        **common)
    yield "themes/index.md", _render("themes_index.md.j2", "themes/index.md", themes=site.themes, **common)
    for theme in themes:
        yield theme_path(theme), _render("theme.md.j2", theme_path(theme), theme=theme,
                                         papers=site.by_theme[theme.slug])
    yield "timeline/index.md", _render("timeline_index.md.j2", "timeline/index.md", years=site.years(),
                                       dated_count=len(dated), undated=site.undated, **common)
    for year in site.years():
        count = sum(len(p) for (y, _), p in site.by_month.items() if y == year)
        yield year_path(year), _render("year.md.j2", year_path(year), year=year, count=count, **common)
    yield "timeline/undated.md", _render("undated.md.j2", "timeline/undated.md", papers=site.undated)
    yield "listings/index.md", _render("listings_index.md.j2", "listings/index.md", dumps=corpus.dumps,
                                       by_dump=site.by_dump)
    for dump in corpus.dumps:
        papers = site.by_dump[dump.name]
        elsewhere = [p for p in papers if len(p.dumps) > 1]
        yield listing_path(dump.name), _render("listing.md.j2", listing_path(dump.name), dump=dump,
                                               papers=papers, elsewhere=elsewhere)
    for paper in corpus.papers:
        yield paper_path(paper), render_paper(paper, site)
    yield PAPERS_JSON, papers_json(corpus.papers)
