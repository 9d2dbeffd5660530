"""Pages handed to MkDocs as finished HTML: paper pages and lists of papers skip Python-Markdown.

Paper pages and the pages that list papers (theme, year, undated, listing,
organization, with-code; `addresses.is_finished`) are made from data, so the
generator writes their bodies as HTML (render/templates/*.html.j2) and MkDocs
only puts them in Material's page template: Python-Markdown over 10,000
generated pages was most of a build.
MkDocs still reads the page's front matter; `render` stands in for its
`Page.render` and fills what Markdown would have (the content, the table of
contents from the headings, the anchors the page holds).

The home page's lists of papers are raw HTML blocks in its Markdown for the
same reason (Python-Markdown copies those as they are).

MkDocs checks Markdown links only, so the generator checks the HTML ones, as
strictly: every relative href and src of a generated page must lead to a file
of this build and every #anchor to an id on that page (`check_links`, after
all pages are rendered). A broken one is a warning with MkDocs' wording, and
`strict: true` fails the build on it.
"""

from __future__ import annotations

import html
import json
import logging
import posixpath
import re
from typing import Any
from urllib.parse import unquote

from generator import addresses

log = logging.getLogger("mkdocs.plugins.paper_atlas")

# The headings the finished templates write: <hN attrs id="ID">TEXT<a class="headerlink" ...
_HEADING = re.compile(r'<h([1-6])\b[^>]*? id="([^"]*)">(.*?)<a class="headerlink"')
# An id="..." attribute: the pattern opens with a literal, which the regex engine skips ahead to (one
# opening with \s tries every position: 0.9 s against 0.15 s over 10,000 paper pages); `_ids` keeps the
# matches that follow white space (not data-id="...").
_ID = re.compile(r'id="([^"]*)"')
# Attributes inside tags only: in text, every "<" from the corpus is written "&lt;", so no tag starts there.
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def is_finished(src_uri: str) -> bool:
    """Generated pages whose body is finished HTML."""
    return addresses.is_finished(src_uri)


def render(page, config, files) -> None:
    """In place of MkDocs' Page.render for a finished page: its body (after the front matter) is already the
    page's HTML. What Markdown would have made of it is filled in (the table of contents from the headings,
    the title, the anchors the page holds); the content itself is the page's only while MkDocs puts it in its
    template (`content_for_template`, `release_content`): MkDocs reads every page before it renders the first
    template, and held, the bodies of 10,000 paper pages were a second copy of them beside Pagefind's peak."""
    from markdown.extensions.toc import nest_toc_tokens
    from mkdocs.structure.toc import get_toc

    body = body_of(page)
    tokens: list[Any] = [{"level": int(level), "id": id_, "name": text, "children": []}
                         for level, id_, text in _HEADING.findall(body)]
    # (the title before the tokens are nested: nest_toc_tokens changes their levels)
    page._title_from_render = next((html.unescape(t["name"]) for t in tokens if t["level"] == 1), None)
    page.toc = get_toc(nest_toc_tokens(tokens))
    page.present_anchor_ids = _ids(body)
    page.links_to_anchors = {}  # check_links checks them
    page.content = ""  # (until content_for_template)


def body_of(page) -> str:
    """A finished page's HTML: its source after the front matter, as split_source gives it (`body`, without
    reading the front matter again)."""
    return body(page.file.content_string).lstrip("\n")


def content_for_template(page) -> None:
    """Before MkDocs puts a finished page in its template (the hook's on_page_context): its content."""
    if is_finished_file(page.file):
        page.content = body_of(page)


def release_content(page) -> None:
    """Once MkDocs has rendered a finished page's template (the hook's on_post_page): its content is let go."""
    if is_finished_file(page.file):
        page.content = ""


def _ids(html_text: str) -> set[str]:
    """The values of the id attributes in `html_text`: what `\\sid="([^"]*)"` finds (a match not after white
    space is looked past, not skipped: `href="?id=" id="top"` holds "top")."""
    found, at = set(), 0
    while (m := _ID.search(html_text, at)) is not None:
        start = m.start()
        if start and html_text[start - 1].isspace():
            found.add(m.group(1))
            at = m.end()
        else:
            at = start + 1
    return found


def body(source: str) -> str:
    """A finished page's source without its front matter."""
    return _FRONT_MATTER.sub("", source, count=1)


def read_source(page, config) -> None:
    """In place of MkDocs' Page.read_source for a generated page: the same front matter and text (split_source).
    A finished page's Markdown is left empty: `render` reads its HTML from the source."""
    markdown, page.meta = split_source(page.file.content_string)
    page.markdown = "" if is_finished_file(page.file) else markdown


def split_source(source: str) -> tuple[str, dict]:
    """A generated page's source as MkDocs reads it: (its text after the front matter, the front matter). The
    generator writes the front matter as a JSON object (render.environment.front_matter), read with json here;
    other YAML is read by libyaml when PyYAML has it (MkDocs' pure-Python reader took a third of a millisecond
    per page)."""
    import yaml
    from mkdocs.utils.meta import YAML_RE, get_data

    loader = getattr(yaml, "CSafeLoader", None)
    m = YAML_RE.match(source)
    meta = None if m is None else _json_front_matter(m.group(1))
    if meta is None and m is not None and loader is not None:
        meta = yaml.load(m.group(1), loader)  # noqa: S506 (a safe loader)
    if m is None or meta is None:
        return get_data(source)
    return source[m.end():].lstrip("\n"), meta if isinstance(meta, dict) else {}


def _json_front_matter(text: str) -> Any:
    """The front matter as the generator writes it (a JSON object), or None for other YAML."""
    if not text.startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None  # YAML's flow style ("{a: b}"), which JSON is not


def links(body: str) -> list[str]:
    """The relative hrefs and srcs of the HTML in a page's body (not external, mailto or data URLs)."""
    out = []
    for value in (v for tag in _TAG.findall(body) if 'href="' in tag or 'src="' in tag for v in _LINK.findall(tag)):
        target = html.unescape(value)
        if ":" in target.split("/", 1)[0].split("#", 1)[0] or target.startswith("//"):
            continue  # a scheme (https:, mailto:, javascript: is never written) or a network path
        out.append(target)
    return out


def _key(url: str) -> str:
    """A URL as compared here: no trailing slash, the site root as '.'."""
    return posixpath.normpath(url) if url else "."


def resolve(target: str, page_url: str) -> tuple[str, str]:
    """(the URL key the link leads to, its #anchor) for a link on the page served at `page_url`."""
    path, _, anchor = target.partition("#")
    path = unquote(path.partition("?")[0])
    if not path:
        return _key(page_url), anchor
    folder = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
    return _key(posixpath.join(folder, path)), anchor


def is_finished_file(file) -> bool:
    """Whether a file of this build is a generated finished-HTML page."""
    return bool(file.generated_by) and is_finished(file.src_uri)


def anchors_of(file, last: dict[str, tuple[str, set[str]]], kept: dict[str, tuple[str, set[str]]]) -> set[str] | None:
    """The ids a page holds: read from a finished page's own HTML (rendered or not), or taken from `last`
    (the last build's, by source path) for a page of the same text, and kept in `kept` for the next build;
    else what MkDocs found when it rendered the page (None for a page it did not render)."""
    if is_finished_file(file):
        text = file.content_string
        before = last.get(file.src_uri)
        ids = before[1] if before is not None and before[0] == text else _ids(body(text))
        kept[file.src_uri] = (text, ids)
        return ids
    return file.page.present_anchor_ids if file.page is not None else None


# The last build's pages in this process: source path -> (text, its links). Under `mkdocs serve` a rebuild
# after an edit makes most pages as the last one did (0.8 s of reading at 10,000 papers).
_last_links: dict[str, tuple[str, list[str]]] = {}


def page_links(generated: dict[str, str | bytes]) -> dict[str, list[str]]:
    """Source path -> the HTML links of each generated page, read once a build (for the cache's anchor
    targets and for check_links), or taken from the last build for a page of the same text."""
    global _last_links
    pages = {path: text for path, text in generated.items() if path.endswith(".md") and isinstance(text, str)}
    known = _last_links
    _last_links = {path: (text, last[1] if (last := known.get(path)) is not None and last[0] == text
                          else links(body(text))) for path, text in pages.items()}
    return {path: found for path, (_, found) in _last_links.items()}


def anchor_targets(files, html_links: dict[str, list[str]]) -> set[str]:
    """Source paths of the Markdown pages that generated pages link to with an #anchor in HTML (`html_links`,
    from page_links): MkDocs must render them for their anchors to be known (a finished page's anchors are
    in its own HTML)."""
    by_url = {_key(f.url): f for f in files}
    out = set()
    for src_uri, targets in html_links.items():
        here = addresses.url(src_uri)
        for target in targets:
            if "#" in target:
                found = by_url.get(resolve(target, here)[0])
                if found is not None and not is_finished_file(found):
                    out.add(found.src_uri)
    return out


# The last build's resolved links: source path -> (its links as page_links gave them, its URL, each resolved).
# A page whose text did not change gets the same list of links from page_links (the same object), so its
# links resolve as they did then.
_last_resolved: dict[str, tuple[list[str], str, list[tuple[str, str]]]] = {}
# The last build's finished pages that links with an #anchor lead to: source path -> (text, its ids). Under
# `mkdocs serve` a page made again from the cache is the same text (0.8 s of reading ids at 10,000 papers).
_last_anchors: dict[str, tuple[str, set[str]]] = {}


def check_links(files, html_links: dict[str, list[str]]) -> int:
    """Warn of every HTML link of a generated page (`html_links`, from page_links: all of a finished page's
    links, the lists of papers of the others) that leads nowhere in this build; returns how many. MkDocs
    checks Markdown links only."""
    global _last_resolved, _last_anchors
    by_url = {_key(f.url): f for f in files}
    known: dict[str, set[str] | None] = {}
    broken = 0
    last, _last_resolved = _last_resolved, {}
    last_anchors, _last_anchors = _last_anchors, {}
    for src_uri, targets in html_links.items():
        here = files.get_file_from_path(src_uri).url
        kept = last.get(src_uri)
        resolved = kept[2] if kept is not None and kept[0] is targets and kept[1] == here else [
            resolve(target, here) for target in targets]
        _last_resolved[src_uri] = (targets, here, resolved)
        for target, (key, anchor) in zip(targets, resolved, strict=True):
            found = by_url.get(key)
            if found is None:
                broken += 1
                log.warning("Doc file '%s' contains a link '%s', but the target '%s' is not found among "
                            "documentation files.", src_uri, target, key)
                continue
            if not anchor:
                continue
            if found.src_uri not in known:
                known[found.src_uri] = anchors_of(found, last_anchors, _last_anchors)
            anchors = known[found.src_uri]
            if anchors is None or anchor not in anchors:
                broken += 1
                log.warning("Doc file '%s' contains a link '%s', but the doc '%s' does not contain an anchor "
                            "'#%s'.", src_uri, target, found.src_uri, anchor)
    return broken
