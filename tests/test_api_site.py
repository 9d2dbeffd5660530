"""A site built from dumps plus stored API answers, with HF_ENDPOINT pointing at a closed port (the
build reads only stored data), opened in headless Chromium: the API's richer data shows, and hostile
API text runs nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_hf import FakeHF, daily_item, flat_item
from generator import hf, update
from helpers import ROOT, make_corpus, serve

DUMP = """Daily Papers

Oct 28

Spiking Transformers for Language

A spiking neural network that reads text.

  \u2022 2 authors
\u00b7
Oct 27, 2025 4

A Paper Only The Dump Shows

About spiking neurons, nothing more.
"""
HOSTILE = {
    "title": "<script>window.__pwned = 1</script> Spiking <img src=x onerror=window.__pwned=2>",
    "summary": "Spiking. <svg onload=window.__pwned=3></svg> [x](javascript:window.__pwned=4) https://ok.example.org/a",
    "githubRepo": "javascript:window.__pwned=5",
    "projectPage": " javascript:window.__pwned=6",
    "authors": [{"name": "<b onmouseover=window.__pwned=7>Mallory</b>"}, {"name": "Eve {{ config }}"}],
    "ai_summary": "<script>window.__pwned=8</script> *bold*",
    "ai_keywords": ["<iframe src=javascript:window.__pwned=9>", "[k](javascript:x)"],
    "organization": {"name": "evil\" onclick=\"window.__pwned=10", "fullname": "<i>Evil Org</i>"},
}


@pytest.fixture(scope="module")
def api_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("api_site")
    corpus = make_corpus(root / "corpus", {"a.txt": DUMP})
    fake = FakeHF()  # the answers reach the corpus through fetch, as they would from Hugging Face
    fake.daily["2025-10-28"] = [
        daily_item("2510.00001", "Spiking transformers for language", "An arXiv abstract.", upvotes=31,
                   githubRepo="https://github.com/acme/spikes", githubStars=1234,
                   projectPage="https://acme.github.io/spikes", organization={"name": "acme", "fullname": "Acme Lab"}),
        daily_item("2510.00002", "Baking bread", "Flour.", ai_keywords=["bread"]),  # no theme: left out
    ]
    hostile = flat_item("2510.00003", **{k: v for k, v in HOSTILE.items() if k in ("title", "summary")})
    hostile.update({k: v for k, v in HOSTILE.items() if k not in ("title", "summary")})
    fake.searches["spiking"] = [hostile]
    try:
        update.fetch_daily(corpus, "date", "2025-10-28", hf.Client(base=fake.url))
        update.fetch_searches(corpus, ["spiking"], hf.Client(base=fake.url))
    finally:
        fake.close()
    site = root / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", HF_ENDPOINT="http://127.0.0.1:9")  # nothing listens
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--corpus", str(corpus), "--site", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 papers" in result.stdout
    return site


@pytest.fixture(scope="module")
def api_site_url(api_site):
    server, url = serve(api_site)
    yield url
    server.shutdown()


def test_build_from_stored_data_with_the_endpoint_closed(api_site):
    records = {r["slug"]: r for r in json.loads((api_site / "papers.json").read_text(encoding="utf-8"))}
    spikes = records["spiking-transformers-for-language"]
    assert (spikes["arxiv_id"], spikes["github_stars"], spikes["author_names"], spikes["organization"]) == (
        "2510.00001", 1234, ["Ada Lovelace", "Alan Turing"], "Acme Lab")
    hostile = next(r for r in records.values() if r["arxiv_id"] == "2510.00003")
    assert (hostile["github"], hostile["project_page"]) == (None, None)
    code = (api_site / "code" / "index.html").read_text(encoding="utf-8")
    assert "https://github.com/acme/spikes" in code and "1234 stars" in code
    assert (api_site / "orgs" / "acme" / "index.html").is_file()
    feed = (api_site / "feeds" / "all.xml").read_text(encoding="utf-8")
    assert "<name>Ada Lovelace</name>" in feed
    assert "2025-10" in (api_site / "timeline" / "2025" / "index.html").read_text(encoding="utf-8")


def _open(page, url: str) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    return dialogs


def _links(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('article a')]
        .map(a => [a.textContent.trim(), a.getAttribute('href')]))""")


@pytest.mark.browser
def test_paper_page_shows_the_api_data(page, api_site_url, tmp_path):
    _open(page, api_site_url + "papers/spiking-transformers-for-language/")
    page.screenshot(path=str(tmp_path / "api_paper.png"), full_page=True)
    text = page.inner_text("article")
    assert "Authors: Ada Lovelace, Alan Turing" in text
    assert "Featured in Daily Papers: 28 October 2025" in text
    assert "27 October 2025" in page.inner_text(".pa-chip-date")
    assert "31 upvotes" in text
    assert "https://github.com/acme/spikes (1234 stars)" in text
    assert "Keywords: spiking, neuromorphic" in text
    assert "AI-generated summary (written by a model for Hugging Face, not by the authors): " \
           "A summary written by a model." in text
    links = _links(page)
    assert links["2510.00001"] == "https://arxiv.org/abs/2510.00001"
    assert links["PDF"] == links["arXiv PDF"] == "https://arxiv.org/pdf/2510.00001"
    assert links["Hugging Face paper page"] == "https://huggingface.co/papers/2510.00001"
    assert links["https://acme.github.io/spikes"] == "https://acme.github.io/spikes"
    assert "Search arXiv" not in links and "Search Hugging Face Papers" not in links
    assert any(name.startswith("Listing of 28 October") for name in links), links  # the dump, by its date
    assert "From the Hugging Face API (corpus/api/daily/2025-10-28.json)" in text
    # A paper only a dump shows keeps its search links.
    _open(page, api_site_url + "papers/a-paper-only-the-dump-shows/")
    assert {"Search arXiv", "Search Hugging Face Papers"} <= set(_links(page))


FIND_RUN = """() => {
  const out = [];
  for (const el of document.querySelectorAll('*'))
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) out.push(`${el.tagName} ${a.name}`);
      if (['href', 'src'].includes(a.name) && /^\\s*javascript:/i.test(a.value)) out.push(`${el.tagName} ${a.value}`);
    }
  for (const el of document.querySelectorAll('article script, article iframe, article svg:not(.pa-graph > svg), article img:not([src$=".svg"]), article b, article i'))
    out.push(`<${el.tagName.toLowerCase()}>`);
  return {bad: out, pwned: window.__pwned === undefined ? null : window.__pwned};
}"""


@pytest.mark.browser
def test_hostile_api_text_runs_nothing(page, api_site, api_site_url, tmp_path):
    slug = next(r["slug"] for r in json.loads((api_site / "papers.json").read_text(encoding="utf-8"))
                if r["arxiv_id"] == "2510.00003")
    for url in (f"papers/{slug}/", "", "code/", "orgs/", "browse/", "themes/"):
        dialogs = _open(page, api_site_url + url)
        page.hover("article")
        found = page.evaluate(FIND_RUN)
        assert found == {"bad": [], "pwned": None} and dialogs == [], url
    _open(page, api_site_url + f"papers/{slug}/")
    page.screenshot(path=str(tmp_path / "hostile_api_paper.png"), full_page=True)
    text = page.inner_text("article")
    assert HOSTILE["title"] in page.inner_text("article h1")
    assert "<b onmouseover=window.__pwned=7>Mallory</b>, Eve {{ config }}" in text
    assert "<script>window.__pwned=8</script> *bold*" in text
    assert "<iframe src=javascript:window.__pwned=9>, [k](javascript:x)" in text
    assert "Code:" not in text and "Project page:" not in text
