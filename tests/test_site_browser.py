"""Issue 13 in headless Chromium: every page type as a reader meets it.

* every page type loads with no failed request and no console error (the feed
  links no longer make Material fetch feeds/sitemap.xml);
* axe-core (tests/vendor/axe.min.js, injected into the page) finds no serious
  or critical violation;
* browse: words, several themes, Undated, snippets, pages, Back and Forward,
  a visible focus outline on every control;
* paper pages: the facts header, "Copy citation", citation/OpenGraph/Twitter
  meta tags, hover previews of other papers, the neighbourhood graph;
* a mistyped address gets a 404 page suggesting the closest paper;
* links in running text are underlined; chart text is 11 px or more on a phone;
* screenshots of each page type, desktop and mobile, light and dark, when
  SCREENSHOTS=DIR is set (for a person to look at).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from helpers import build_site, make_corpus, start

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PREFIX = "paper-atlas/"  # the real site's site_url path, as GitHub Pages serves it


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a site under a path prefix, with its 404.html for missing files (as GitHub Pages does)."""

    prefix = "/"

    def log_message(self, *args):
        pass

    def send_head(self):
        path = urlsplit(self.path).path
        if not path.startswith(self.prefix):
            return self._not_found()
        self.path = "/" + self.path[len(self.prefix):]
        local = Path(self.translate_path(self.path))
        if not (local.is_file() or (local / "index.html").is_file()):
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io
        return io.BytesIO(body)


def serve_like_pages(folder: Path, prefix: str, port: int = 0):
    handler = functools.partial(type("H", (PagesHandler,), {"prefix": "/" + prefix}), directory=str(folder))
    server = start(http.server.ThreadingHTTPServer(("127.0.0.1", port), handler))
    return server, f"http://127.0.0.1:{server.server_address[1]}/{prefix}"


@pytest.fixture(scope="module")
def site_url(real_site):
    server, url = serve_like_pages(real_site, PREFIX)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def papers(real_site) -> list[dict]:
    return json.loads((real_site / "papers.json").read_text(encoding="utf-8"))


class Watch:
    """Failed requests, HTTP errors and console errors of one page."""

    def __init__(self, page: Page, allow_404: str | None = None):
        self.errors: list[str] = []
        page.on("response", self._response)
        # An aborted request (the page moved on while it loaded) is not a failure.
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and self.errors.append(f"failed: {r.url} {r.failure}"))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.allow_404 = allow_404

    def _response(self, response):
        if response.status >= 400 and not (self.allow_404 and response.url.endswith(self.allow_404)):
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message):
        if message.type == "error" and not (self.allow_404 and "404" in message.text):
            self.errors.append(f"console: {message.text} ({(message.location or {}).get('url')})")

    def check(self):
        assert not self.errors, self.errors


def page_types(real_site: Path, papers: list[dict]) -> dict[str, str]:
    """One address of each page type (relative to the site root)."""
    paper = max(papers, key=lambda p: (len(p["themes"]), p["upvotes"] or 0, p["slug"]))
    theme = sorted(d.name for d in (real_site / "themes").iterdir() if d.is_dir())[0]
    year = sorted(d.name for d in (real_site / "timeline").iterdir() if d.is_dir() and d.name.isdigit())[-1]
    listing = sorted(d.name for d in (real_site / "listings").iterdir() if d.is_dir())[0]
    org = sorted(d.name for d in (real_site / "orgs").iterdir() if d.is_dir())[0]
    return {
        "home": "", "browse": "browse/", "themes": "themes/", "theme": f"themes/{theme}/",
        "timeline": "timeline/", "year": f"timeline/{year}/", "undated": "timeline/undated/",
        "paper": f"papers/{paper['slug']}/", "listings": "listings/", "listing": f"listings/{listing}/",
        "orgs": "orgs/", "org": f"orgs/{org}/", "code": "code/", "about": "about/",
    }


@pytest.fixture(scope="module")
def pages_of(real_site, papers) -> dict[str, str]:
    return page_types(real_site, papers)


def open_page(page: Page, url: str) -> None:
    """Load `url` and wait until every request the page made meanwhile has finished (Playwright's
    "networkidle" would wait half a second more, for requests nobody made)."""
    pending: set = set()
    events = {"request": lambda r: pending.add(r), "requestfinished": lambda r: pending.discard(r),
              "requestfailed": lambda r: pending.discard(r)}
    for event, handler in events.items():
        page.on(event, handler)
    try:
        page.goto(url)
        for _ in range(TIMEOUT // 20):
            if not pending:
                break
            page.wait_for_timeout(20)
        assert not pending, [request.url for request in pending]
    finally:
        for event, handler in events.items():
            page.remove_listener(event, handler)


def axe_violations(page: Page, rules: list[str] | None = None) -> list[dict]:
    """Serious and critical axe-core violations anywhere on the page, Material's own widgets included
    (its search dialog and progress bar are named by docs/overrides/main.html); all rules, or `rules`.
    axe-core is added to the page unless an earlier call added it."""
    if page.evaluate("() => typeof axe") == "undefined":
        page.add_script_tag(path=str(AXE))
    options = {"resultTypes": ["violations"], **({"runOnly": rules} if rules else {})}
    result = page.evaluate("async (options) => (await axe.run(document, options)).violations", options)
    found = []
    for v in result:
        nodes = [n["target"] for n in v["nodes"]]
        if v["impact"] in ("serious", "critical") and nodes:
            found.append({"id": v["id"], "impact": v["impact"], "nodes": nodes[:5]})
    return found


PAGE_TYPES = ["home", "browse", "themes", "theme", "timeline", "year", "undated", "paper", "listings",
              "listing", "orgs", "org", "code", "about"]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_without_failed_requests_and_passes_axe(page, site_url, pages_of, kind):
    page.emulate_media(color_scheme="light")
    watch = Watch(page)
    open_page(page, site_url + pages_of[kind])
    if kind == "browse":
        expect(page.locator("#pa-browse-results > li").first).to_be_visible(timeout=TIMEOUT)
    watch.check()
    assert axe_violations(page) == [], f"{kind} (light)"
    # The dark palette changes colours only: the visitor's toggle switches it, and contrast is checked again.
    page.locator('label.md-header__button[title="Switch to dark mode"]').click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    assert axe_violations(page, ["color-contrast"]) == [], f"{kind} (dark)"
    watch.check()


def test_404_suggests_the_closest_paper_and_offers_search(page, site_url, papers):
    paper = next(p for p in papers if len(p["slug"].split("-")) >= 4 and len(p["slug"]) < 60
                 and re.search(r"\w-[^\W\d_]", p["title"]))  # a compound in its title, shown as written
    words = paper["slug"].split("-")
    mistyped = "-".join(words[:-1] + [words[-1][:-1] + "x"])  # last word misspelt
    watch = Watch(page, allow_404=f"papers/{mistyped}/")
    response = page.goto(site_url + f"papers/{mistyped}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("#pa-closest")).to_be_visible(timeout=TIMEOUT)
    link = page.locator("#pa-closest-link")
    assert link.get_attribute("href").endswith(f"/{PREFIX}papers/{paper['slug']}/")
    expect(link).to_have_text(paper["title"])
    search = page.locator("#pa-search-link")
    assert parse_qs(urlsplit(search.get_attribute("href")).query)["q"] == [" ".join(
        w for w in mistyped.split("-") if len(w) > 1)]
    assert axe_violations(page) == []
    watch.check()
    search.click()
    expect(page.locator(".md-search-result__meta")).to_be_visible(timeout=TIMEOUT)


# Browse

def count(page: Page) -> tuple[int, int]:
    text = page.locator("#pa-browse-count").text_content()
    m = re.match(r"^(\d+) of (\d+) papers", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


def wait_count(page: Page, n: int) -> None:
    expect(page.locator("#pa-browse-count")).to_have_text(re.compile(rf"^{n} of "), timeout=TIMEOUT)


def test_browse_words_themes_undated_snippets_and_history(page, site_url, papers):
    watch = Watch(page)
    open_page(page, site_url + "browse/")
    wait_count(page, len(papers))
    # Pages of 50, with snippets.
    expect(page.locator("#pa-browse-results > li")).to_have_count(50)
    first = page.locator("#pa-browse-results > li").first
    assert first.locator(".pa-browse-snippet").text_content().strip()
    assert page.evaluate("document.documentElement.scrollHeight") < 16_000, "the page is still one long list"

    # Words: every word in the title or snippet.
    page.fill('input[name="q"]', "spiking neural")
    want = [p for p in papers if all(w in (p["title"] + " " + p["abstract"]).lower() for w in ("spiking", "neural"))]
    n = count_after(page)
    assert 0 < n <= len(want)
    for title in page.locator("#pa-browse-results > li > a").all_text_contents():
        assert title in {p["title"] for p in want}
    page.fill('input[name="q"]', "")
    wait_count(page, len(papers))

    # Several themes: any of them.
    themes = sorted({t for p in papers for t in p["themes"]})[:2]
    for theme in themes:
        page.check(f'input[name="theme"][value="{theme}"]')
    wait_count(page, sum(1 for p in papers if set(p["themes"]) & set(themes)))
    assert sorted(parse_qs(urlsplit(page.url).query)["theme"]) == themes

    # Undated.
    page.select_option('select[name="year"]', "undated")
    wait_count(page, sum(1 for p in papers if set(p["themes"]) & set(themes) and not p["date"]))
    for facts in page.locator(".pa-browse-facts").all_text_contents():
        assert facts.startswith("undated")

    # Back steps through the changes: undated off, then one theme, then none.
    page.go_back()
    wait_count(page, sum(1 for p in papers if set(p["themes"]) & set(themes)))
    expect(page.locator('select[name="year"]')).to_have_value("")
    page.go_back()
    wait_count(page, sum(1 for p in papers if themes[0] in p["themes"]))
    expect(page.locator(f'input[name="theme"][value="{themes[1]}"]')).not_to_be_checked()
    page.go_forward()
    wait_count(page, sum(1 for p in papers if set(p["themes"]) & set(themes)))
    expect(page.locator(f'input[name="theme"][value="{themes[1]}"]')).to_be_checked()
    watch.check()


def count_after(page: Page) -> int:
    page.wait_for_function("!document.getElementById('pa-browse-count').textContent.startsWith('Loading')")
    page.wait_for_timeout(100)
    return count(page)[0]


def test_browse_next_page_and_back(page, site_url, papers):
    open_page(page, site_url + "browse/")
    wait_count(page, len(papers))
    first_page = page.locator("#pa-browse-results > li > a").all_text_contents()
    page.click("#pa-browse-pages [data-step='1']")
    expect(page.locator("#pa-browse-page")).to_have_text(re.compile(r"^Page 2 of"))
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    assert page.locator("#pa-browse-results").get_attribute("start") == "51"
    assert not set(page.locator("#pa-browse-results > li > a").all_text_contents()) & set(first_page)
    page.go_back()
    expect(page.locator("#pa-browse-page")).to_have_text(re.compile(r"^Page 1 of"))
    assert page.locator("#pa-browse-results > li > a").all_text_contents() == first_page


def test_theme_pages_link_to_browse_filtered_to_the_theme(page, site_url, real_site, papers):
    theme = sorted(d.name for d in (real_site / "themes").iterdir() if d.is_dir())[0]
    open_page(page, site_url + f"themes/{theme}/")
    page.get_by_role("link", name="Browse and filter them").click()
    wait_count(page, sum(1 for p in papers if theme in p["themes"]))
    expect(page.locator(f'input[name="theme"][value="{theme}"]')).to_be_checked()


def test_every_browse_control_shows_a_focus_outline(page, site_url):
    open_page(page, site_url + "browse/")
    expect(page.locator("#pa-browse-results > li").first).to_be_visible(timeout=TIMEOUT)
    controls = page.locator("#pa-browse input, #pa-browse select, #pa-browse button, #pa-browse-pages button:enabled")
    page.locator("#pa-browse input[name=q]").focus()
    seen = 0
    for i in range(controls.count()):
        control = controls.nth(i)
        control.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # keyboard focus: :focus-visible applies
        style = control.evaluate("el => { const s = getComputedStyle(el); "
                                 "return [s.outlineStyle, parseFloat(s.outlineWidth), el === document.activeElement]; }")
        assert style[2], f"control {i} did not take the focus"
        assert style[0] != "none" and style[1] >= 2, f"control {i}: outline {style}"
        seen += 1
    assert seen >= 15


# Paper pages

def test_paper_page_facts_citation_and_meta_tags(page, site_url, pages_of, papers):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])  # (taken back when the test ends)
    slug = pages_of["paper"].split("/")[1]
    paper = next(p for p in papers if p["slug"] == slug)
    open_page(page, site_url + pages_of["paper"])
    chips = page.locator(".pa-facts .pa-chip-theme").all_text_contents()
    assert len(chips) == len(paper["themes"])
    head = {m.get_attribute("name") or m.get_attribute("property"): m.get_attribute("content")
            for m in page.locator("head meta[content]").all()}
    assert head["citation_title"] == paper["title"]
    assert head["og:title"] == paper["title"] and head["twitter:card"] == "summary"
    if paper["date"]:
        assert head["citation_publication_date"] == paper["date"].replace("-", "/")
    assert head["og:url"].endswith(f"/papers/{slug}/")
    page.get_by_role("button", name="Copy citation (BibTeX)").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{") and "title = {{" in copied and copied.rstrip().endswith("}")
    # Related papers: a reason each, and the graph links the same papers.
    reasons = page.locator(".pa-reason").all_text_contents()
    assert reasons and all(r.startswith("Shares: ") for r in reasons)
    graph = page.locator(".pa-graph a").evaluate_all("els => els.map(a => a.href)")
    related = page.locator("h2#related-papers ~ ol").first.locator("> li > a").evaluate_all("els => els.map(a => a.href)")
    assert graph == related and len(related) == 5
    # Listings by name, not file name.
    listing_links = page.locator("#listings ~ ul a").all_text_contents()
    assert listing_links and all(not t.endswith(".txt") for t in listing_links)


def test_graph_holds_only_the_neighbourhood(real_site, papers):
    """The graph is inline, per paper: its size does not grow with the corpus."""
    for p in papers[:50]:
        html = (real_site / "papers" / p["slug"] / "index.html").read_text(encoding="utf-8")
        graphs = re.findall(r"<div class=\"pa-graph\".*?</div>", html, re.S)
        assert len(graphs) <= 1
        if graphs:
            assert graphs[0].count("pa-graph-node") <= 6  # itself and five related
            assert graphs[0].count("<line") <= 15  # every pair of six at most


def test_hover_previews_another_paper(browser, preview_site):
    url, slug = preview_site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_page(page, url + f"papers/{slug}/")
    link = page.locator("article ol a[href*='/papers/']").first
    title = link.text_content()
    link.hover()
    tooltip = page.locator(".md-tooltip2")
    expect(tooltip.first).to_contain_text(title, timeout=TIMEOUT)
    page.close()


PREVIEW_DUMP = """\
Daily Papers

Oct 28

Spiking Memory Networks on Chips

Spiking neural networks store memory on neuromorphic chips with dendrites.

intel Intel
·
Jul 19, 2023 5

Dendritic Spiking Memory Retrieval

Spiking dendrites retrieve associative memory in neuromorphic networks.

intel Intel
·
Jul 20, 2023 3

Neuromorphic Chips for Spiking Memory

Neuromorphic spiking chips hold memory in dendritic networks.

  • 3 authors
·
Jul 21, 2023 1
"""


@pytest.fixture(scope="module")
def preview_site(tmp_path_factory):
    """A small site built for the address it is served at: Material previews only
    pages its sitemap.xml lists, and the sitemap holds site_url's addresses."""
    folder = tmp_path_factory.mktemp("preview")
    site = folder / "site"
    site.mkdir()
    server, url = serve_like_pages(site, "")
    os.environ["SITE_URL"] = url
    try:
        build_site(make_corpus(folder / "corpus", {"001_preview.txt": PREVIEW_DUMP}), site)
    finally:
        del os.environ["SITE_URL"]
    slug = json.loads((site / "papers.json").read_text(encoding="utf-8"))[0]["slug"]
    yield url, slug
    server.shutdown()


# Running text and charts

def test_links_in_running_text_are_underlined(page, site_url, pages_of):
    for kind in ("home", "paper", "theme", "about"):
        open_page(page, site_url + pages_of[kind])
        styles = page.locator("article p a, article li a").evaluate_all(
            "els => els.filter(a => !a.closest('.pa-facts') && !a.classList.contains('md-button'))"
            ".map(a => getComputedStyle(a).textDecorationLine)")
        assert styles, kind
        assert all("underline" in s for s in styles), (kind, styles)


def test_chart_text_is_at_least_11px_on_a_phone(browser, site_url, real_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for path, chart in (("", "charts/papers-per-month.svg"), ("timeline/", "charts/papers-per-month.svg")):
        open_page(page, site_url + path)
        img = page.locator(f"figure img[src$='{chart.split('/')[-1]}']")
        shown = img.evaluate("el => el.getBoundingClientRect().width")
        svg = (real_site / chart).read_text(encoding="utf-8")
        natural = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # user units across
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
        assert sizes, "chart text is not text"
        assert min(sizes) * shown / natural >= 11, (min(sizes), shown, natural)
        colours = set(re.findall(r"fill: ?(#[0-9a-f]{6})", svg)) & {"#8a8a8a"}
        assert not colours, "grey text of contrast under 4.5:1"
    context.close()


# Screenshots, for a person to look at

@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=DIR to take them")
def test_screenshots(browser, site_url, pages_of):
    out = Path(os.environ["SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    for device, viewport in (("desktop", {"width": 1280, "height": 900}), ("mobile", {"width": 390, "height": 844})):
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            for kind, path in {**pages_of, "404": "papers/no-such-paper-at-all/"}.items():
                page.goto(site_url + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{kind}-{device}-{scheme}.png"))
            context.close()
