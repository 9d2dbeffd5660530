"""Search over the real site's index, with lunr.py: distinctive abstract words find their paper first.

The documents are those the site's search box searches (site_tools.search_docs):
Pagefind's indexed pages when the site ships a Pagefind index (the search box
is pointed at a Pagefind worker), otherwise Material's search/search_index.json.
Either way they are loaded into lunr.py with fields title and text, ref
location. Material's own index (search/search_index.json) is checked too: it
must hold no overview page, and, if it holds paper pages, the same words must
find them there.

The queries were picked by reading the abstracts: 2-3 words that say what the
paper is about and are rare elsewhere in the corpus.
"""

from __future__ import annotations

import json

import pytest
from lunr import lunr

from site_tools import material_search_docs, plain, search_docs

# (paper slug, query)
CASES = [
    ("recognition-recall-and-retention-of-few-shot-memories-in-large-language-models", "exposures overwritten"),
    ("recognition-recall-and-retention-of-few-shot-memories-in-large-language-models", "Shepard Bahrick"),
    ("chirp-localization-via-fine-tuned-transformer-model-a-proof-of-concept-study", "chirp spectrograms seizure"),
    ("need-is-all-you-need-homeostatic-neural-networks-adapt-to-concept-shift", "homeostasis clothing"),
    ("the-hydra-effect-emergent-self-repair-in-language-model-computations", "ablations downregulate counterbalancing"),
    ("emergent-representations-in-networks-trained-with-the-forward-forward-algorithm", "criticised ensembles"),
]


def _index(docs: list[dict], boosts: dict[str, float]):
    documents = [{"location": d["location"], "title": plain(d.get("title", "")), "text": plain(d.get("text", ""))}
                 for d in docs]
    fields = [{"field_name": name, "boost": boosts.get(name, 1)} for name in ("title", "text")]
    return lunr(ref="location", fields=fields, documents=documents)


def _page(location: str) -> str:
    return location.split("#", 1)[0]


@pytest.fixture(scope="module")
def site_search(real_site):
    kind, docs = search_docs(real_site)
    return kind, docs, _index(docs, {"title": 10})


@pytest.fixture(scope="module")
def material_docs(real_site) -> list[dict]:
    return material_search_docs(real_site)


def test_queries_name_real_papers(real_site):
    """The picked papers exist and the query words are in their abstracts (so a miss is the index's fault)."""
    papers = {p["slug"]: p for p in json.loads((real_site / "papers.json").read_text(encoding="utf-8"))}
    for slug, query in CASES:
        assert slug in papers, slug
        abstract = papers[slug]["abstract"].lower()
        for word in query.lower().split():
            assert word in abstract, (slug, word)


@pytest.mark.parametrize(("slug", "query"), CASES, ids=[q for _, q in CASES])
def test_distinctive_words_find_the_paper_first(site_search, slug, query):
    kind, _, index = site_search
    results = index.search(query)
    assert results, f"{query!r}: no result in the {kind} index"
    pages = [_page(r["ref"]) for r in results]
    assert pages[0] == f"papers/{slug}/", f"{query!r} ({kind} index): first results {pages[:5]}"


def test_every_paper_is_one_search_document(real_site, site_search):
    kind, docs, _ = site_search
    papers = json.loads((real_site / "papers.json").read_text(encoding="utf-8"))
    pages = [d["location"] for d in docs if "#" not in d["location"]]
    assert sorted(p for p in pages if p.startswith("papers/")) == sorted(p["url"] for p in papers), kind
    overview = [p for p in pages if p.startswith(("themes/", "timeline/", "listings/")) or p in ("", "index.html")]
    assert not overview, f"overview pages in the {kind} index: {overview[:10]}"


def test_paper_documents_hold_title_and_abstract(real_site, site_search):
    kind, docs, _ = site_search
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
