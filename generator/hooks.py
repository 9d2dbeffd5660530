"""MkDocs hooks (mkdocs.yml `hooks:`): the generated pages join every build.

`mkdocs build` and `mkdocs serve` read corpus/ and add the generated pages as
in-memory files, so nothing has to run first and nothing is written into
docs/ (which is why `mkdocs serve` has no rebuild loop). `mkdocs serve` also
watches corpus/, so editing a dump or themes.yml rebuilds the site.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

from generator import addresses, chrome, finished, incremental, pagefind, serve, write
from generator import corpus as reading
from generator.corpus import load_corpus, read_so_far
from generator.errors import CorpusError
from generator.render import environment, paper, site
from generator.render.paper import render_page
from generator.render.site import generate
from generator.render.vocabulary import render_vocabulary

CORPUS_ENV = "PAPER_ATLAS_CORPUS"
log = logging.getLogger("mkdocs.plugins.paper_atlas")
_files: Files | None = None  # this build's files (on_files), for the links check after it
_html_links: dict[str, list[str]] = {}  # this build's generated pages' HTML links (finished.page_links)
_indexing: pagefind.Indexing | None = None  # this build's Pagefind run


def corpus_dir(config) -> Path:
    """PAPER_ATLAS_CORPUS if set, else corpus/ beside mkdocs.yml."""
    return Path(os.environ.get(CORPUS_ENV) or Path(config.config_file_path).parent / "corpus")


def on_files(files: Files, config) -> Files:
    global _files, _html_links, _indexing
    if _indexing is not None:
        _indexing.abort()  # an earlier build under `mkdocs serve` that failed before its end
        _indexing = None
    try:
        # Pagefind starts on what it reads of the paper pages (their titles and abstracts) while the pages
        # are generated and rendered; in `generator build`, on the corpus read so far, while its related
        # papers are computed (start_loading).
        def begin(corpus) -> tuple[pagefind.Indexing, str]:
            """What needs no related papers: the helpers, Pagefind's run and the search vocabulary."""
            _start_helpers(corpus)
            papers = {addresses.paper(p.slug): (p.title, p.abstract) for p in corpus.papers}
            return pagefind.Indexing(files, config, papers=papers), search_vocabulary(corpus)

        early = read_so_far(corpus_dir(config))
        if early is not None:
            _indexing, vocabulary = begin(early)
            if reading.computing_related():
                paper.count_words_ahead(early.papers)  # while the related papers are computed
        corpus = load_corpus(corpus_dir(config))
        # (not begun, or begun on what changed since)
        if early is None or paper.texts(early.papers) != paper.texts(corpus.papers):
            if _indexing is not None:
                _indexing.abort()
            _indexing, vocabulary = begin(corpus)
        environment.ENV.bytecode_cache = incremental.template_cache()  # compiled once, as Material's (on_env)
        pages = list(generate(corpus, config.site_url or ""))
    except CorpusError as error:
        raise PluginError(f"Paper Atlas: {error}") from None
    except Exception as error:  # a bug: still a MkDocs error with what to do, never a traceback
        log.debug("Paper Atlas: rendering failed", exc_info=True)
        raise PluginError(f"Paper Atlas: rendering failed ({type(error).__name__}: {error}). "
                          "`python -m generator check` lists corpus problems; if it shows none, "
                          "please report this as a bug with the corpus that causes it") from None
    generated: dict[str, str | bytes] = {}
    for path, text in pages:
        if path in generated:
            raise PluginError(f"Paper Atlas: two generated pages share the address {path}; please report this bug")
        generated[path] = text
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"Paper Atlas: docs/{path} is hand-written, but the generator owns that "
                              "address; rename or remove the hand-written file")
        files.append(File.generated(config, path, content=text))
    add_search_vocabulary(files, config, vocabulary)
    _files, _html_links = files, finished.page_links(generated)
    pagefind.built_with(files)
    if _indexing is None or not _indexing.covers(files):  # (a corpus of no papers, or pages it did not know)
        if _indexing is not None:
            _indexing.abort()
        _indexing = pagefind.Indexing(files, config)
    # `generator build`, `mkdocs serve`: pages unchanged since a build come from the cache
    incremental.reuse(files, generated, _html_links, config)
    # INFO, not WARNING: corpus problems are the check report's business, and a
    # warning would fail every strict build over a dump someone has yet to fix.
    if corpus.problems:
        log.info("Paper Atlas: %d corpus problems; run `python -m generator check` to see them",
                 len(corpus.problems))
    log.info("Paper Atlas: %s", corpus.accounting())
    return files


def _start_helpers(corpus) -> None:
    """In a one-off build, child processes start now: one that draws the charts when the cache does not hold
    them (site.begin_charts), and, for many papers, one that imports what rendering a paper page needs, to
    render half of them (incremental.memo_each_helped); that one not when the cache holds paper pages
    already (a rebuild makes few)."""
    site.begin_charts(corpus)
    if len(corpus.papers) >= incremental.HELPED_AT_LEAST:
        incremental.start_helper("pages", ("generator.render.paper",), unless_made=render_page)


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve":
        incremental.serving = True  # the first build fills the cache that later rebuilds use
        # MkDocs' own first build renders every page unless `--dirty`: none is taken from the cache for it
        incremental.renders_all = not dirty


def on_config(config):
    if incremental.serving and not incremental.active():
        incremental.enable(config.config_file_path)
    return config


def search_vocabulary(corpus) -> str:
    """The words of the indexed titles and abstracts, for the search worker's typo correction."""
    papers = corpus.papers
    return incremental.memo(render_vocabulary, papers, key=tuple((p.title, p.abstract) for p in papers))  # its reads


def add_search_vocabulary(files: Files, config, text: str) -> None:
    path = addresses.SEARCH_VOCABULARY
    if files.get_file_from_path(path) is not None:
        raise PluginError(f"Paper Atlas: docs/{path} is hand-written, but the search worker reads the "
                          "generated vocabulary there; rename or remove the hand-written file")
    files.append(File.generated(config, path, content=text))


def on_serve(server, config, builder):
    server.watch(str(corpus_dir(config)))
    serve.install(server, config)  # cached rebuilds; a broken edit's error shown in the browser
    return server


def on_env(env, config, files):
    """Material's templates compiled once, not at every build (`mkdocs serve`, `generator build`); the parts
    of its page template that many pages share rendered once per build (generator/chrome.py)."""
    cache = incremental.template_cache()
    if cache is not None:
        env.bytecode_cache = cache
    chrome.forget()
    _set_aside.clear()  # (what a failed build may have left)
    env.loader = chrome.loader(env)
    env.globals["once"] = chrome.once
    env.globals["translate"] = chrome.translate
    return env


def on_pre_page(page, config, files):
    """Generated pages: their front matter is read by libyaml; paper pages are finished HTML, over which
    MkDocs runs no Markdown."""
    if page.file.generated_by:
        page.read_source = functools.partial(finished.read_source, page)
        if finished.is_finished_file(page.file):
            page.render = functools.partial(finished.render, page)
    return page


def on_post_page(output: str, page, config) -> str:
    """The page goes to the cache (incremental.keep) and to the thread that writes the site's pages
    (write.PageWriter), and a finished page lets its content go (finished.release_content); MkDocs, given an
    empty output, writes nothing (its "Page skipped" message for
    such a page is left out: _QuietWritten)."""
    data = output.encode("utf-8", errors="xmlcharrefreplace")  # the bytes MkDocs writes (its _build_page)
    finished.release_content(page)
    incremental.keep(page, data)
    if not output.strip():
        return output  # MkDocs says the page is skipped
    write.pages.put(page.file.abs_dest_path, data)
    if _MKDOCS_BUILD_LOG.isEnabledFor(logging.INFO):  # (else MkDocs makes no record of it to filter)
        _written.add(_SKIPPED.format(page.file.src_uri))
    return ""


_SKIPPED = "Page skipped: '{}'. Generated empty output."  # what MkDocs logs for a page with no output
_written: set[str] = set()  # that message for each page write.pages writes: not a skipped page, so not logged


class _QuietWritten(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in _written:
            _written.discard(message)
            return False
        return True


_MKDOCS_BUILD_LOG = logging.getLogger("mkdocs.commands.build")
_MKDOCS_BUILD_LOG.addFilter(_QuietWritten())


def _pages_written() -> None:
    """Wait for the thread that writes the pages; an error it met fails the build, naming the page."""
    _written.clear()  # (MkDocs logged each page's message as it built the page)
    try:
        write.pages.finish()
    except write.OutputError as error:
        raise PluginError(str(error)) from error
    except Exception as error:  # a bug: still a MkDocs error, never a traceback
        raise PluginError(f"Paper Atlas: writing the pages failed ({type(error).__name__}: {error}); "
                          "please report this as a bug") from error


# Material's search plugin, in on_page_context, indexes a page unless its front matter excludes it (every
# generated page does: Pagefind indexes the site), and strips `data-search-*` attributes from every page's
# content with a regular expression: 1.8 s at 10,000 paper pages that hold no such attribute. Their content
# is set aside while its handler runs and put back after it: the pages are the same.
_set_aside: dict[int, tuple[Any, str]] = {}  # id(page) -> (the page, its content); emptied by each build
set_aside = True  # False: every page's content goes through the plugin (tests compare the two sites)
_SEARCH_ATTRIBUTE = "data-search-"  # what the plugin's expression looks for (material/plugins/search)


@event_priority(200)  # first: Material's template and its search plugin read the content
def _content(context, page, config, nav):
    finished.content_for_template(page)
    return context


@event_priority(100)  # before Material's search plugin (0)
def _before_search(context, page, config, nav):
    search = page.meta.get("search") if isinstance(page.meta, dict) else None
    if set_aside and page.file.generated_by and isinstance(search, dict) and search.get("exclude") \
            and page.content and _SEARCH_ATTRIBUTE not in page.content:
        _set_aside[id(page)], page.content = (page, page.content), ""
    return context


@event_priority(-100)  # after it
def _after_search(context, page, config, nav):
    kept = _set_aside.pop(id(page), None)
    if kept is not None and kept[0] is page:
        page.content = kept[1]
    return context


on_page_context = CombinedEvent(_content, _before_search, _after_search)


def on_page_content(html: str, page, config, files) -> str:
    if _indexing is not None:
        _indexing.page_ready(page, html)  # Pagefind starts once every indexed page's body is known
    return html


def on_post_build(config) -> None:
    """Check the links MkDocs did not render, and wait for Pagefind's index (search at any corpus size).

    Only elements marked `data-pagefind-body` are indexed: a paper's title and
    abstract, and the about page, so each paper is found once, on its page.
    """
    _pages_written()
    incremental.check_links()
    if _files is not None:
        finished.check_links(_files, _html_links)
    if _indexing is not None:
        _indexing.finish()
    incremental.store_pages()
    write.mark_owned(Path(config.site_dir))  # plain `mkdocs build` output: a later `generator build` may replace it


def on_build_error(error) -> None:
    write.pages.abort()  # nothing is written into the site folder after the build gave up on it
    _written.clear()
    incremental.stop_helper()
    if _indexing is not None:
        _indexing.abort()


def on_shutdown() -> None:
    """`mkdocs serve` stops: so does a Pagefind run whose index was to follow the pages (generator/serve.py)."""
    pagefind.cancel_late()
