"""The site built from tests/dumps/hostile/*.txt, opened page by page in headless Chromium.

No dialog may fire, no element may carry an on* handler attribute, no URL attribute may
hold a javascript: URL, and the hostile titles and abstracts must read as plain text.
(Material moves its share button's `javascript:void(0)` into data-clipboard-text: a data-*
attribute is not a URL and is not flagged.)
"""

from __future__ import annotations

import re

import pytest

from helpers import HOSTILE, MORE, copy_dumps, run_cli, serve

pytestmark = pytest.mark.browser

EXPECTED_TITLES = {
    "Hopfield <Networks> | *All* You [Need]",
    "<script>alert('title')</script> Attention",
    "| a | b |",
    "# Not a heading",
    "Emoji \U0001f9e0\u2728 and CJK \u8133\u578b\u8a08\u7b97 and RTL \u0645\u0631\u062d\u0628\u0627 "
    "\u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "Same Title Twice",
    '<a href="javascript:alert(3)">click</a>',
    "<b onmouseover=alert(6)>Bold</b> Title",
    "[Click](javascript:alert(8))",
    # the 1,905-character title, as the dump shows it on line 41
    (HOSTILE / "hostile_spaced.txt").read_text(encoding="utf-8").split("\n")[40].strip(),
}
ABSTRACTS = {
    "Hopfield <Networks> | *All* You [Need]":
        "An abstract with <script>alert(1)</script> and <img src=x onerror=alert(1)> inline, "
        "plus <svg onload=alert(1)>.",
    "<script>alert('title')</script> Attention":
        "Markdown [link](javascript:alert(1)) and a bare javascript:alert(2) URL, and a real one: "
        "https://github.com/example/repo.",
    "# Not a heading":
        "{{ config.site_name }} {% raw %} {% endraw %} {{ jinja }} and $E=mc^2$ math and `code` ``double`` backticks",
    '<a href="javascript:alert(3)">click</a>':
        '<a href="https://ok.example.org" onclick="alert(4)">x</a> <iframe src="javascript:alert(5)"></iframe>',
    "<b onmouseover=alert(6)>Bold</b> Title":
        "<style>body{display:none}</style> abstract with </textarea> and </title><script>alert(7)</script>",
    "[Click](javascript:alert(8))": '![img](x "onerror=alert(9)") abstract',
    "Emoji \U0001f9e0\u2728 and CJK \u8133\u578b\u8a08\u7b97 and RTL \u0645\u0631\u062d\u0628\u0627 "
    "\u0628\u0627\u0644\u0639\u0627\u0644\u0645":
        "Abstract with emoji \U0001f680, CJK \u795e\u7ecf\u7f51\u7edc, right-to-left \u05e2\u05d1\u05e8\u05d9\u05ea "
        "text and zero\u200bwidth\u200djoiners\ufeff.",
}

FIND_BAD = """() => {
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'poster', 'background'];
  const out = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) out.push(`${el.tagName} ${a.name}=${a.value}`);
      if (urlAttrs.includes(name) && /^[\\s\\u0000-\\u001f]*javascript:/i.test(a.value))
        out.push(`${el.tagName} ${a.name}=${a.value}`);
    }
  }
  for (const el of document.querySelectorAll('article script, article iframe, article style, article object,'
                                             + ' article embed, article textarea, article b'))
    out.push(`injected <${el.tagName.toLowerCase()}>`);
  return out;
}"""
# What a visitor's pointer and keyboard do to every heading, paragraph, list item and link of the article
# (a handler an injected attribute or script added to any of them would run), in one call per page.
POINT_AT_ALL = """() => {
  for (const el of document.querySelectorAll('article h1, article p, article a, article li')) {
    for (const type of ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup'])
      el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window}));
    el.dispatchEvent(new FocusEvent('focus'));
  }
}"""
PAGE_TEXT = """() => {
  const h1 = document.querySelector('article h1');
  const h2 = document.getElementById('abstract');
  let p = h2 && h2.nextElementSibling;
  while (p && p.tagName !== 'P') p = p.nextElementSibling;
  return {h1: h1 ? h1.textContent : null, abstract: p ? p.textContent : null,
          h1Visible: !!(h1 && h1.offsetParent !== null)};
}"""


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def build_and_serve(tmp_path_factory, name, *dumps):
    base = tmp_path_factory.mktemp(name)
    corpus = copy_dumps(base / "corpus", *dumps)
    site = base / "site"
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    server, url = serve(site)
    return site, server, url


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    site, server, url = build_and_serve(tmp_path_factory, "hostile_browser", *sorted(HOSTILE.glob("*.txt")))
    yield site, url
    server.shutdown()


def site_pages(site) -> list[str]:
    pages = []
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        pages.append("" if rel == "." else rel + "/")
    return pages


def visit_all(page, url, pages):
    """Open each page; return (dialogs, problems by page, texts by page)."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.type} {dialog.message}"),
                                      dialog.dismiss()))
    problems, texts = {}, {}
    for rel in pages:
        page.goto(url + rel, wait_until="load")
        page.evaluate(POINT_AT_ALL)
        found = page.evaluate(FIND_BAD)
        if found:
            problems[rel] = found
        texts[rel] = page.evaluate(PAGE_TEXT)
    page.wait_for_timeout(300)
    return dialogs, problems, texts


def test_every_hostile_page_is_inert_and_shows_the_text(hostile, page):
    site, url = hostile
    pages = site_pages(site)
    papers = [p for p in pages if p.startswith("papers/")]
    assert len(papers) == 10  # 11 records, "Same Title Twice" merged
    for required in ("", "themes/", "timeline/", "listings/", "listings/hostile-spaced/", "listings/hostile-compact/",
                     "themes/other/", "timeline/undated/"):
        assert required in pages, required
    dialogs, problems, texts = visit_all(page, url, pages)
    assert dialogs == []
    assert problems == {}
    titles = {}
    for rel in papers:
        info = texts[rel]
        assert info["h1Visible"], rel
        assert info["h1"].endswith("\u00b6"), info["h1"]
        titles[info["h1"][:-1]] = rel
    assert set(titles) == EXPECTED_TITLES, set(titles) ^ EXPECTED_TITLES
    for title, abstract in ABSTRACTS.items():
        assert texts[titles[title]]["abstract"] == fold(abstract), title


def test_script_title_reads_exactly(hostile, page):
    site, url = hostile
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url + "papers/script-alert-title-script-attention/", wait_until="load")
    h1 = page.locator("article h1")
    assert h1.evaluate("e => e.textContent").removesuffix("\u00b6") == "<script>alert('title')</script> Attention"
    assert "<script>alert('title')</script> Attention" in page.title()
    assert page.locator("article script").count() == 0
    links = page.locator("article p a.pa-external")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "https://github.com/example/repo" in hrefs
    for i in range(links.count()):
        link = links.nth(i)
        assert re.match(r"https?://", link.get_attribute("href"))
        assert link.get_attribute("target") == "_blank"
        assert "noopener" in link.get_attribute("rel").split()
    page.wait_for_timeout(200)
    assert dialogs == []


@pytest.fixture(scope="module")
def url_markdown(tmp_path_factory):
    site, server, url = build_and_serve(tmp_path_factory, "urlmd_browser", MORE / "hostile_url_markdown.txt")
    yield site, url
    server.shutdown()


def test_markdown_inside_an_abstract_url_is_inert(url_markdown, page):
    """https://a.io/[x](onmouseover=alert(document.domain)//) in an abstract: hovering the link does nothing."""
    site, url = url_markdown
    [paper] = [p for p in site_pages(site) if p.startswith("papers/")]
    dialogs, problems, texts = visit_all(page, url, [paper])
    assert dialogs == []
    assert problems == {}
    assert texts[paper]["abstract"] == ("Code at https://a.io/[x](onmouseover=alert(document.domain)//) and "
                                        "https://b.io/[y](javascript:alert(2)) too.")
