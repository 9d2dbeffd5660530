"""The Jinja2 environment page templates render in, and the helpers they call.

Templates write Markdown, so Jinja's HTML autoescaping is off and escaping is
explicit, through one module, `escape`: every text from the corpus reaches a
page through exactly one of its functions, chosen by where it lands (see
escape.py). Links between pages go through `addresses` and `url()`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from urllib.parse import quote_plus

import jinja2

from generator import addresses
from generator.links import is_code
from generator.render import escape, fragments
from generator.render.fragments import date_text, long_date, month_name
from generator.render.index import first_sentence


def hf_search(title: str) -> str:
    return f"https://huggingface.co/papers?q={quote_plus(title)}"


def arxiv_search(title: str) -> str:
    return f"https://arxiv.org/search/?query={quote_plus(title)}&searchtype=title"


def arxiv_abs(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"  # ids are checked (api.ARXIV_ID): nothing to escape


def arxiv_pdf(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


def heading_ids(texts: list[str], explicit: Iterable[str] = ()) -> list[str]:
    """The ids Python-Markdown's toc extension gives headings written without one (`texts`, in page
    order) on a page whose other headings have the `explicit` ids: the slug of the text, made unique
    (`_1`, `_2`). Pages written as finished HTML keep the anchors they had as Markdown."""
    from markdown.extensions.toc import unique

    used = set(explicit)
    return [unique(_slug(text), used) for text in texts]


@functools.lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """Python-Markdown's slug of a heading's text (every paper page has the same six headings after its
    title: their slugs are made once)."""
    from markdown.extensions.toc import slugify

    return slugify(" ".join(text.split()), "-")


def front_matter(title: str, description: str | None = None, feed: str | None = None,
                 head: list[dict[str, str]] | None = None) -> str:
    """YAML front matter, written as one JSON object on one line: JSON is YAML, so MkDocs' own reader reads
    it, and the hook's reader (finished.read_source) reads it with json instead of libyaml with PyYAML's constructor
    (8.6 of 161 s of a profiled 10,000-paper build, whose head tags name every author). Generated pages
    stay out of Material's own search index (Pagefind indexes the site). Values are HTML-escaped: MkDocs
    themes print them unescaped."""
    meta: dict[str, object] = {"title": escape.yaml_text(title)}
    if description:
        meta["description"] = escape.yaml_text(description)
    meta["search"] = {"exclude": True}
    if feed:
        meta["feed"] = escape.yaml_text(feed)  # docs/overrides/main.html adds the autodiscovery link
    if head:  # <meta> tags docs/overrides/main.html prints: {attribute: value, content: text}
        meta["head"] = [{k: escape.yaml_text(v) for k, v in tag.items()} for tag in head]
    return json.dumps(meta, ensure_ascii=False)


def front(title: str, description: str | None = None, feed: str | None = None,
          head: list[dict[str, str]] | None = None) -> str:
    """A page's front matter block, between its `---` lines."""
    return f"---\n{front_matter(title, description, feed, head)}\n---"


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
        attr_pre=escape.html_pre,
        external=lambda url, label=None: escape.external_link(url, label),
    )
    env.tests["ne_one"] = lambda dumps: len(dumps) > 1
    env.globals.update(
        paper_path=lambda paper: addresses.paper(paper.slug),
        theme_path=lambda theme: addresses.theme(theme.slug),
        year_path=addresses.year, month_path=addresses.month, month_anchor=addresses.month_anchor,
        feed_path=addresses.feed, org_path=addresses.org, a=addresses,
        is_code=is_code, long_date=long_date, month_name=month_name, date_text=date_text,
        first_sentence=first_sentence, front=front, hf_search=hf_search, arxiv_search=arxiv_search,
        arxiv_abs=arxiv_abs, arxiv_pdf=arxiv_pdf,
        first_day=lambda year, month: dt.date(year, month, 1),
        heading=fragments.heading, indexed=fragments.indexed, paper_li=fragments.paper_li, why=fragments.why,
        why_in=fragments.why_in,
    )
    return env


ENV = _environment()


def render(template: str, here: str, **context) -> str:
    """Render `template` as the page at source path `here`; in the template, `url(target)` is a Markdown
    link from `here` to another source path, `href(target)` an HTML one (escaped for an attribute)."""
    return ENV.get_template(template).render(url=lambda target: addresses.relative(target, here),
                                             href=lambda target: escape.html_attr(addresses.href(target, here)),
                                             **context)
