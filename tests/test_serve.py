"""`mkdocs serve`: an edit shows, a broken edit shows its error on the served pages, the next good edit recovers.

Runs the real `mkdocs serve` on a copy of mkdocs.yml + docs/ and a small corpus, and polls the served pages
over HTTP as a browser's live reload would (generator/serve.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from helpers import SPACED_HEADER, make_corpus, temp_config

DUMP = "\n".join(SPACED_HEADER + [
    "Served Paper One", "", "An abstract about spiking neural networks.", "", "  • 2 authors", "·", "Jul 19, 2023 5",
    "",
])
TIMEOUT = 240  # seconds: builds on a busy machine


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


def _until(url: str, predicate) -> tuple[int, str]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        status, body = _get(url)
        if predicate(status, body):
            return status, body
        time.sleep(0.3)
    pytest.fail(f"{url}: not as expected within {TIMEOUT} s; last: {status} {body[:300]!r}")


@pytest.fixture
def served(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": DUMP})
    config = temp_config(tmp_path / "project")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PAPER_ATLAS_CORPUS=str(corpus),
               PAPER_ATLAS_CACHE=str(tmp_path / "cache"), SITE_URL="https://example.org/atlas/")
    log = open(tmp_path / "serve.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "--config-file",
                                str(config)], cwd=config.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        yield corpus, f"http://127.0.0.1:{port}/atlas/", tmp_path / "serve.log"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
        log.close()


def test_a_broken_edit_shows_its_error_and_the_next_good_edit_recovers(served):
    corpus, base, log = served
    about = base + "about/"
    _until(about, lambda s, b: s == 200 and "Paper Atlas" in b)
    themes = corpus / "themes.yml"
    good = themes.read_text(encoding="utf-8")
    themes.write_text(good + "\n  - name: [unclosed\n", encoding="utf-8")
    status, body = _until(about, lambda s, b: "could not be rebuilt" in b)
    assert "themes.yml" in body  # names the file to fix
    assert "<script" not in body.split("<body>", 1)[1].split("</pre>")[0].replace("&lt;script", "")
    assert "could not be rebuilt" in log.read_text(errors="replace")  # the terminal says so too
    themes.write_text(good.replace("Spiking and neuromorphic computing", "Spiking and neuromorphic chips", 1),
                      encoding="utf-8")
    _until(base + "themes/", lambda s, b: s == 200 and "Spiking and neuromorphic chips" in b)
    _until(about, lambda s, b: s == 200 and "could not be rebuilt" not in b)


def test_an_edited_dump_shows_on_the_paper_page(served):
    corpus, base, _ = served
    page = base + "papers/served-paper-one/"
    _until(page, lambda s, b: s == 200 and "spiking neural networks" in b)
    dump = corpus / "a.txt"
    dump.write_text(dump.read_text(encoding="utf-8").replace("spiking neural networks", "spiking neural chips"),
                    encoding="utf-8")
    _until(page, lambda s, b: s == 200 and "spiking neural chips" in b)
