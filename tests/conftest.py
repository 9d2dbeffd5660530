"""Shared fixtures: the real site (built once per test session), a served site, a browser.

Helpers (corpus trees from dicts, the CLI in-process, HTML trees) are in helpers.py.

Hypothesis profiles: `make test` runs the "ci" profile (few examples, the same on every run); set
PAPER_ATLAS_HYPOTHESIS=deep for a deeper run with new examples each time, e.g.
`PAPER_ATLAS_HYPOTHESIS=deep .venv/bin/python -m pytest tests/test_hostile.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

from helpers import CHROMIUM_FLAGS, ROOT, VIEWPORT, chromium_path, serve

# "ci" draws the same examples on every run (a red `make test` is then reproducible, and CI never fails on an
# example no earlier run met); "deep" draws new ones each time, to find what "ci" does not.
settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("PAPER_ATLAS_HYPOTHESIS", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory):
    """Builds made in the tests keep their cache in the session's temp folder, not in the repository's
    .cache/paper-atlas (unless PAPER_ATLAS_CACHE is set): a page a test means to render is never taken from an
    earlier run's cache, and a run starts as cold as CI. A test comparing builds sets a cache of its own."""
    if os.environ.get("PAPER_ATLAS_CACHE"):
        yield
        return
    os.environ["PAPER_ATLAS_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    os.environ.pop("PAPER_ATLAS_CACHE", None)


@pytest.fixture(scope="session", autouse=True)
def _scikit_learn_and_matplotlib_imported():
    """Each test process imports scikit-learn and matplotlib once, as `mkdocs serve` has scikit-learn after
    its first build: the in-process builds compute their related papers here (corpus._related_worker) and
    draw their charts here (render.site.charts_drawn_here), instead of each starting a child that imports
    them again (0.9 and 0.5 CPU seconds; 16 and 18 such children in a run of the suite). A one-off build's
    children are tested on their own (test_related.py, test_incremental.py), and by every build run as a
    command."""
    import sklearn.feature_extraction.text  # noqa: F401

    import generator.render.charts  # noqa: F401


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The site built from the real corpus by plain `mkdocs build --strict`, once per test session.

    Under pytest-xdist every worker asks for it; the first builds it in the folder the workers
    share (the parent of their temp folders) under a lock, the others wait and read it.
    The build's output is kept beside it in build.log (see test_site's strict-build test).
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # set in each xdist worker
        shared = shared.parent
    folder = shared / "real-site"
    with FileLock(str(shared / "real-site.lock")):
        if not (folder / "done").exists():
            folder.mkdir(exist_ok=True)
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            env.pop("PAPER_ATLAS_CORPUS", None)  # the hook's default: corpus/ beside mkdocs.yml
            result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                                     "-d", str(folder / "site")],
                                    cwd=ROOT, env=env, capture_output=True, text=True)
            (folder / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
            assert result.returncode == 0, result.stdout + result.stderr
            (folder / "done").touch()
    return folder / "site"


@pytest.fixture(scope="session")
def real_site_log(real_site) -> str:
    """What `mkdocs build --strict` printed while building real_site."""
    return (real_site.parent / "build.log").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def real_site_url(real_site):
    server, url = serve(real_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its headless build when installed: helpers.chromium_path).
    Missing Chromium fails under CI=true."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


class SharedContext:
    """The browser context and the tab the `page` fixture hands each test, one of each per worker.

    A browser test's CPU time was mostly Chromium setting up: a new context, or a new page with no page
    of its site left open, starts a renderer process (measured: 1.9 against 1.2 CPU seconds for a load
    and a search), and a page's first load in a new tab costs twice a load in a tab already used (0.45
    against 0.2 CPU seconds for the home page). So the context stays open, beside a page kept on
    127.0.0.1 (every test site's host) so that its renderer process stays up, and the tab a test used
    is handed to the next test once it is reset: it is taken to about:blank, the listeners and routes the
    test added are removed, the localStorage and sessionStorage of every origin it visited are cleared,
    the viewport, emulated media and extra headers are set back, and the context's routes, cookies and
    permissions are removed. A tab that cannot be reset (the test closed it) is replaced, and so is the
    context when the test opened another page in it (whose storage the tab's reset did not see).
    (Playwright's context.storage_state() would tell what is stored, but it opens a page and visits each
    origin: 0.13 s, a third of a reset, measured over test_site_browser.py.)
    A test that needs what cannot be taken back (init scripts, exposed functions, listeners on the
    context, other context options) makes a context of its own."""

    def __init__(self, browser, keep_url: str) -> None:
        self.browser, self.keep_url = browser, keep_url
        self.context = None
        self.tab = None  # the tab handed to the last test, when it could be reset
        self.devtools = None  # a DevTools session on the tab: it clears the storage of the origins it visited
        self.origins: set[str] = set()  # the origins the tab's frames visited during the test
        self.own: dict = {}  # the tab's listeners when it was handed out: {event: [listener]}
        self.other_pages = False  # whether a page other than the tab was opened in the context during the test

    def new_page(self):
        if self.context is None:
            self.context = self.browser.new_context(viewport=VIEWPORT)
            self.context.new_page().goto(self.keep_url)
            self.context.on("page", self._opened)
        if self.tab is None:
            self.tab = self.context.new_page()
            self.tab.on("framenavigated", self._visited)
            self.devtools = self.context.new_cdp_session(self.tab)
        self.origins = set()
        self.other_pages = False  # (the tab's own opening, just now, is not the test's)
        events = self.tab._impl_obj  # Playwright's event emitter behind the page: what page.on adds to
        self.own = {event: list(events.listeners(event)) for event in events.event_names()}
        return self.tab

    def _visited(self, frame) -> None:
        parts = urlsplit(frame.url)
        if parts.scheme in ("http", "https"):
            self.origins.add(f"{parts.scheme}://{parts.netloc}")

    def _opened(self, page) -> None:
        self.other_pages = True

    def release(self, page) -> None:
        context = self.context
        try:
            self._reset(page)
        except Exception:  # a tab that cannot be reset (closed by the test, crashed) is not handed out again
            if not page.is_closed():
                page.close()
            self.tab = None
        context.unroute_all(behavior="ignoreErrors")
        context.clear_cookies()
        context.clear_permissions()
        if self.other_pages:
            self.close()

    def _reset(self, page) -> None:
        events = page._impl_obj
        for event in events.event_names():
            for listener in events.listeners(event):
                if listener not in self.own.get(event, []):
                    events.remove_listener(event, listener)
        page.unroute_all(behavior="ignoreErrors")
        page.goto("about:blank")  # the test's pages are unloaded: nothing of theirs runs or stores any more
        for origin in self.origins:  # Chromium clears the tab's sessionStorage of the origin with its localStorage
            self.devtools.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "local_storage"})
        if page.viewport_size != VIEWPORT:
            page.set_viewport_size(VIEWPORT)
        page.emulate_media(media="null", color_scheme="null", reduced_motion="null", forced_colors="null")
        page.set_extra_http_headers({})
        page.mouse.move(0, 0)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None
            self.tab = None


@pytest.fixture(scope="session")
def shared_context(browser, tmp_path_factory):
    blank = tmp_path_factory.mktemp("blank")
    (blank / "index.html").write_text("<!doctype html><title>kept open</title>", encoding="utf-8")
    server, url = serve(blank)
    shared = SharedContext(browser, url)
    yield shared
    shared.close()
    server.shutdown()


@pytest.fixture
def page(shared_context):
    """A tab on about:blank, 1280 x 900, as the last test left it once reset (SharedContext says what a test
    may change)."""
    page = shared_context.new_page()
    yield page
    shared_context.release(page)
