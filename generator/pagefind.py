"""Pagefind indexes the site on the second core while the generator and MkDocs still make it.

Only pages with a `data-pagefind-body` are indexed (`GLOB`): the paper pages
and the about page. Their bodies are known before MkDocs writes any page:
what Pagefind reads of a paper page (its title, abstract and plain forms:
render.paper.indexed_body) once the corpus is read, before any page is
generated; the about page once MkDocs has converted its Markdown
(on_page_content, which MkDocs runs for every page before it renders a
single template). As soon as every indexed body is known, each is written as
a small HTML file into a scratch folder laid out as the site will be, and
Pagefind indexes that folder in a child process while the pages are generated
and MkDocs renders Material's templates and writes the site (the child,
generator/pagefind_child.py, makes the paper pages' small files from their
titles and abstracts, writes all of them, and removes them once Pagefind has
read them). The build
waits for it at the end (on_post_build) and moves the index into the site;
under `mkdocs serve` a rebuild whose pages are ready first is served with the
last index, and this run's index follows (`Indexing.finish`, `finish_late`).

On a rebuild (`mkdocs serve`, `generator build` with the cache), the about
page's body is usually the one the last build rendered from the same source:
Pagefind then starts at once on that kept body (incremental.known_body), while
this build still generates and renders, and the body MkDocs renders is
checked against it. Under `mkdocs serve`, an edited about page is rendered
at once for it (`_render_early`). A difference starts Pagefind again, so a
kept or early body never reaches the index unchecked.

Pagefind reads a page's `data-pagefind-body` element, its first h1 and the
`lang` of its <html>; the small files hold those (a paper page's facts,
which Pagefind ignores, left out), with a space before each hyphen that
joins two words (render.vocabulary.spaced_compounds), so that Pagefind
indexes "language-based" as its two words and not also as `languagebased`.
The index is byte-identical to one made from the built site with its
compounds spaced (tests/test_pagefind.py and tests/test_hostile.py compare
them); the search worker takes the space out where it shows a title or an
excerpt.
"""

from __future__ import annotations

import fnmatch
import functools
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

from generator import addresses, finished, incremental, write
from generator.children import popen_kwargs
from generator.pagefind_child import INDEX, KEEP, PAGES, Page, stand_in
from generator.render.vocabulary import spaced_compounds

log = logging.getLogger("mkdocs.plugins.paper_atlas")

LATE = "the pages are ready before the search index"  # logged under `mkdocs serve` (bench/targets.py reads it)
UPDATED = "search index updated"
GLOB = "{papers/**/*.html,about/*.html}"  # the only pages with a data-pagefind-body
OPTIONS = ["--silent", "--exclude-selectors", ".headerlink"]  # the ¶ permalink is not part of a title


def command(site: str | Path) -> list[str]:
    """Pagefind's binary (that of the `pagefind` package's wheels) over `site`."""
    return [_binary(), *arguments(site)]


def arguments(site: str | Path) -> list[str]:
    return ["--site", str(site), *OPTIONS, "--glob", GLOB]


@functools.cache
def _binary() -> str:
    """Found as `python -m pagefind` finds it, once: run directly, Pagefind starts 0.1 s sooner."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise PluginError("Paper Atlas: Pagefind's binary was not found; run `make site` (it installs the "
                          "`pagefind[bin]` package) or set PAGEFIND_BINARY_PATH")
    return str(found.resolve())


def _source(file) -> str | None:
    """A hand-written page's Markdown, or None when it cannot be read (MkDocs says why when it reads it)."""
    try:
        return file.content_string
    except (OSError, ValueError):
        return None


# Under `mkdocs serve`: the source paths of the files of the last build (`built_with`).
_last_files: frozenset[str] = frozenset()


def built_with(files) -> None:
    """The files of this build, all of them (the hook's on_files): under `mkdocs serve`, what the next
    build's pages may link to."""
    global _last_files
    if incremental.serving:
        _last_files = frozenset(f.src_uri for f in files)


def _render_early(file, config, files) -> str | None:
    """A hand-written page's body, rendered as MkDocs will render it, but now: before the pages other than
    the paper pages are generated, so that Pagefind need not wait for MkDocs to get to it (`mkdocs serve`,
    after an edit of the about page: 5 s sooner at 10,000 papers). A link to a page not generated yet
    resolves as in the last build; without one (a first build, a build outside `mkdocs serve`) nothing is
    rendered.
    A guess either way: page_ready checks it against the body MkDocs renders, and a difference starts
    Pagefind again. Its warnings are MkDocs' to give when it renders the page, so none is logged here."""
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    if not (incremental.serving and _last_files):
        return None
    known = Files(list(files))

    class Later(Files):
        """This build's files so far, and stand-ins for those of the last build not made yet."""

        def get_file_from_path(self, path: str):  # all that Page.render asks of its files
            found = known.get_file_from_path(path)
            if found is None and path in _last_files:
                found = File.generated(config, path, content="")
            return found

    before, level = file.page, logging.root.manager.disable
    logging.disable(max(level, logging.WARNING))  # the whole process, for the few milliseconds of one page
    try:
        page = Page(None, file, config)  # (which sets file.page: put back below)
        page.read_source(config)
        page.render(config, Later([]))
        return page.content
    except Exception:  # MkDocs says what is wrong when it renders the page
        return None
    finally:
        logging.disable(level)
        file.page = before


def _indexed(dest_uri: str) -> bool:
    return any(fnmatch.fnmatchcase(dest_uri, pattern) for pattern in incremental.expand_glob(GLOB))


class Indexing:
    """Pagefind's run for one build: started when the last indexed body is known, finished after the build."""

    def __init__(self, files, config, papers: dict[str, tuple[str, str]] | None = None) -> None:
        """`files`: the hand-written pages (and the theme's files); `papers`: source path -> the title and
        abstract of each paper page, of which the child makes what Pagefind reads (render.paper.indexed_body),
        known once the corpus is read, before the pages are generated (the hook checks with `covers` that no
        page to index came after them)."""
        self.site = Path(config.site_dir)
        self.lang = (config.theme.get("language") or "en") if config.theme else "en"
        self.papers = papers or {}
        self.docs = {f.src_uri: f for f in files if f.is_documentation_page() and _indexed(f.dest_uri)}
        # Every page to index: source path -> the file it becomes (papers/x.md -> papers/x/index.html).
        self.pages = {src_uri: file.dest_uri for src_uri, file in self.docs.items()} | {
            src_uri: addresses.url(src_uri) + "index.html" for src_uri in self.papers}
        self.output = Path()
        self.bodies: dict[str, str] = {}  # the bodies MkDocs renders (the about page)
        self.waiting = {src_uri for src_uri, file in self.docs.items() if not finished.is_finished_file(file)}
        self.process: subprocess.Popen | None = None
        self.scratch: Path | None = None
        self.key = ""
        self.stored: Path | None = None
        self.build: incremental.Build | None = None  # the build whose index finish_late puts in
        self.lock = threading.RLock()  # abort() against finish_late's thread
        self.cancelled = False
        # When the last build rendered each of them from the same source, Pagefind starts now on those
        # bodies, while this build still generates and renders; page_ready checks each body MkDocs
        # renders against the one assumed and starts Pagefind again on a difference.
        paths = [*(f.src_uri for f in files), *self.papers]
        self.body_keys = {src_uri: incremental.body_key(src_uri, source, paths)
                          for src_uri in self.waiting if (source := _source(self.docs[src_uri])) is not None}
        assumed = {src_uri: incremental.known_body(key) for src_uri, key in self.body_keys.items()}
        self.cached = {src_uri: body for src_uri, body in assumed.items() if body is not None}
        self.assumed = dict(self.cached)
        rendered = []  # the others, rendered now when they can be (`_render_early`)
        for src_uri in sorted(self.waiting - self.assumed.keys()):
            body = _render_early(self.docs[src_uri], config, files)
            if body is not None:
                self.assumed[src_uri] = body
                rendered.append(src_uri)
        if self.assumed and self.assumed.keys() == self.waiting:
            self.bodies.update(self.assumed)
            self._start()
            on = ([f"on the last build's body of {', '.join(sorted(self.cached))}"] if self.cached else []) + (
                [f"on the body of {', '.join(rendered)} rendered now"] if rendered else [])
            log.info("Paper Atlas: Pagefind started before rendering, %s", " and ".join(on))
        elif not self.waiting:  # nothing for MkDocs to render first
            self._start()

    def covers(self, files) -> bool:
        """Whether this run indexes every page of `files` that is to be indexed, at its address, and no other."""
        return self.pages == {f.src_uri: f.dest_uri for f in files.documentation_pages() if _indexed(f.dest_uri)}

    def page_ready(self, page, html: str) -> None:
        """A page's HTML body is known (the hook's on_page_content); start once all of them are."""
        src_uri = page.file.src_uri
        if src_uri not in self.waiting:
            return
        if self.cached.get(src_uri) != html and src_uri in self.body_keys:
            incremental.keep_body(self.body_keys[src_uri], html)
        if self.scratch is None:
            self.bodies[src_uri] = html
            if len(self.bodies) == len(self.waiting):
                self._start()
        elif self.bodies.get(src_uri) != html:  # started on a body the page no longer has: start again
            log.info("Paper Atlas: %s renders otherwise than the last build kept it; Pagefind starts again", src_uri)
            self._stop()
            self.bodies[src_uri] = html
            self._start()

    def _start(self) -> None:
        """Pagefind's child process writes the stand-ins itself (pagefind_child), on the second core: thousands of
        small files cost this process, which renders the site meanwhile, a second at 2,000 papers."""
        self.scratch = Path(tempfile.mkdtemp(prefix="paper-atlas-pagefind-"))
        pages = [(dest_uri, self._page(src_uri, dest_uri)) for src_uri, dest_uri in self.pages.items()]
        self.key, self.stored = incremental.stored_pagefind(arguments("<site>"), pages, self.lang)
        if self.stored is None:
            write.new_file(self.scratch / PAGES, pickle.dumps((self.lang, pages), protocol=pickle.HIGHEST_PROTOCOL))
            self.output = self.scratch / "pagefind.log"
            with self.output.open("wb") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "generator.pagefind_child", str(self.scratch),
                     *([KEEP] if incremental.serving else []), *command(self.scratch)],
                    stdout=out, stderr=subprocess.STDOUT, **popen_kwargs())

    def _page(self, src_uri: str, dest_uri: str) -> Page:
        """What Pagefind reads of the page that will be written: its language and its body, its compounds
        spaced (render.vocabulary.spaced_compounds: the index has the words, not "languagebased"); for a
        paper page, its title and abstract, of which the child makes that (pagefind_child.stand_ins). A page
        MkDocs did not render in this build (`mkdocs build --dirty` leaves unchanged pages as they were) is
        indexed from the file it wrote before."""
        if src_uri in self.papers:
            return self.papers[src_uri]
        if src_uri in self.bodies:
            body = spaced_compounds(self.bodies[src_uri])
        elif finished.is_finished_file(file := self.docs[src_uri]):  # (a page it was not told of: a fallback)
            body = spaced_compounds(finished.body(file.content_string))
        else:
            page = (self.site / dest_uri).read_bytes().decode("utf-8", errors="replace")
            return spaced_compounds(page).encode("utf-8")
        return stand_in(self.lang, body)

    def finish(self) -> None:
        """After MkDocs wrote the site (the hook's on_post_build): wait for Pagefind and move its index in.

        Under `mkdocs serve`, when Pagefind is still at work and the last good site has an index (the served
        one, or the one kept after a failed build: incremental.served_folder), the new site
        gets that index for now and the build ends without waiting: `finish_late` puts this run's index into
        the served site once Pagefind is done (at 10,000 papers Pagefind takes 14 s after an edited dump,
        longer than everything else the rebuild does)."""
        global _late
        if self.scratch is None:  # an indexed page was not rendered in this build (a --dirty build)
            self._start()
        served = incremental.served_folder()
        if (incremental.serving and self.stored is None and self.process is not None and self.process.poll() is None
                and served is not None and (served / "pagefind").is_dir()):
            write.link_tree(served / "pagefind", self.site / "pagefind")
            self.build = incremental.current()
            _late = self
            log.info("Paper Atlas: %s; search uses the last index until Pagefind is done", LATE)
            return
        try:
            if self.stored is None:
                assert self.process is not None and self.scratch is not None
                if self.process.wait() != 0:
                    text = self.output.read_text(encoding="utf-8", errors="replace")
                    raise PluginError(f"Paper Atlas: Pagefind could not index the site: {text}")
                write.discard(self.site / "pagefind")
                write.move(self.scratch / INDEX, self.site / "pagefind")
                incremental.store_pagefind(self.key, self.site / "pagefind")
            else:
                write.link_tree(self.stored, self.site / "pagefind")
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop Pagefind for good and remove the scratch folder (a failed build, the end of this one, or, for a
        run that finishes late, the next rebuild's start and the server's end)."""
        with self.lock:
            self.cancelled = True
            self._stop()

    def _stop(self) -> None:
        """Stop Pagefind's run and remove its scratch folder (`page_ready` then starts another)."""
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.scratch is not None:
                write.discard(self.scratch, background=incremental.serving)
            self.process = self.scratch = None

    def _install_late(self, root: Path, reload: Callable[[], None]) -> None:
        """Wait for Pagefind (in a thread: see finish), then swap its index into the served site `root`, keep it
        in the cache and reload the browsers; unless a newer rebuild started meanwhile (`abort`). What goes
        wrong is logged, never raised: the site stays served with the last index."""
        started = time.monotonic()
        with self.lock:
            process = self.process
            if self.cancelled or process is None:
                return
        status = process.wait()
        with self.lock:
            if self.cancelled:
                return
            try:
                if status != 0:
                    text = self.output.read_text(encoding="utf-8", errors="replace")
                    log.error("Paper Atlas: Pagefind could not index the site, so search still shows the last "
                              "index: %s", text)
                    return
                assert self.scratch is not None
                new = root / f".pagefind.new-{os.getpid()}"
                write.discard(new)
                write.move(self.scratch / INDEX, new)
                write.swap_in(new, root / "pagefind", background=True)
                incremental.store_pagefind(self.key, root / "pagefind", self.build)
            except Exception as error:  # (a thread: nothing above it would say it)
                log.error("Paper Atlas: the new search index could not be put in place (%s: %s); search still "
                          "shows the last index", type(error).__name__, error)
                return
            finally:
                self.abort()
        log.info("Paper Atlas: %s, %.1f s after the pages", UPDATED, time.monotonic() - started)
        try:
            reload()
        except Exception as error:
            log.warning("Paper Atlas: the browsers could not be told to reload (%s: %s); reload the page to "
                        "search the new index", type(error).__name__, error)


# Under `mkdocs serve`: the run whose index the last build left to finish_late (Indexing.finish), then the run
# whose index finish_late's thread waits for.
_late: Indexing | None = None
_running_late: Indexing | None = None
_late_thread: threading.Thread | None = None


def finish_late(root: Path, reload: Callable[[], None]) -> None:
    """Under `mkdocs serve`, once the build is served from `root`: if it left Pagefind at work (`finish`), a
    thread puts the index in when it is done and calls `reload` (the browsers load the pages again)."""
    global _late, _late_thread, _running_late
    indexing, _late = _late, None
    if indexing is not None:
        _running_late = indexing
        _late_thread = threading.Thread(target=indexing._install_late, args=(root, reload), daemon=True,
                                        name="paper-atlas-pagefind")
        _late_thread.start()


def cancel_late() -> None:
    """Stop the run a build left at work (that build failed after all) and the run finish_late waits for (a new
    rebuild starts, or the server stops): no index of an earlier build lands after this."""
    global _late, _running_late
    for indexing in (_late, _running_late):
        if indexing is not None:
            indexing.abort()
    _late = _running_late = None


def wait_late(timeout: float | None = None) -> None:
    """Wait until the index that finish_late puts in is there (for tests and benchmarks)."""
    if _late_thread is not None:
        _late_thread.join(timeout)
