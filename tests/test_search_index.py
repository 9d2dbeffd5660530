"""The real site's search documents: what the search box searches holds every paper once, with its text.

The documents are those the site's search box searches (helpers.search_docs):
Pagefind's indexed pages when the site ships a Pagefind index (the search box
is pointed at a Pagefind worker), otherwise Material's search/search_index.json.
Material's own index (search/search_index.json) is checked too: it must hold no
overview page and no paper. Ranking is Pagefind's own, checked in Chromium
(test_browser.py: the search box shows the paper first).
"""

from __future__ import annotations

import json

import pytest

from helpers import material_search_docs, plain, search_docs


def _page(location: str) -> str:
    return location.split("#", 1)[0]


@pytest.fixture(scope="module")
def site_search(real_site):
    return search_docs(real_site)


@pytest.fixture(scope="module")
def material_docs(real_site) -> list[dict]:
    return material_search_docs(real_site)


def test_every_paper_is_one_search_document(real_site, site_search):
    kind, docs = site_search
    papers = json.loads((real_site / "papers.json").read_text(encoding="utf-8"))
    pages = [d["location"] for d in docs if "#" not in d["location"]]
    assert sorted(p for p in pages if p.startswith("papers/")) == sorted(p["url"] for p in papers), kind
    overview = [p for p in pages if p.startswith(("themes/", "timeline/", "listings/")) or p in ("", "index.html")]
    assert not overview, f"overview pages in the {kind} index: {overview[:10]}"


def test_paper_documents_hold_title_and_abstract(real_site, site_search):
    kind, docs = site_search
    papers = {p["url"]: p for p in json.loads((real_site / "papers.json").read_text(encoding="utf-8"))}
    by_page: dict[str, str] = {}
    for d in docs:
        by_page[_page(d["location"])] = by_page.get(_page(d["location"]), "") + " " + plain(d["title"]) + " " + \
            plain(d["text"])
    for url, paper in list(papers.items())[::25]:
        text = by_page.get(url, "")
        assert " ".join(paper["title"].split()) in text, (kind, url)
        assert " ".join(paper["abstract"].split())[:200] in text, (kind, url)


def test_material_index_has_no_overview_page(material_docs):
    leaked = [d["location"] for d in material_docs
              if d["location"] == "" or d["location"].startswith(("#", "themes/", "timeline/", "listings/"))]
    assert not leaked, leaked[:10]


def test_material_index_holds_no_paper_so_visitors_do_not_download_the_corpus(material_docs):
    """Material's main script fetches search_index.json on every page load; the papers live in
    Pagefind's chunked index instead, fetched only when someone searches."""
    assert not [d["location"] for d in material_docs if d["location"].startswith("papers/")]
