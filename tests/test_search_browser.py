"""Search as a visitor uses it, in headless Chromium, on the real site (issue 12).

The query set (tests/search_queries.yml) runs in one page, one query after
another, through the same code as `python -m bench.search --recall`. The
other tests each open the home page and use the box: the count, more results
as the list scrolls, nonsense, pasted text, highlighting after a hyphenated
query, compounds shown as written, suggestions, HTML typed into the box, and Pagefind loading only when
the box is first focused.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.search import load_queries, recall, run_queries  # noqa: E402
from helpers import VIEWPORT  # noqa: E402

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
RESULTS = ".md-search-result__item"
META = ".md-search-result__meta"


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def record(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def open_box(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(".md-search__input").click()


def type_query(page: Page, query: str) -> None:
    page.keyboard.type(query)  # key by key, as fast as the page takes them


def test_query_set_finds_the_right_paper_in_the_top_3(page, real_site_url):
    """recall@3 >= 95% over the query set (typos, questions, hyphens, phrases, stems, plain words)."""
    results = run_queries(page, real_site_url, load_queries(), lanes=3)
    summary = recall(results)
    misses = [(r["query"], r["first"], r["top"], r["meta"]) for r in results if r["rank"] is None]
    assert summary["all"]["at3"] >= 0.95, f"recall@3 {summary['all']['at3']:.0%}; misses: {misses}"


def test_pages_holding_every_word_exactly_are_ranked_by_relevance(page, real_site_url):
    """Every word of this title is found in its exact form, so the answer starts from the exact-form
    lookups, whose pages Pagefind scores alike: the search of all the words must rank them."""
    open_box(page, real_site_url)
    page.keyboard.insert_text("what does it mean to understand language")
    first = page.locator(RESULTS).first.locator("a").first
    expect(first).to_have_attribute("href", re.compile(r"/papers/what-does-it-mean-to-understand-language/"),
                                    timeout=TIMEOUT)


def test_search_code_and_pagefind_load_on_first_focus_not_with_the_page(browser, real_site_url):
    context = browser.new_context(viewport=VIEWPORT)  # its own: an empty cache, and a listener on the context
    try:
        page = context.new_page()
        fetched: list[str] = []
        context.on("request", lambda request: fetched.append(request.url))
        page.goto(real_site_url)
        page.wait_for_load_state("networkidle")
        assert [u for u in fetched if "/javascripts/search-stub.js" in u], "Material's worker is the stand-in"
        assert not [u for u in fetched if "/pagefind/" in u], "Pagefind fetched before anyone searched"
        assert not [u for u in fetched if "/javascripts/search-worker.js" in u], "the search worker loaded with the page"
        page.locator(".md-search__input").click()
        page.wait_for_timeout(1500)
        assert [u for u in fetched if "/javascripts/search-worker.js" in u], "first focus did not load the worker"
        assert [u for u in fetched if u.endswith("/pagefind/pagefind.js")], "first focus did not load Pagefind"
        assert not [u for u in fetched if "vocabulary" in u], "the vocabulary is fetched only to correct a word"
    finally:
        context.close()


def test_true_count_and_more_results_on_scroll(page, real_site_url):
    page.set_viewport_size({"width": 1280, "height": 500})  # the box shows three or four results
    open_box(page, real_site_url)
    type_query(page, "brain")
    found = page.evaluate("""async () => {
        const pagefind = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
        return (await pagefind.search('brain')).results.length; }""")
    assert found > 100
    # The pages holding "brain" itself may be shown first; the count of the answer that follows is the true one.
    expect(page.locator(META)).to_have_text(re.compile(rf"^\s*{found} matching documents"), timeout=TIMEOUT)
    expect(page.locator(RESULTS).first.locator("a").first).to_have_attribute(
        "href", re.compile(r"/papers/"), timeout=TIMEOUT)
    assert page.locator(RESULTS).count() == 10
    # Each loaded result costs a fetch: those below the box's bottom wait, as placeholders, until scrolled to.
    page.wait_for_timeout(500)
    assert page.locator(f"{RESULTS} .pa-pending").count() >= 4
    for _ in range(3):  # Material adds results as the list is scrolled to its end
        page.locator(".md-search__scrollwrap").evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(300)
    assert page.locator(RESULTS).count() > 10
    expect(page.locator(f"{RESULTS} .pa-pending")).to_have_count(0, timeout=TIMEOUT)  # every shown one filled in
    for item in page.locator(RESULTS).all()[10:]:
        href = item.locator("a").first.get_attribute("href")
        assert re.search(r"/papers/[^/]+/\?h=", href), href
        assert item.locator("mark").count() >= 1, item.inner_html()
        assert item.locator("h1").inner_text().strip()


def test_every_query_word_is_marked_in_the_excerpts(page, real_site_url):
    """Both words are common, so the first answer comes from the exact-form lookups of each word;
    every result's excerpt marks the forms of both, not only of the first."""
    open_box(page, real_site_url)
    type_query(page, "language model")
    expect(page.locator(META)).to_have_text(re.compile(r"^\s*\d+ matching documents"), timeout=TIMEOUT)
    page.wait_for_timeout(500)
    loaded = [item for item in page.locator(RESULTS).all() if not item.locator(".pa-pending").count()]
    assert len(loaded) >= 3
    for item in loaded:
        marked = " ".join(m.inner_text().lower() for m in item.locator("article mark").all())
        assert "language" in marked and "model" in marked, (marked, item.locator("a").first.get_attribute("href"))


def test_nonsense_finds_no_documents(page, real_site_url):
    open_box(page, real_site_url)
    type_query(page, "xyzzyqwv")
    expect(page.locator(META)).to_have_text(re.compile("No matching documents"), timeout=TIMEOUT)
    assert page.locator(RESULTS).count() == 0


def test_pasted_text_is_searched_at_once(page, real_site_url):
    open_box(page, real_site_url)
    page.keyboard.insert_text("kuramoto oscillatory")  # an input event and no key, as a paste
    first = page.locator(RESULTS).first.locator("a").first
    expect(first).to_have_attribute("href", re.compile(r"/papers/artificial-kuramoto-oscillatory-neurons/"),
                                    timeout=TIMEOUT)


def test_typo_is_corrected_and_highlighted_as_corrected(page, real_site_url):
    open_box(page, real_site_url)
    type_query(page, "hopfeild")
    first = page.locator(RESULTS).first.locator("a").first
    expect(first).to_have_attribute("href", re.compile(r"/papers/[^/]*hopfield[^/]*/\?h=hopfield"), timeout=TIMEOUT)


def test_highlighting_after_a_hyphenated_query(page, real_site_url):
    open_box(page, real_site_url)
    type_query(page, "needle-in-haystack")
    first = page.locator(RESULTS).first.locator("a").first
    # Typing shows the answer to "needle" on the way: wait for the one that highlights both words
    expect(first).to_have_attribute(
        "href", re.compile(r"/papers/titans-learning-to-memorize-at-test-time/\?h=needle\+haystack$"), timeout=TIMEOUT)
    first.click()
    page.wait_for_url(re.compile(r"/papers/titans-learning-to-memorize-at-test-time/"), timeout=TIMEOUT)
    marks = page.locator("article mark[data-md-highlight]")
    expect(marks.first).to_be_visible(timeout=TIMEOUT)
    assert {m.inner_text().lower() for m in marks.all()} >= {"needle", "haystack"}


def test_titles_and_excerpts_show_compounds_as_written(page, real_site_url):
    """The index holds "Energy -Based" (generator/render/vocabulary.py, spaced_compounds): results show the
    title and the abstract as the paper writes them."""
    open_box(page, real_site_url)
    type_query(page, "energy-based world models")
    first = page.locator(RESULTS).first
    expect(first.locator("h1")).to_have_text("Cognitively Inspired Energy-Based World Models", timeout=TIMEOUT)
    expect(first.locator("article")).to_contain_text("we introduce Energy-Based World Models (EBWM)", timeout=TIMEOUT)
    for item in page.locator(RESULTS).all():
        assert not re.search(r"(^| )-\w", item.inner_text()), item.inner_text()  # nor "… -level"


def test_suggestion_completes_the_word_being_typed(page, real_site_url):
    open_box(page, real_site_url)
    type_query(page, "kuramo")
    expect(page.locator(".md-search__suggest")).to_have_text(re.compile(r"kuramoto", re.I), timeout=TIMEOUT)


def test_quoted_phrase_ranks_exact_phrase_first(page, real_site_url, real_site):
    open_box(page, real_site_url)
    type_query(page, '"sparse distributed memory"')
    first = page.locator(RESULTS).first
    expect(first.locator("a").first).to_have_attribute(
        "href", re.compile(r"/papers/(attention-approximates-sparse-distributed-memory|"
                           r"superposed-episodic-and-semantic-memory-via-sparse-distributed-representation)/"),
        timeout=TIMEOUT)
    assert "sparse distributed memory" in first.inner_text().lower()


def test_html_typed_into_the_box_is_text(page, real_site_url, dialogs):
    open_box(page, real_site_url)
    type_query(page, '<img src=x onerror=alert(1)><script>alert(2)</script> "hopfield')
    expect(page.locator(META)).not_to_have_text(re.compile("Initializing|Type to start"), timeout=TIMEOUT)
    page.wait_for_timeout(800)
    injected = page.evaluate(
        "() => document.querySelectorAll('.md-search img, .md-search script, .md-search [onerror]').length")
    assert injected == 0
    assert dialogs == []


def test_markup_typed_before_a_word_is_not_injected_with_its_suggestion(page, real_site_url, dialogs):
    open_box(page, real_site_url)
    type_query(page, "<i>kuramo<img/src=x/onerror=alert(7)>kuramo")
    expect(page.locator(META)).to_have_text(re.compile(r"matching document"), timeout=TIMEOUT)
    page.wait_for_timeout(800)
    assert page.evaluate("() => document.querySelectorAll('.md-search__suggest *, .md-search img').length") == 0
    assert dialogs == []


def test_a_word_inside_a_mixed_case_compound_is_found(page, real_site_url):
    """Pagefind split "LLM-BRAIn" where its case changes ("BRA" + "In"), so "brain" never found it."""
    open_box(page, real_site_url)
    found = page.evaluate("""async () => {
        const pagefind = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
        const urls = [];
        for (const result of (await pagefind.search('brain')).results) urls.push((await result.data()).url);
        return urls; }""")
    assert [u for u in found if "/papers/llm-brain-" in u], "Pagefind does not find LLM-BRAIn for 'brain'"
    type_query(page, "brain robot behaviour tree")
    first = page.locator(RESULTS).first.locator("a").first
    expect(first).to_have_attribute("href", re.compile(r"/papers/llm-brain-"), timeout=TIMEOUT)
