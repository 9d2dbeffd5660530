"""Helpers shared by the tests: corpus trees from dicts, the CLI in-process, HTML trees (lxml), site checks.

Fixtures live in conftest.py; everything here is a plain function or constant.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import html
import http.server
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DUMPS = ROOT / "tests" / "dumps"
HOSTILE = DUMPS / "hostile"
BROKEN = DUMPS / "broken"
MORE = DUMPS / "more"
ACCOUNTING = re.compile(r"^records read (\d+) = papers (\d+) \+ duplicates merged (\d+) \+ rejected (\d+)$")

# The spaced layout's page chrome: 12 lines, so the first title is on line 13.
SPACED_HEADER = ["new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "Daily Papers", "",
                 "byAK and the research community", "", "Oct 28", ""]
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}  # of the browser tests' pages
COMPACT_HEADER = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]


# --- corpus folders ----------------------------------------------------------------------------------------

def real_themes_text() -> str:
    """The real themes.yml without its include/exclude lists: those name papers of the real corpus."""
    from generator.themes import without_manual_lists

    return without_manual_lists((CORPUS / "themes.yml").read_text(encoding="utf-8"))


def make_corpus(folder: Path, dumps: dict[str, str | bytes], themes: str | None = None,
                sources: str | None = None) -> Path:
    """A corpus folder from a dict of dump name -> text (or bytes); real themes.yml unless given."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in dumps.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    (folder / "themes.yml").write_text(themes if themes is not None else real_themes_text())
    if sources is not None:
        (folder / "sources.yml").write_text(sources)
    return folder


def copy_dumps(folder: Path, *sources: Path, themes: bool = True) -> Path:
    """A corpus folder holding copies of the given dump files (and the real themes.yml, without include/exclude)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, folder / source.name)
    if themes:
        (folder / "themes.yml").write_text(real_themes_text(), encoding="utf-8")
    return folder


def temp_config(folder: Path) -> Path:
    """A copy of mkdocs.yml + docs/ in `folder`, its hooks pointing at the real generator/hooks.py."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "docs", folder / "docs")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pattern = re.compile(r"^(\s*-\s*)generator/hooks\.py\s*$", re.MULTILINE)
    assert pattern.search(text), "mkdocs.yml no longer lists generator/hooks.py under hooks:"
    text = pattern.sub(lambda m: f"{m[1]}{ROOT / 'generator' / 'hooks.py'}", text)
    (folder / "mkdocs.yml").write_text(text, encoding="utf-8")
    return folder / "mkdocs.yml"


# --- the command line --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """What a command run gives back: the shape of subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path = ROOT) -> Result:
    """`python -m generator ARGS` run in this process (`generator.cli.main`), output captured.

    The environment is put back afterwards (build sets PAPER_ATLAS_CORPUS for its hook).
    """
    from generator.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    try:
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse: usage errors and --help
                code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return Result(code, out.getvalue(), err.getvalue())


def run_cli_process(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` in a new interpreter: for exit codes and the real entry point."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


# What a build imports, imported once by the process fresh builds are forked from.
FRESH_PRELOAD = ["helpers", "generator.cli", "generator.hooks", "generator.render.site", "mkdocs.__main__",
                 "mkdocs.commands.build", "mkdocs.config.defaults", "material", "markdown", "jinja2", "numpy",
                 "sklearn.feature_extraction.text", "generator.render.charts"]


@functools.lru_cache(maxsize=1)
def _fresh_processes():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FRESH_PRELOAD)
    return ProcessPoolExecutor(max_workers=1, mp_context=context, max_tasks_per_child=1)


def _run_in_fresh_process(program: str, args: tuple[str, ...], env: dict[str, str], cwd: str) -> Result:
    os.environ.clear()
    os.environ.update(env)
    if program == "generator":
        return run_cli(*args, cwd=Path(cwd))
    from mkdocs.__main__ import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(list(args), prog_name="mkdocs", standalone_mode=False)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except Exception as error:  # click's own errors and MkDocs' aborts
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            code = getattr(error, "exit_code", 1)
    return Result(code, out.getvalue(), err.getvalue())


def run_cli_fresh(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
                  program: str = "generator") -> Result:
    """`python -m generator ARGS` (or `python -m mkdocs ARGS`) in a process of its own that has built
    nothing before: forked from a server process (multiprocessing's forkserver) that has only imported
    the modules of a build, so no state a build keeps in memory can shape this one, and the imports are
    not paid again. `env`: the whole environment (default: this one's)."""
    env = dict(os.environ if env is None else env, NO_MKDOCS_2_WARNING="1")
    return _fresh_processes().submit(_run_in_fresh_process, program, args, env, str(cwd)).result()


def build_site(corpus: Path, site: Path) -> Result:
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# --- files and folders -------------------------------------------------------------------------------------

def tree_hash(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` -> sha256 of its bytes ('<dir>' for folders)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "<link>" + str(path.readlink())
        elif path.is_dir():
            out[rel] = "<dir>"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def pagefind_index_of_built_site(site: Path) -> dict[str, str]:
    """tree_hash of the index Pagefind makes of the built site's indexed pages, their compounds spaced as
    the build spaces them for it (render.vocabulary.spaced_compounds)."""
    import tempfile

    from generator import pagefind
    from generator.render.vocabulary import spaced_compounds

    with tempfile.TemporaryDirectory() as scratch:
        pages, out = Path(scratch) / "pages", Path(scratch) / "pagefind"
        for page in sorted(site.rglob("*.html")):
            dest = str(page.relative_to(site))
            if pagefind._indexed(dest):
                target = pages / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(spaced_compounds(page.read_text(encoding="utf-8")), encoding="utf-8")
        subprocess.run([*pagefind.command(pages), "--output-path", str(out)], check=True, capture_output=True)
        return tree_hash(out)


def paper_pages(site: Path) -> list[Path]:
    return sorted(site.glob("papers/*/index.html"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    """Serve `folder` on a free loopback port in a thread; return (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = start(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler))
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def start(server):
    """Run `server` in a daemon thread. Its shutdown() waits for the loop's next poll: every 0.05 s
    here, not the default 0.5 s, which every test with a server of its own paid."""
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def chromium_path() -> str | None:
    """The browser the tests drive: $CHROMIUM if set, else Debian's chromium-headless-shell (the same Chromium
    built for headless use only, as Playwright itself runs it headless: a home and a paper page loaded
    took it 0.35-0.37 CPU seconds against 0.52-0.58 in the full browser's headless mode, and the browser
    tests took 64 against 80-83 s), else Debian's chromium."""
    return (os.environ.get("CHROMIUM") or shutil.which("chromium-headless-shell") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


# --- HTML trees: lxml.html, with the few queries the tests ask ----------------------------------------------

class Element:
    """A read-only view of an lxml.html element: tag, attrs, classes, text, find/find_all by tag and class."""

    __slots__ = ("node",)

    def __init__(self, node: lxml.html.HtmlElement):
        self.node = node

    @property
    def tag(self) -> str:
        return self.node.tag

    @property
    def attrs(self) -> dict[str, str]:
        return dict(self.node.attrib)

    @property
    def line(self) -> int:
        return self.node.sourceline or 0

    @property
    def classes(self) -> set[str]:
        return set(self.node.get("class", "").split())

    @property
    def children(self) -> list[Element]:
        return [Element(child) for child in self.node if isinstance(child.tag, str)]

    def text(self, skip_cls: str | None = None) -> str:
        """Text content, leaving out elements of class `skip_cls` (e.g. "headerlink")."""
        if skip_cls is None:
            return self.node.text_content()
        parts = [self.node.text or ""]
        for child in self.node:
            if isinstance(child.tag, str) and skip_cls not in child.get("class", "").split():
                parts.append(Element(child).text(skip_cls))
            parts.append(child.tail or "")
        return "".join(parts)

    def iter(self):
        for node in self.node.iter():
            if isinstance(node.tag, str):  # not comments or processing instructions
                yield Element(node)

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        return next((e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)),
                    None)


_HEADING = re.compile(r'<h([1-6])\b[^>]*? id="([^"]*)">(.*?)<a class="headerlink"')


def headings(page: str) -> list[tuple[int, str, str]]:
    """(level, id, text) of the headings of a generated finished-HTML page's source, in order."""
    return [(int(level), id_, html.unescape(text)) for level, id_, text in _HEADING.findall(page)]


def parse_html(text: str) -> Element:
    return Element(lxml.html.document_fromstring(text))


def page_tree(path: Path) -> Element:
    return parse_html(path.read_text(encoding="utf-8"))


def article(tree: Element) -> Element:
    found = tree.find("article")
    assert found is not None, "page has no <article>"
    return found


def h1_text(tree: Element) -> str:
    """The page's h1 as read, without the permalink anchor MkDocs appends."""
    h1 = article(tree).find("h1")
    assert h1 is not None, "page has no <h1>"
    return h1.text(skip_cls="headerlink")


# --- internal links ----------------------------------------------------------------------------------------

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
# Material writes `href="javascript:void(0)"` for a few of its own buttons; any other script URL is a bug.
HARMLESS = frozenset({"javascript:void(0)"})


@lru_cache(maxsize=4096)
def _page(path: Path) -> tuple[frozenset[str], tuple[tuple[str, str, int], ...]]:
    """(ids and anchor names in the page, (attribute, value, line) of every href/src)."""
    root = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
    ids, refs = set(), []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if "id" in node.attrib:
            ids.add(node.get("id"))
        if node.tag == "a" and "name" in node.attrib:
            ids.add(node.get("name"))
        for attribute in ("href", "src"):
            if attribute in node.attrib:
                refs.append((attribute, node.get(attribute), node.sourceline or 0))
    return frozenset(ids), tuple(refs)


def site_prefix(site: Path) -> str:
    """The URL path the site is built for (from the home page's canonical link), e.g. `/paper-atlas/`."""
    root = page_tree(site / "index.html")
    for link in root.find_all("link"):
        if link.attrs.get("rel") == "canonical":
            return urlsplit(link.attrs["href"]).path or "/"
    return "/"


class OutsideSite(ValueError):
    """A relative URL that climbs above the site's root folder."""


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


def broken_internal_links(site: Path) -> list[str]:
    """Every href/src in every .html of `site` that does not resolve: missing file, missing #anchor,
    a URL that leaves the site, or a script URL. External http(s) and mailto links are skipped."""
    site = site.resolve()
    prefix = site_prefix(site)
    problems = []

    @functools.cache
    def missing(target: Path) -> str | None:  # what is wrong with a link's file, asked once per file
        if site not in target.resolve().parents:
            return "points outside the site"
        if not target.is_file():
            return f"{target.relative_to(site)} does not exist"
        return None

    for page in sorted(site.rglob("*.html")):
        _, refs = _page(page)
        for attribute, url, line in refs:
            scheme = urlsplit(url).scheme.lower()
            if url.startswith("//") or scheme in EXTERNAL_SCHEMES:
                continue
            where = f"{page.relative_to(site)}:{line}: {attribute}={url!r}"
            if scheme:
                if url.replace(" ", "") not in HARMLESS:
                    problems.append(f"{where}: {scheme}: URL")
                continue
            try:
                target, fragment = resolve(site, page, url, prefix)
            except OutsideSite:
                problems.append(f"{where}: points outside the site")
                continue
            if problem := missing(target):
                problems.append(f"{where}: {problem}")
            elif fragment and target.suffix == ".html" and fragment not in _page(target)[0]:
                problems.append(f"{where}: no id {fragment!r} in {target.relative_to(site)}")
    return problems


# --- search: the documents the site's search box searches ----------------------------------------------------

PAGEFIND_SIGNATURE = b"pagefind_dcd"
TAG = re.compile(r"<[^>]+>")


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
        docs.append({"location": data["url"].lstrip("/"), "title": unspaced(data.get("meta", {}).get("title", "")),
                     "text": unspaced(data["content"])})
    return docs


def unspaced(text: str) -> str:
    """Indexed text with its compounds joined again, as the search worker shows it ("language -based")."""
    return re.sub(r" -(?=[^\W\d_])", "-", text)


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
