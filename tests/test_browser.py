"""The built site in headless Chromium: search box, a paper page's links, hostile titles shown as text.

Uses the session's real site (real_site_url) and, for hostile titles, a site
built from a tiny hand-made corpus. Material's instant navigation loads pages
with fetch() and swaps them in, so after a click each test waits for the new
URL and checks the page with a plain request (status) and the DOM (h1).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect

from helpers import VIEWPORT, build_site, make_corpus, serve

pytestmark = pytest.mark.browser

TIMEOUT = 15_000  # ms; the first query loads the search index

# (query typed into the search box, slug of the paper that must come first); words read from the abstracts.
SEARCHES = [
    ("chirp spectrograms seizure", "chirp-localization-via-fine-tuned-transformer-model-a-proof-of-concept-study"),
    ("ablations downregulate counterbalancing", "the-hydra-effect-emergent-self-repair-in-language-model-computations"),
    ("Shepard Bahrick", "recognition-recall-and-retention-of-few-shot-memories-in-large-language-models"),
]

HOSTILE_TITLE = "Hopfield <Networks> | *All* You [Need]"
SCRIPT_TITLE = "<script>alert('title')</script> Attention <img src=x onerror=alert(2)>"
HOSTILE_ORG_HANDLE = "evil-org"
HOSTILE_ORG = "<b>Evil</b> & \"Org\" <img src=x onerror=alert(5)>"
ENTITY_TEXT = "Written as entities: &lt;script&gt;alert(7)&lt;/script&gt; &amp;amp; &#60;i&#62;."
HOSTILE_DUMP = f"""\
Daily Papers

Oct 28

{HOSTILE_TITLE}

Associative memory with <script>alert(1)</script> and <img src=x onerror=alert(3)> and https://example.org/code.

  • 3 authors
·
Jul 19, 2023 5

{SCRIPT_TITLE}

Attention layers are an associative memory <svg onload=alert(4)> for patterns.

  • 2 authors
·
Jul 21, 2023 2

A Plain Paper on Associative Memory

Plain associative memory patterns, recalled by attention. {ENTITY_TEXT}

{HOSTILE_ORG_HANDLE} {HOSTILE_ORG}
·
Aug 5, 2024
"""

# Text content of an element without Material's "¶" permalink.
TEXT_WITHOUT_PERMALINK = """el => { const c = el.cloneNode(true);
  c.querySelectorAll('.headerlink').forEach(a => a.remove()); return c.textContent; }"""


def h1_text(page: Page) -> str:
    return page.locator("article h1").first.evaluate(TEXT_WITHOUT_PERMALINK)


def same_page(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def assert_page_exists(page: Page) -> None:
    response = page.request.get(same_page(page.url))
    assert response.status == 200, f"{page.url}: HTTP {response.status}"
    expect(page.locator("article h1").first).to_be_visible()
    assert "404" not in h1_text(page), page.url


def follow(page: Page, link) -> str:
    """Click `link`, wait until the browser is at its address; return the absolute target URL."""
    target = urljoin(page.url, link.get_attribute("href"))
    link.click()
    page.wait_for_url(lambda url: same_page(url) == same_page(target), timeout=TIMEOUT)
    return target


def search(page: Page, query: str) -> None:
    page.locator(".md-search__input").click()
    page.keyboard.type(query)  # key by key: Material reads the box on keyup
    page.wait_for_selector(".md-search-result__item", timeout=TIMEOUT)


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def record(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


@pytest.fixture(scope="module")
def papers(real_site) -> dict[str, dict]:
    return {p["slug"]: p for p in json.loads((real_site / "papers.json").read_text(encoding="utf-8"))}


# Search box

@pytest.mark.parametrize(("query", "slug"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_box_shows_the_paper_first(page, real_site_url, papers, query, slug):
    page.goto(real_site_url)
    search(page, query)
    first = page.locator(".md-search-result__item").first.locator("a").first
    # Results update as the worker answers each keystroke: wait for the answer to the whole query.
    expect(first).to_have_attribute("href", re.compile(rf"/papers/{re.escape(slug)}/"), timeout=TIMEOUT)
    expect(first).to_contain_text(papers[slug]["title"].split(":")[0])
    target = follow(page, first)
    assert urlsplit(target).path.endswith(f"/papers/{slug}/")
    assert_page_exists(page)
    assert h1_text(page) == papers[slug]["title"]


# A paper page's links

@pytest.fixture(scope="module")
def dated_paper(papers) -> dict:
    """A dated paper with several themes, for following its links."""
    return next(p for p in sorted(papers.values(), key=lambda p: p["slug"])
                if p["date"] and len(p["themes"]) >= 2)


def open_paper(page: Page, base: str, paper: dict) -> None:
    response = page.goto(urljoin(base, paper["url"]))
    assert response.status == 200
    assert h1_text(page) == paper["title"]


def test_theme_link_leads_to_the_theme_page(page, real_site_url, dated_paper):
    open_paper(page, real_site_url, dated_paper)
    link = page.locator("article h2#themes + ul a").first
    name = link.inner_text()
    follow(page, link)
    assert_page_exists(page)
    assert urlsplit(page.url).path.startswith("/themes/")
    assert h1_text(page) == name
    # The theme page lists the paper we came from.
    expect(page.locator(f'article a[href$="/{dated_paper["slug"]}/"]').first).to_be_visible()


def test_related_paper_link_leads_to_that_paper(page, real_site_url, dated_paper):
    open_paper(page, real_site_url, dated_paper)
    links = page.locator("article h2#related-papers ~ ol").first.locator("> li > a")
    assert links.count() == 5, "a paper page shows 5 related papers"
    link = links.first
    title = link.inner_text()
    follow(page, link)
    assert_page_exists(page)
    assert urlsplit(page.url).path.startswith("/papers/")
    assert h1_text(page) == title


def test_month_link_leads_to_the_month_section(page, real_site_url, dated_paper):
    open_paper(page, real_site_url, dated_paper)
    link = page.locator("article h2#in-time + ul a").last  # "All papers of <Month Year>"
    month = link.inner_text()
    target = follow(page, link)
    assert_page_exists(page)
    anchor = urlsplit(target).fragment
    assert anchor == dated_paper["date"][:7], target
    assert urlsplit(page.url).path == f"/timeline/{dated_paper['date'][:4]}/"
    section = page.locator(f'[id="{anchor}"]')
    expect(section).to_have_count(1)
    assert section.evaluate(TEXT_WITHOUT_PERMALINK).strip() == month
    # The month's list (up to the next heading) links back to the paper.
    listed = section.evaluate("""(h, slug) => { const hrefs = [];
        for (let el = h.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling)
          el.querySelectorAll('a').forEach(a => hrefs.push(a.getAttribute('href')));
        return hrefs.some(href => href.endsWith('/' + slug + '/')); }""", dated_paper["slug"])
    assert listed, f"{dated_paper['slug']} not listed under {anchor}"


def test_date_line_links_to_the_month_too(page, real_site_url, dated_paper):
    open_paper(page, real_site_url, dated_paper)
    link = page.locator("article .pa-facts a.pa-chip-date")  # the date chip under the title
    expect(link).to_have_count(1)
    target = follow(page, link)
    assert_page_exists(page)
    expect(page.locator(f'[id="{urlsplit(target).fragment}"]')).to_have_count(1)


# Hostile titles

@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    site = folder / "site"
    build_site(make_corpus(folder / "corpus", {"001_hostile.txt": HOSTILE_DUMP}), site)
    server, url = serve(site)
    yield url
    server.shutdown()


def assert_inert(page: Page, dialogs: list[str]) -> None:
    assert page.locator("networks").count() == 0, "<Networks> became an element"
    handlers = page.evaluate("""() => [...document.querySelectorAll('*')].filter(el =>
        [...el.attributes].some(a => a.name.startsWith('on'))).map(el => el.outerHTML.slice(0, 120))""")
    assert not handlers, handlers
    assert not dialogs, f"a dialog fired: {dialogs}"


def test_hostile_title_is_text_on_its_page(page, hostile_url, dialogs):
    response = page.goto(urljoin(hostile_url, "papers/hopfield-networks-all-you-need/"))
    assert response.status == 200
    page.wait_for_load_state("load")
    assert h1_text(page) == HOSTILE_TITLE
    title = page.evaluate("document.title")
    assert title.startswith(HOSTILE_TITLE), title
    header = page.locator('[data-md-component="header-topic"] .md-ellipsis')
    assert header.evaluate("el => el.textContent").strip() == HOSTILE_TITLE
    abstract = page.locator("article h2#abstract + p")
    assert "<script>alert(1)</script>" in abstract.evaluate("el => el.textContent")
    external = abstract.locator("a.pa-external")
    expect(external).to_have_attribute("href", "https://example.org/code")
    assert_inert(page, dialogs)


def test_script_title_is_text_on_its_page(page, hostile_url, dialogs, tmp_path):
    response = page.goto(hostile_url)
    assert response.status == 200
    link = page.locator("article a", has_text="Attention").first
    follow(page, link)
    assert_page_exists(page)
    assert h1_text(page) == SCRIPT_TITLE
    assert page.evaluate("document.title").startswith(SCRIPT_TITLE)
    page.screenshot(path=str(tmp_path / "script-title.png"))
    assert_inert(page, dialogs)


@pytest.mark.parametrize("path", ["", "timeline/2023/", "listings/001-hostile/", "themes/memory-and-continual-learning/"])
def test_hostile_titles_are_text_in_lists(page, hostile_url, dialogs, path):
    response = page.goto(urljoin(hostile_url, path))
    assert response.status == 200, path
    page.wait_for_load_state("load")
    links = [a.evaluate("el => el.textContent") for a in page.locator("article a").all()]
    assert HOSTILE_TITLE in links, (path, links)
    assert SCRIPT_TITLE in links, (path, links)
    assert_inert(page, dialogs)


def test_hostile_organization_is_text(page, hostile_url, dialogs):
    response = page.goto(urljoin(hostile_url, "papers/a-plain-paper-on-associative-memory/"))
    assert response.status == 200
    facts = page.locator("article .pa-facts li", has_text="Organization:")
    assert HOSTILE_ORG in facts.evaluate("el => el.textContent")
    follow(page, facts.locator("a"))
    assert_page_exists(page)
    assert h1_text(page) == HOSTILE_ORG
    assert page.evaluate("document.title").startswith(HOSTILE_ORG)
    assert page.locator("article b").count() == 0
    assert_inert(page, dialogs)


def test_browse_page_shows_hostile_titles_as_text(page, hostile_url, dialogs):
    response = page.goto(urljoin(hostile_url, "browse/"))
    assert response.status == 200
    results = page.locator("#pa-browse-results li a")
    expect(results).to_have_count(3, timeout=TIMEOUT)
    titles = [a.evaluate("el => el.textContent") for a in results.all()]
    assert sorted(titles) == sorted([HOSTILE_TITLE, SCRIPT_TITLE, "A Plain Paper on Associative Memory"])
    options = [o.evaluate("el => el.textContent") for o in page.locator('select[name="org"] option').all()]
    assert HOSTILE_ORG in options, options
    assert_inert(page, dialogs)


def test_hostile_title_is_text_in_search_results(page, hostile_url, dialogs):
    page.goto(hostile_url)
    search(page, "Hopfield")
    first = page.locator(".md-search-result__item").first
    expect(first.locator("a").first).to_have_attribute("href", re.compile(r"/papers/hopfield-networks-all-you-need/"),
                                                       timeout=TIMEOUT)
    titles = [h.evaluate("el => el.textContent").strip() for h in first.locator("h1, h2").all()]
    assert HOSTILE_TITLE in titles, titles
    assert_inert(page, dialogs)


def test_text_written_as_entities_reads_exactly_as_written_in_search_results(page, hostile_url, dialogs):
    """A dump that literally held `&lt;script&gt;` showed `<script>` in search excerpts."""
    page.goto(hostile_url)
    search(page, "entities")
    first = page.locator(".md-search-result__item").first
    expect(first.locator("a").first).to_have_attribute(
        "href", re.compile(r"/papers/a-plain-paper-on-associative-memory/"), timeout=TIMEOUT)
    shown = " ".join(first.evaluate("el => el.textContent").split())
    assert ENTITY_TEXT in shown, shown
    assert_inert(page, dialogs)
    follow(page, first.locator("a").first)
    assert ENTITY_TEXT in page.locator("article").first.evaluate("el => el.textContent")


# Served under a sub-path, as on GitHub Pages (site_url https://<owner>.github.io/paper-atlas/)

@pytest.fixture(scope="module")
def subpath_url(real_site, tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    (root / "paper-atlas").symlink_to(real_site, target_is_directory=True)
    server, url = serve(root)
    yield url + "paper-atlas/"
    server.shutdown()


def test_search_and_links_work_under_a_sub_path(page, subpath_url, papers):
    query, slug = SEARCHES[0]
    page.goto(subpath_url)
    search(page, query)
    first = page.locator(".md-search-result__item").first.locator("a").first
    expect(first).to_have_attribute("href", re.compile(rf"/paper-atlas/papers/{re.escape(slug)}/"), timeout=TIMEOUT)
    follow(page, first)
    assert_page_exists(page)
    assert h1_text(page) == papers[slug]["title"]
    follow(page, page.locator("article h2#themes + ul a").first)
    assert_page_exists(page)
    assert urlsplit(page.url).path.startswith("/paper-atlas/themes/")


def test_the_next_page_starts_clean_after_a_test_changed_the_shared_context(shared_context, real_site_url, tmp_path):
    """The `page` fixture's shared context (conftest.SharedContext) hands the next test nothing of the last."""
    first = shared_context.new_page()
    first.goto(real_site_url)
    first.evaluate("() => { localStorage.setItem('x', '1'); sessionStorage.setItem('y', '2'); "
                   "document.cookie = 'z=3; path=/'; }")
    first.context.grant_permissions(["clipboard-read"])
    shared_context.release(first)
    second = shared_context.new_page()
    second.goto(real_site_url)
    assert second.evaluate("() => [localStorage.getItem('x'), sessionStorage.getItem('y'), document.cookie]") == [
        None, None, ""]
    assert second.evaluate("async () => (await navigator.permissions.query({name: 'clipboard-read'})).state") \
        != "granted"
    # A test's listeners, routes, viewport, emulated media and extra headers do not reach the next one, which
    # gets the same tab.
    seen: list[str] = []
    second.on("console", lambda message: seen.append(message.text))
    second.route("**/*.css", lambda route: route.abort())
    second.set_viewport_size({"width": 400, "height": 300})
    second.emulate_media(color_scheme="dark")
    second.set_extra_http_headers({"x-left-over": "1"})
    shared_context.release(second)
    again = shared_context.new_page()
    assert again is second and again.url == "about:blank"
    response = again.goto(real_site_url)
    assert response is not None and "x-left-over" not in response.request.all_headers()
    again.evaluate("() => console.log('after')")
    assert seen == [] and again.viewport_size == VIEWPORT
    assert again.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") is False
    assert again.evaluate("() => getComputedStyle(document.body).display") == "flex"  # Material's CSS loaded
    # Storage under an origin the tab left is cleared too, and the same tab and context go on.
    context = shared_context.context
    (tmp_path / "index.html").write_text("<!doctype html><title>other</title>", encoding="utf-8")
    server, other = serve(tmp_path)
    try:
        again.evaluate("() => sessionStorage.setItem('y', '2')")
        again.goto(other)
        again.evaluate("() => { localStorage.setItem('x', '1'); sessionStorage.setItem('y', '2'); }")
        again.goto(real_site_url)
        shared_context.release(again)
        third = shared_context.new_page()
        assert third is again and shared_context.context is context
        for url in (real_site_url, other):
            third.goto(url)
            assert third.evaluate("() => [localStorage.getItem('x'), sessionStorage.getItem('y')]") == [None, None]
        # A tab the test closed is replaced.
        third.close()
        shared_context.release(third)
        fourth = shared_context.new_page()
        assert fourth is not third and not fourth.is_closed()
        # Stored by another page of the context (not the tab's, so not cleared with it): the context is replaced.
        other_page = shared_context.context.new_page()
        other_page.goto(other)
        other_page.evaluate("() => localStorage.setItem('x', '1')")
        other_page.close()
        shared_context.release(fourth)
        assert shared_context.context is None
        fifth = shared_context.new_page()
        assert shared_context.context is not context
        fifth.goto(other)
        assert fifth.evaluate("() => localStorage.getItem('x')") is None
        shared_context.release(fifth)
    finally:
        server.shutdown()
