"""Shared fixtures: corpus trees built from dicts, a built site, a served site, a browser."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DUMPS = sorted(p.name for p in CORPUS.glob("*.txt"))
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


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


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def build_site(corpus: Path, site: Path) -> subprocess.CompletedProcess:
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The site built from the real corpus, once per test session."""
    site = tmp_path_factory.mktemp("real") / "site"
    build_site(CORPUS, site)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    """Serve `folder` on a free loopback port in a thread; return (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def real_site_url(real_site):
    server, url = serve(real_site)
    yield url
    server.shutdown()


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
