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
    """Debian's Chromium driven by Playwright. Missing Chromium fails under CI=true."""
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
    """The browser context the `page` fixture opens each test's page in, one per worker.

    Each test still gets a new page (a tab: its own sessionStorage, listeners, routes, viewport), but
    in a context already open, beside a page kept open on 127.0.0.1 (every test site's host) so that
    Chromium's renderer process for that host stays up: a new context, or a new page with no page of
    its site left open, starts a renderer process, and that was about 40% of the CPU time of a browser
    test (measured: 1.9 against 1.2 CPU seconds for a load and a search).
    When a test ends, its page is closed, the context's routes, cookies and permissions are removed and
    the localStorage of the page's last origin is cleared; a context that still holds stored state after
    that is closed, and the next test gets a new one. A test that adds listeners to the context, or
    needs other context options, makes a context of its own."""

    def __init__(self, browser, keep_url: str) -> None:
        self.browser, self.keep_url = browser, keep_url
        self.context = None

    def new_page(self):
        if self.context is None:
            self.context = self.browser.new_context(viewport=VIEWPORT)
            self.context.new_page().goto(self.keep_url)
        return self.context.new_page()

    def release(self, page) -> None:
        context = self.context
        try:
            page.evaluate("() => localStorage.clear()")
        except Exception:  # no document, or one whose origin has no storage: the check below decides
            pass
        page.close()
        context.unroute_all(behavior="ignoreErrors")
        context.clear_cookies()
        context.clear_permissions()
        state = context.storage_state()
        if state["cookies"] or any(origin.get("localStorage") for origin in state["origins"]):
            self.close()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


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
    """A new page, 1280 x 900, in the worker's shared context (SharedContext says what a test may change)."""
    page = shared_context.new_page()
    yield page
    shared_context.release(page)
