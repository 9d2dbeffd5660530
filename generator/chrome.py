"""Parts of Material's page template that many pages share, rendered once per build for all of them.

Material renders its whole page template for every page. At 10,000 paper pages, the site navigation, the
search box and the script configuration cost about 6 s (64.9 s a build before, 58.8 s after; the floors of
the two runs differed by 1.9 s), though all the pages of one folder that are not in the nav get the same
HTML for them. The overrides in docs/overrides call `once(...)` for those parts: a part is rendered the
first time its key is met, and the kept HTML is returned after that.

The key is what the part reads of the page:
- the folder of the page's address, from which every relative link of the part goes (`_where`);
- the base of its links (`base_url`: the 404 page's links are absolute);
- which nav page is active (each page in the nav, whose entry is highlighted and holds its table of
  contents, has a key of its own);
- for the table of contents, the page's headings (`_headings`: every paper page has the same few).

Material's own partial is rendered as an include would render it, under the name `material/...` (`loader`).
The kept parts are forgotten at the start of each build (`forget`): under `mkdocs serve` the config, the nav
or the theme may have changed. tests/test_hostile.py builds the hostile site with and without them and
compares every page byte for byte.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from pathlib import Path

import jinja2

PREFIX = "material/"  # `material/partials/nav.html`: Material's own partial, which docs/overrides shadows

_kept: dict[tuple, str] = {}
keep = True  # False renders every part for every page (tests compare the two sites)


def forget() -> None:
    _kept.clear()


def loader(env: jinja2.Environment) -> jinja2.BaseLoader:
    """The theme's loader, and Material's own templates under `material/`."""
    templates = Path(str(importlib.resources.files("material") / "templates"))
    material_loader = jinja2.PrefixLoader({PREFIX.rstrip("/"): jinja2.FileSystemLoader(templates)})
    assert env.loader is not None  # MkDocs' theme loader
    return jinja2.ChoiceLoader([env.loader, material_loader])


@jinja2.pass_context
def once(context: jinja2.runtime.Context, name: str, render: Callable[[], str] | None = None) -> str:
    """The part `name` of this page: `render()` (a block's `super`), or Material's partial of that name,
    rendered for the first page of its key and kept for the others."""
    key = (name, context.get("base_url"), _where(context), _headings(context) if name == TOC else ())
    html = _kept.get(key) if keep else None
    if html is None:
        if render is None:
            template = context.environment.get_template(PREFIX + name)
            html = template.render(context.get_all())
        else:
            html = str(render())
        _kept[key] = html
    return html


TOC = "partials/toc.html"  # Material's table of contents: it reads the page's headings (page.toc), no link


def _headings(context: jinja2.runtime.Context) -> tuple:
    """What Material's table of contents reads of the page's headings: each one's title, anchor, level and
    typeset title, and those of the headings under it; of a page whose first heading is its title (an h1),
    only the headings under that one, as Material shows (partials/toc.html)."""
    page = context.get("page")
    toc = list(page.toc) if page is not None else []
    if toc and toc[0].level == 1:
        toc = toc[0].children
    return _items(toc)


def _items(toc) -> tuple:
    return tuple((item.title, item.id, item.level, repr(getattr(item, "typeset", None)), _items(item.children))
                 for item in toc)


def translate(key: str, look_up: Callable[[str], str]) -> str:
    """Material's text for `key` in the site's language: look_up(key) (Material's lookup, in
    docs/overrides/partials/language.html) once per build for each key, not at every call (a build has one
    language; the kept texts are forgotten at the start of each build)."""
    name = ("translate", key)
    found = _kept.get(name) if keep else None
    if found is None:
        found = _kept[name] = str(look_up(key))
    return found


def _where(context: jinja2.runtime.Context) -> tuple:
    """What a shared part reads of the page it is on: the folder of its URL (every relative link of the part
    goes from there: "papers/a/" and "papers/b/" link alike to "../../about/") and which nav page is active.
    A page with nav pages under its own URL links to them by a path through its own name: it is a key."""
    page, nav = context.get("page"), context.get("nav")
    url = page.url if page is not None else ""
    pages = nav.pages if nav is not None else []
    active = tuple(p.active for p in pages)
    if any(p.url.startswith(url) and p.url != url for p in pages if url):
        return (url, active)
    return (url.rstrip("/").rpartition("/")[0], active)
