"""`mkdocs serve`: rebuilds that reuse the build cache, and a broken edit shown in the browser.

MkDocs' live-reload server calls its `builder` after each change and, when the
build raises, keeps serving nothing new ("the server will appear stuck until
build errors are resolved", mkdocs/livereload/__init__.py): the browser shows
no sign of the error. `install` (called from the hook's on_serve) gives the
server another builder, which

* builds into a new folder with the cache (generator/incremental.py), as
  `python -m generator build` does, and swaps it in for the served folder
  (the pages it did not render again are hard-linked from the served folder:
  `incremental.served`);
* leaves Pagefind at work when the pages are ready before the search index: the site is served with
  the last index, and the new one replaces it when Pagefind is done (pagefind.finish_late), after which
  the browsers reload again;
* on a failed build, serves a page that names the error on every address
  (MkDocs' server sends the folder's 404.html for any page it lacks), says it
  in the terminal too, and reloads itself every 2 s, so the next good edit
  brings the site back; that build links from the last good site, kept
  inside the error's folder, as from a served one.
"""

from __future__ import annotations

import functools
import html
import logging
import time
from pathlib import Path

from generator import incremental, pagefind, write

log = logging.getLogger("mkdocs.plugins.paper_atlas")
KEPT = ".paper-atlas-last-site"  # the last good site, inside the folder that serves a failed build's error
ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Build failed: Paper Atlas</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}}
pre{{white-space:pre-wrap;background:#fdecea;border-left:4px solid #c62828;padding:1rem}}</style></head>
<body><h1>The site could not be rebuilt</h1>
<p>The last edit broke the build. Fix it and save: this page reloads by itself. The terminal running
<code>mkdocs serve</code> shows the same messages.</p>
<pre id="paper-atlas-build-error">{messages}</pre></body></html>
"""


class _Messages(logging.Handler):
    """The warnings and errors logged during one build, to show in the browser."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def install(server, config) -> None:
    """Replace the live-reload server's builder (see the module docstring)."""
    root = Path(server.root)
    config_file, serve_url, strict = config.config_file_path, config.site_url, config.strict

    def rebuild() -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        pagefind.cancel_late()  # an earlier build's index, not yet in: this build makes its own
        messages = _Messages()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(messages)
        staging = write.new_build_dir(root)
        try:
            incremental.enable(config_file)
            new = load_config(config_file, site_dir=str(staging), strict=strict)
            new.site_url = serve_url
            log.info("Building documentation...")
            build(new, serve_url=serve_url, dirty=True)
            incremental.served(None)  # (until the new site is in place: a swap that fails half-way keeps nothing)
            write.replace_dir(staging, root, background=True)  # the old tree goes while the page reloads
            incremental.served(root)
            pagefind.finish_late(root, functools.partial(_reload, server))
        except Exception as error:  # any failure: shown in the browser and the terminal, the server lives on
            pagefind.cancel_late()
            write.discard(staging)
            text = "\n".join(messages.messages + [f"{type(error).__name__}: {error}"])
            log.error("Paper Atlas: the site could not be rebuilt; the browser shows this error until the "
                      "next good edit")
            _serve_error(root, text)
        finally:
            incremental.disable()
            logger.removeHandler(messages)

    server.builder = rebuild
    incremental.renders_all = False  # (the rebuilds are dirty builds)
    incremental.served(root)  # MkDocs' own first build, made into the served folder


def _reload(server) -> None:
    """Make the browsers load the served pages again, as MkDocs' server does after a build (its build loop
    sets the epoch that the pages' live-reload script waits on; nothing public does it from outside)."""
    rebuild, epoch = getattr(server, "_rebuild_cond", None), getattr(server, "_epoch_cond", None)
    if rebuild is None or epoch is None:
        return
    with rebuild, epoch:  # the order of MkDocs' build loop, which sets the wanted epoch under `rebuild`
        if server._want_rebuild or server._visible_epoch != server._wanted_epoch:
            return  # a rebuild is due or under way, and its end reloads the browsers
        server._wanted_epoch = server._visible_epoch = max(round(time.monotonic() * 1000), server._visible_epoch + 1)
        epoch.notify_all()


def _serve_error(root: Path, text: str) -> None:
    """The served folder becomes one page naming the error, served for every address. The last good site
    goes inside it (`KEPT`: no page links there, though the server answers for it under that name), so the
    next good build links its unchanged pages from there and can be served with its search index before
    Pagefind is done, as after any other edit (a rebuild that read every page from the cache and waited
    for Pagefind took 4 s longer at 10,000 papers)."""
    staging = write.new_build_dir(root)
    last = incremental.served_folder()
    try:
        write.write_bytes(staging / "404.html", ERROR_PAGE.format(messages=html.escape(text)).encode())
        if last is not None and last != root:  # kept by the failed build before this one
            write.move(last, staging / KEPT)
        write.replace_dir(staging, root, keep_old=KEPT if last == root else None)
        if last is not None:
            incremental.served_moved(root / KEPT)
    except BaseException:
        incremental.served(None)
        write.discard(staging)
        raise
