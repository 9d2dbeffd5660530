"""Helpers for checking a built site: a tiny HTML tree (stdlib only) and an internal link checker."""

from __future__ import annotations

import gzip
import html
import html.parser
import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                  "source", "track", "wbr"})
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
# Material writes `href="javascript:void(0)"` for a few of its own buttons; any other script URL is a bug.
HARMLESS = frozenset({"javascript:void(0)"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)  # Element or str
    line: int = 0

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self, skip_cls: str | None = None) -> str:
        """Text content, leaving out elements of class `skip_cls` (e.g. "headerlink")."""
        return "".join(c if isinstance(c, str) else c.text(skip_cls) for c in self.children
                       if isinstance(c, str) or skip_cls is None or skip_cls not in c.classes)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        found = self.find_all(tag, cls)
        return found[0] if found else None


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, line=self.getpos()[0])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}, line=self.getpos()[0]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@lru_cache(maxsize=4096)
def _page(path: Path) -> tuple[frozenset[str], tuple[tuple[str, str, int], ...]]:
    """(ids and anchor names in the page, (attribute, value, line) of every href/src)."""
    root = parse_html(path.read_text(encoding="utf-8"))
    ids, refs = set(), []
    for element in root.iter():
        if "id" in element.attrs:
            ids.add(element.attrs["id"])
        if element.tag == "a" and "name" in element.attrs:
            ids.add(element.attrs["name"])
        for attribute in ("href", "src"):
            if attribute in element.attrs:
                refs.append((attribute, element.attrs[attribute], element.line))
    return frozenset(ids), tuple(refs)


def site_prefix(site: Path) -> str:
    """The URL path the site is built for (from the home page's canonical link), e.g. `/paper-atlas/`."""
    root = parse_html((site / "index.html").read_text(encoding="utf-8"))
    for link in root.find_all("link"):
        if link.attrs.get("rel") == "canonical":
            return urlsplit(link.attrs["href"]).path or "/"
    return "/"


def resolve(site: Path, page: Path, url: str, prefix: str = "/") -> tuple[Path, str]:
    """The file an internal `url` written in `page` points to, and its #fragment ("" if none).

    Relative URLs resolve against the page's folder; absolute paths against the
    site root (after the site's URL prefix, as in 404.html); a URL naming a
    folder means its index.html.
    """
    parts = urlsplit(url)
    path = unquote(parts.path)
    here = "/" + page.relative_to(site).parent.as_posix()
    if not path:
        target = "/" + page.relative_to(site).as_posix()
    elif path.startswith("/"):
        if not path.startswith(prefix):
            raise OutsideSite(url)  # the site is served under `prefix` only
        target = "/" + path[len(prefix):]
    else:
        target = posixpath.join(here, path)
    folder = target.endswith("/") or target.endswith("/.") or target.endswith("/..")
    segments: list[str] = []
    for segment in target.split("/"):
        if segment == "..":
            if not segments:
                raise OutsideSite(url)  # a browser would clamp at the root; a site in a subfolder would not
            segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    file = site.joinpath(*segments)
    if folder or file.is_dir():
        file = file / "index.html"
    return file, unquote(parts.fragment)


class OutsideSite(ValueError):
    """A relative URL that climbs above the site's root folder."""


def broken_internal_links(site: Path) -> list[str]:
    """Every href/src in every .html of `site` that does not resolve: missing file, missing #anchor,
    a URL that leaves the site, or a script URL. External http(s) and mailto links are skipped."""
    site = site.resolve()
    prefix = site_prefix(site)
    problems = []
    for page in sorted(site.rglob("*.html")):
        _, refs = _page(page)
        for attribute, url, line in refs:
            where = f"{page.relative_to(site)}:{line}: {attribute}={url!r}"
            scheme = urlsplit(url).scheme.lower()
            if url.startswith("//") or scheme in EXTERNAL_SCHEMES:
                continue
            if scheme:
                if url.replace(" ", "") not in HARMLESS:
                    problems.append(f"{where}: {scheme}: URL")
                continue
            try:
                target, fragment = resolve(site, page, url, prefix)
            except OutsideSite:
                problems.append(f"{where}: points outside the site")
                continue
            if site not in target.resolve().parents:
                problems.append(f"{where}: points outside the site")
            elif not target.is_file():
                problems.append(f"{where}: {target.relative_to(site)} does not exist")
            elif fragment and target.suffix == ".html" and fragment not in _page(target)[0]:
                problems.append(f"{where}: no id {fragment!r} in {target.relative_to(site)}")
    return problems



# Search: the documents the site's search box searches.

def material_search_docs(site: Path) -> list[dict]:
    """Material's search/search_index.json docs: {location, title, text} (HTML in title and text)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return index["docs"]


def pagefind_docs(site: Path) -> list[dict] | None:
    """Pagefind's indexed pages as {location, title, text}, or None if the site has no Pagefind index.

    Each fragment (pagefind/fragment/*.pf_fragment) is gzip: b"pagefind_dcd" + JSON with the
    page's root-relative url, its indexed text and its meta title.
    """
    folder = site / "pagefind" / "fragment"
    if not (site / "pagefind" / "pagefind-entry.json").is_file():
        return None
    docs = []
    for fragment in sorted(folder.glob("*.pf_fragment")):
        raw = gzip.decompress(fragment.read_bytes())
        assert raw.startswith(PAGEFIND_SIGNATURE), fragment
        data = json.loads(raw[len(PAGEFIND_SIGNATURE):])
        docs.append({"location": data["url"].lstrip("/"), "title": data.get("meta", {}).get("title", ""),
                     "text": data["content"]})
    return docs


PAGEFIND_SIGNATURE = b"pagefind_dcd"


def search_docs(site: Path) -> tuple[str, list[dict]]:
    """("pagefind" or "material", docs) for the index the search box uses.

    The site's override points Material's search box at a Pagefind worker when
    the site ships a Pagefind index; otherwise Material's own index is searched.
    """
    docs = pagefind_docs(site)
    if docs is not None:
        return "pagefind", docs
    return "material", material_search_docs(site)


def plain(text: str) -> str:
    """Search-index HTML as plain text."""
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


TAG = re.compile(r"<[^>]+>")
