"""The Browse page in headless Chromium: client-side filters, sorting and pages
over data/browse.json.

Expected lists are computed here in Python from papers.json. Every test also
checks that no request left 127.0.0.1 (requests elsewhere are recorded, then
aborted, so the page must work offline), that no request failed (no 404, not
even feeds/sitemap.xml, which Material once asked for because of the feed
links) and that the console shows no error.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from helpers import build_site, make_corpus, parse_html, serve

pytestmark = pytest.mark.browser

TIMEOUT = 15_000  # ms
COUNT = re.compile(r"^(\d+) of (\d+) papers(?:, (\d+)–(\d+) shown)?$")
PER_PAGE = 50


@pytest.fixture(scope="module")
def papers(real_site) -> list[dict]:
    return json.loads((real_site / "papers.json").read_text(encoding="utf-8"))


class Watch:
    """Requests that leave 127.0.0.1 (aborted), console errors and uncaught exceptions of one page."""

    def __init__(self, page: Page):
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.known: list[str] = []
        page.context.route("**/*", self._route)
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        page.on("requestfailed", lambda r: self._local(r.url) and "ERR_ABORTED" not in (r.failure or "")
                and self.errors.append(f"failed: {r.url} {r.failure}"))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    @staticmethod
    def _local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"

    def _route(self, route):
        if self._local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def _request(self, request):
        if not self._local(request.url):
            self.outside.append(request.url)

    def _console(self, message):
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        self.errors.append(f"{message.text} ({where})")

    def check(self):
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def watch(page) -> Watch:
    return Watch(page)


# Reading the page

def count_text(expected: int, total: int) -> str:
    """What the count line says on the first page of `expected` results."""
    if expected <= PER_PAGE:
        return f"{expected} of {total} papers"
    return f"{expected} of {total} papers, 1–{PER_PAGE} shown"


def wait_for_list(page: Page, expected: int | None = None, total: int | None = None) -> None:
    count = page.locator("#pa-browse-count")
    if expected is None:
        expect(count).to_have_text(COUNT, timeout=TIMEOUT)
    else:
        expect(count).to_have_text(count_text(expected, total), timeout=TIMEOUT)
    m = COUNT.match(count.text_content())
    shown = int(m.group(4)) - int(m.group(3)) + 1 if m.group(3) else int(m.group(1))
    expect(page.locator("#pa-browse-results > li")).to_have_count(shown, timeout=TIMEOUT)


def this_page(page: Page, base: str) -> list[str]:
    slugs = []
    for href in page.locator("#pa-browse-results > li > a").evaluate_all("els => els.map(a => a.href)"):
        assert href.startswith(base + "papers/") and href.endswith("/"), href
        slugs.append(href[len(base + "papers/"):-1])
    return slugs


def listed(page: Page, base: str) -> list[str]:
    """Slugs of the listed papers on every result page, in order (Next until the last page);
    each link must point to papers/<slug>/ under `base`. Leaves the browser on the first page."""
    slugs = this_page(page, base)
    steps = 0
    nxt = page.locator("#pa-browse-pages [data-step='1']")
    while page.locator("#pa-browse-pages").is_visible() and nxt.is_enabled():
        before = page.locator("#pa-browse-page").text_content()
        nxt.click()
        expect(page.locator("#pa-browse-page")).not_to_have_text(before, timeout=TIMEOUT)
        slugs += this_page(page, base)
        steps += 1
    for _ in range(steps):
        page.go_back()
    if steps:
        expect(page.locator("#pa-browse-page")).to_have_text(re.compile(r"^Page 1 of"), timeout=TIMEOUT)
    return slugs


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def open_browse(page: Page, url: str, papers: list[dict]) -> None:
    response = page.goto(url)
    assert response.status == 200
    wait_for_list(page)


# Expected results, from papers.json

def matches(paper: dict, theme="", year="", org="", code=False, upvotes=0) -> bool:
    return ((not theme or theme in paper["themes"])
            and (not year or (paper["date"] or "").startswith(f"{year}-"))
            and (not org or paper["organization_id"] == org)
            and (not code or paper["has_code"])
            and (not upvotes or (paper["upvotes"] or 0) >= upvotes))


def expected(papers: list[dict], **filters) -> set[str]:
    return {p["slug"] for p in papers if matches(p, **filters)}


def newest_first(papers_by_slug: dict[str, dict], slugs: list[str]) -> bool:
    dates = [papers_by_slug[s]["date"] for s in slugs]
    dated = [d for d in dates if d]
    return dates[:len(dated)] == dated and dated == sorted(dated, reverse=True)


@pytest.fixture(scope="module")
def combos(papers) -> dict[str, dict]:
    """Two-filter views whose result is smaller than either filter alone and not empty."""
    themes = Counter(t for p in papers for t in p["themes"])
    code = expected(papers, code=True)
    theme_code = max(themes, key=lambda t: (len(expected(papers, theme=t) & code), t))
    years = Counter(p["date"][:4] for p in papers if p["date"])
    theme_year = max(((t, y) for t in themes for y in years),
                     key=lambda ty: (len(expected(papers, theme=ty[0], year=ty[1])), ty))
    year = years.most_common(1)[0][0]
    votes = sorted((p["upvotes"] or 0) for p in papers if p["date"] and p["date"].startswith(year))
    upvotes = max(votes[len(votes) * 3 // 4], 1)
    views = {
        "theme+code": dict(theme=theme_code, code=True),
        "theme+year": dict(theme=theme_year[0], year=theme_year[1]),
        "year+upvotes": dict(year=year, upvotes=upvotes),
    }
    for name, view in views.items():
        both = expected(papers, **view)
        assert both, name
        for key, value in view.items():
            assert len(both) < len(expected(papers, **{key: value})), (name, key)
    return views


def apply(page: Page, view: dict) -> None:
    for key, value in view.items():
        if key == "theme":
            page.check(f'input[name="theme"][value="{value}"]')
        elif key in ("year", "org"):
            page.select_option(f'select[name="{key}"]', str(value))
        elif key == "code":
            page.check('input[name="code"]')
        elif key == "upvotes":
            page.fill('input[name="upvotes"]', str(value))


def url_state(view: dict) -> dict[str, list[str]]:
    return {key: ["1" if value is True else str(value)] for key, value in view.items()}


# Tests

def test_browse_lists_every_paper_newest_first(page, watch, real_site_url, papers):
    open_browse(page, real_site_url + "browse/", papers)
    slugs = listed(page, real_site_url)
    assert page.locator("#pa-browse-count").text_content() == count_text(len(papers), len(papers))
    assert sorted(slugs) == sorted(p["slug"] for p in papers)
    assert newest_first({p["slug"]: p for p in papers}, slugs)
    assert query(page) == {}
    watch.check()


@pytest.mark.parametrize("name", ["theme+code", "theme+year", "year+upvotes"])
def test_two_filters_list_exactly_the_matching_papers(page, watch, real_site_url, papers, combos, name):
    view = combos[name]
    by_slug = {p["slug"]: p for p in papers}
    want = expected(papers, **view)
    open_browse(page, real_site_url + "browse/", papers)
    apply(page, view)
    wait_for_list(page, len(want), len(papers))
    slugs = listed(page, real_site_url)
    assert sorted(slugs) == sorted(want)
    assert newest_first(by_slug, slugs)
    # The state is in the address bar ...
    assert query(page) == url_state(view)
    linked = page.url
    # ... so the same address, loaded afresh, shows the same list with the same controls set.
    page.goto(real_site_url)
    page.goto(linked)
    wait_for_list(page, len(want), len(papers))
    assert listed(page, real_site_url) == slugs
    for key, value in view.items():
        if key == "code":
            expect(page.locator('input[name="code"]')).to_be_checked()
        elif key == "theme":
            expect(page.locator(f'input[name="theme"][value="{value}"]')).to_be_checked()
        else:
            expect(page.locator(f'[name="{key}"]')).to_have_value(str(value))
    watch.check()


def test_sorting_by_title_and_by_upvotes(page, watch, real_site_url, papers, combos):
    view = combos["theme+code"]
    by_slug = {p["slug"]: p for p in papers}
    want = expected(papers, **view)
    open_browse(page, real_site_url + "browse/", papers)
    apply(page, view)
    page.select_option('select[name="sort"]', "title")
    wait_for_list(page, len(want), len(papers))
    slugs = listed(page, real_site_url)
    titles = [by_slug[s]["title"] for s in slugs]
    assert sorted(slugs) == sorted(want)
    assert titles == sorted(titles, key=str.casefold), titles
    assert query(page) == {**url_state(view), "sort": ["title"]}
    page.reload()
    wait_for_list(page, len(want), len(papers))
    assert listed(page, real_site_url) == slugs
    expect(page.locator('select[name="sort"]')).to_have_value("title")

    page.select_option('select[name="sort"]', "upvotes")
    wait_for_list(page, len(want), len(papers))
    votes = [by_slug[s]["upvotes"] or 0 for s in listed(page, real_site_url)]
    assert votes == sorted(votes, reverse=True), votes
    assert query(page)["sort"] == ["upvotes"]
    watch.check()


def test_organization_filter(page, watch, real_site_url, papers):
    orgs = sorted({p["organization_id"] for p in papers if p["organization_id"]})
    assert orgs, "the real corpus names organizations"
    open_browse(page, real_site_url + "browse/", papers)
    for org in orgs:
        want = expected(papers, org=org)
        page.select_option('select[name="org"]', org)
        wait_for_list(page, len(want), len(papers))
        assert set(listed(page, real_site_url)) == want
        assert query(page) == {"org": [org]}
    watch.check()


def test_clear_filters_shows_everything_again(page, watch, real_site_url, papers, combos):
    open_browse(page, real_site_url + "browse/", papers)
    apply(page, combos["theme+year"])
    wait_for_list(page, len(expected(papers, **combos["theme+year"])), len(papers))
    page.click('#pa-browse button[type="reset"]')
    wait_for_list(page, len(papers), len(papers))
    assert query(page) == {}
    watch.check()


def test_browse_works_after_instant_navigation(page, watch, real_site_url, papers):
    """Material swaps pages in without reloading scripts: the list must still appear."""
    page.goto(real_site_url)
    page.locator("a.md-nav__link", has_text="Browse").first.click()
    page.wait_for_url(re.compile(r"/browse/"), timeout=TIMEOUT)
    wait_for_list(page, len(papers), len(papers))
    theme = papers[0]["themes"][0]
    page.check(f'input[name="theme"][value="{theme}"]')
    wait_for_list(page, len(expected(papers, theme=theme)), len(papers))
    watch.check()


def test_options_offer_every_theme_year_and_organization(real_site, papers):
    root = parse_html((real_site / "browse" / "index.html").read_text(encoding="utf-8"))
    options = {}
    form = next(f for f in root.find_all("form") if f.attrs.get("id") == "pa-browse")
    for select in form.find_all("select"):
        options[select.attrs["name"]] = [o.attrs.get("value", "") for o in select.find_all("option")]
    themes = [i.attrs["value"] for i in form.find_all("input") if i.attrs.get("name") == "theme"]
    assert set(themes) == {t for p in papers for t in p["themes"]}
    assert options["year"][1:-1] == sorted({p["date"][:4] for p in papers if p["date"]}, reverse=True)
    assert options["year"][-1] == "undated"
    assert set(options["org"]) - {""} == {p["organization_id"] for p in papers if p["organization_id"]}
    assert options["sort"] == ["date", "added", "upvotes", "title"]


@pytest.fixture(scope="module")
def subpath_url(real_site, tmp_path_factory):
    root = tmp_path_factory.mktemp("browse-pages")
    (root / "paper-atlas").symlink_to(real_site, target_is_directory=True)
    server, url = serve(root)
    yield url + "paper-atlas/"
    server.shutdown()


def test_browse_works_under_a_sub_path(page, watch, subpath_url, papers):
    """As on GitHub Pages: papers.json and the paper links are found under the sub-path."""
    open_browse(page, subpath_url + "browse/?code=1", papers)
    want = expected(papers, code=True)
    wait_for_list(page, len(want), len(papers))
    assert set(listed(page, subpath_url)) == want
    first = page.locator("#pa-browse-results > li > a").first
    assert page.request.get(first.evaluate("a => a.href")).status == 200
    watch.check()


# Organizations from a small corpus: each organization page's papers are one filter away

ORG_DUMP = """\
Daily Papers

Oct 28

Intel Paper One on Memory

Associative memory in transformers.

intel Intel
·
Jul 19, 2023 5

Intel Paper Two on Memory

Working memory in agents.

intel Intel
·
Jul 20, 2023 3

Intel Labs Paper on Memory

Episodic memory in agents.

intel Intel Labs
·
Jul 21, 2023 1

Evil Org Paper on Memory

Long-term memory in agents.

evil <b>Evil</b> & "Org"
·
Jul 22, 2023 2

Spaced Org Paper on Memory

Short-term memory in agents.

spaced Spaced  Out  Lab
·
Jul 23, 2023 2

An Unaffiliated Paper on Memory

Hopfield networks.

  • 3 authors
·
Jul 24, 2023 0
"""


@pytest.fixture(scope="module")
def org_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browse-orgs")
    site = folder / "site"
    build_site(make_corpus(folder / "corpus", {"001_orgs.txt": ORG_DUMP}), site)
    server, url = serve(site)
    yield site, url
    server.shutdown()


def org_pages(site) -> dict[str, tuple[str, set[str]]]:
    """Organization page folder -> (its heading, slugs of the papers it lists)."""
    pages = {}
    for folder in sorted(p for p in (site / "orgs").iterdir() if p.is_dir()):
        article = parse_html((folder / "index.html").read_text(encoding="utf-8")).find("article")
        name = article.find("h1").text().replace("¶", "").strip()
        slugs = {a.attrs["href"].rstrip("/").rsplit("/", 1)[-1] for a in article.find_all("a")
                 if "/papers/" in a.attrs.get("href", "")}
        pages[folder.name] = (name, slugs)
    return pages


@pytest.mark.parametrize("org", ["intel", "evil", "spaced"])
def test_organization_filter_shows_the_organization_pages_papers(page, watch, org_site, org):
    site, url = org_site
    pages = org_pages(site)
    assert set(pages) == {"intel", "evil", "spaced"}
    name, want = pages[org]
    total = len(json.loads((site / "papers.json").read_text(encoding="utf-8")))
    page.goto(url + "browse/")
    wait_for_list(page, total, total)
    labels = page.locator('select[name="org"] option').evaluate_all("els => els.map(o => o.textContent)")
    assert name in labels, labels
    page.select_option('select[name="org"]', label=name)
    expect(page.locator("#pa-browse-count")).not_to_have_text(count_text(total, total), timeout=TIMEOUT)
    wait_for_list(page)
    assert set(listed(page, url)) == want, f"the {name!r} option lists other papers than orgs/{org}/"
    watch.check()
