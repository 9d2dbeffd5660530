"""Every address on the site, in one place (as Pelican keeps its URL settings in one).

A generated page has a *source path*, relative to docs/ (`papers/<slug>.md`),
which MkDocs serves at its *URL*, relative to the site root (`papers/<slug>/`).
Data files (feeds, charts, papers.json) have one path that is both. Templates
and renderers ask this module for both; nothing else builds an address.

Names from the corpus (theme names, organization handles, dump names, paper
titles) become one path segment each, through a slug. A few segments belong to
the generator: a folder's `index` (its overview page), the site-wide feed
`all`, the chart names. A corpus name that would take one of them is resolved
while the corpus is read (`reserve`): it gets a leading underscore, which no
slug has, so it can never meet another name either.
"""

from __future__ import annotations

import datetime as dt

from generator.slugs import plain_slug

# Pages with fixed addresses.
HOME = "index.md"
ABOUT = "about.md"
BROWSE = "browse.md"
CODE = "code.md"
THEMES = "themes/index.md"
TIMELINE = "timeline/index.md"
UNDATED = "timeline/undated.md"
LISTINGS = "listings/index.md"
ORGS = "orgs/index.md"

# Data files.
PAPERS_JSON = "papers.json"
BROWSE_DATA = "data/browse.json.gz"  # what the browse page loads: compact columns, snippets only, gzipped
MONTHS_CHART = "charts/papers-per-month.svg"
ALL_FEED = "feeds/all.xml"
# Read by docs/javascripts/search-worker.js (as ../search/vocabulary.txt) to correct typos.
SEARCH_VOCABULARY = "search/vocabulary.txt"

# Segments the generator owns, per folder. A theme is also a feed name
# (`feeds/<theme>.xml`) and a chart name (`charts/theme-<theme>.svg`), so its
# slug may be none of the generator's names in those folders either.
# (Paper slugs never take `index`: slugs.paper_slug hashes it.)
RESERVED = {
    "themes": frozenset({"index", "all", "overlap"}),
    "orgs": frozenset({"index"}),
    "listings": frozenset({"index"}),
}


def reserve(folder: str, slug: str) -> str:
    """`slug` as a safe segment of `folder`: a generator-owned name gets a leading "_"."""
    return f"_{slug}" if slug in RESERVED[folder] else slug


# Source paths of generated pages (docs-relative).

def paper(slug: str) -> str:
    return f"papers/{slug}.md"


FINISHED = ("papers/", "themes/", "timeline/", "listings/", "orgs/")  # folders of finished-HTML pages


def is_finished(path: str) -> bool:
    """Whether a generated page is finished HTML (generator/finished.py): paper pages and the lists of
    papers (theme, year, undated, listing, organization and with-code pages); the overviews are Markdown."""
    return path == CODE or (path.startswith(FINISHED) and path.endswith(".md") and not path.endswith("/index.md"))


def theme(slug: str) -> str:
    return f"themes/{slug}.md"


def year(value: int) -> str:
    return f"timeline/{value}.md"


def month_anchor(value: dt.date) -> str:
    return f"{value.year}-{value.month:02d}"


def month(value: dt.date) -> str:
    return f"{year(value.year)}#{month_anchor(value)}"


def org(org_id: str) -> str:
    return f"orgs/{org_id}.md"


def listing(listing_id: str) -> str:
    return f"listings/{listing_id}.md"


def feed(theme_slug: str | None = None) -> str:
    return f"feeds/{theme_slug}.xml" if theme_slug else ALL_FEED


def theme_chart(theme_slug: str) -> str:
    return f"charts/theme-{theme_slug}.svg"


# Keys derived from corpus names.

def org_id(handle: str) -> str:
    """An organization's permanent key: its page is orgs/<org_id>/."""
    return reserve("orgs", plain_slug(handle))


def theme_slug(name: str) -> str:
    return reserve("themes", plain_slug(name))


def listing_slug(dump_name: str) -> str:
    """A dump's listing key before collisions are resolved (see corpus.listing_ids)."""
    return reserve("listings", plain_slug(dump_name.rsplit(".", 1)[0]))


# URLs (site-root-relative): what feeds, papers.json and scripts link to.

def url(path: str) -> str:
    """The URL MkDocs serves a source path at (use_directory_urls): `papers/x.md` -> `papers/x/`."""
    path, hash_, anchor = path.partition("#")
    if path.endswith(".md"):
        stem = path[:-3]
        if stem == "index" or stem.endswith("/index"):
            stem = stem[:-5]
            path = stem
        else:
            path = stem + "/"
    return path + hash_ + anchor


def href(target: str, here: str) -> str:
    """A raw-HTML href (or src) from the page at source path `here` to the file or page `target`
    (maybe with #anchor): relative, through the folders the two URLs do not share."""
    folders = url(here).split("/")[:-1]
    parts = url(target).split("/")
    shared = 0
    while shared < len(folders) and shared < len(parts) - 1 and folders[shared] == parts[shared]:
        shared += 1
    return "../" * (len(folders) - shared) + "/".join(parts[shared:]) or "./"


def browse_href(theme_slug: str, here: str) -> str:
    """An HTML href from the page at source path `here` to the browse page filtered to one
    theme (docs/javascripts/browse.js reads the query). Raw HTML, not a Markdown link:
    MkDocs cannot check a link with a query, and warns."""
    return href(BROWSE, here) + f"?theme={theme_slug}"


def paper_url(slug: str) -> str:
    """The paper's permanent address relative to the site root."""
    return url(paper(slug))


def relative(target: str, here: str) -> str:
    """A link from page `here` to `target` (both source paths, `target` maybe with #anchor),
    as Markdown link syntax wants it: relative, to the `.md` source, so MkDocs checks it."""
    folder = here.rpartition("/")[0]
    if folder and target.startswith(folder + "/"):
        return target[len(folder) + 1:]
    return "../" * here.count("/") + target
