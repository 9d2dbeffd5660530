"""Hostile input: property tests over the reading and escaping stages, and the pages built from
tests/dumps/hostile/*.txt (+ tests/dumps/more/hostile_long_title.txt) checked as parsed HTML.

What the hostile dumps hold (read off the files; line numbers are the title lines):

    hostile_spaced.txt  13 Hopfield <Networks> | *All* You [Need]       abstract with <script>, <img onerror>, <svg onload>
                        21 <script>alert('title')</script> Attention    [link](javascript:..), bare javascript:, one https URL
                        29 | a | b |                                    markdown table row, headings, emphasis, quote
                        33 # Not a heading                              {{ jinja }}, {% raw %}, $math$, `code`, ``double``
                        41 Very long title word0 ... (1,905 chars)
                        45 Emoji 🧠✨ and CJK 脳型計算 and RTL مرحبا بالعالم  zero-width space/joiner, BOM char
                        49 / 57 Same Title Twice                       two different abstracts under one title
                        65 <a href="javascript:alert(3)">click</a>      <a href=https.. onclick>, <iframe src=javascript:>
    hostile_compact.txt  3 <b onmouseover=alert(6)>Bold</b> Title       <style>, </textarea>, </title><script>
                         5 [Click](javascript:alert(8))                  ![img](x "onerror=alert(9)")
"""

from __future__ import annotations

import html.parser
import re
import tempfile
from pathlib import Path
from unittest import mock

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import addresses as at
from generator.corpus import load_corpus
from generator.errors import CorpusError
from generator.model import count
from generator.parse import parse_dump
from generator.render.escape import md_abstract, md_text
from generator.render.index import build_index
from generator.render.site import charts, generate
from generator.report import check_report
from generator.sources import SourceSettings, decode
from helpers import (
    HOSTILE,
    MORE,
    Element,
    article,
    copy_dumps,
    h1_text,
    make_corpus,
    page_tree,
    paper_pages,
    real_themes_text,
    run_cli,
    tree_hash,
)

THEMES_TEXT = real_themes_text()
EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc"]  # as in mkdocs.yml


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def spaced_line(number: int) -> str:
    return (HOSTILE / "hostile_spaced.txt").read_text(encoding="utf-8").split("\n")[number - 1].strip()


LONG_TITLE_2000 = (MORE / "hostile_long_title.txt").read_text(encoding="utf-8").split("\n")[2][len("Subscribe"):]

# title -> abstract, as the dumps show them
HOSTILE_PAPERS = {
    "Hopfield <Networks> | *All* You [Need]":
        "An abstract with <script>alert(1)</script> and <img src=x onerror=alert(1)> inline, "
        "plus <svg onload=alert(1)>.",
    "<script>alert('title')</script> Attention":
        "Markdown [link](javascript:alert(1)) and a bare javascript:alert(2) URL, and a real one: "
        "https://github.com/example/repo.",
    "| a | b |":
        "| col | col | |---|---| # Heading ## not a heading **bold** _em_ ~~strike~~ > quote",
    "# Not a heading":
        "{{ config.site_name }} {% raw %} {% endraw %} {{ jinja }} and $E=mc^2$ math and `code` ``double`` backticks",
    spaced_line(41): "A paper with a very long title.",
    "Emoji \U0001f9e0\u2728 and CJK \u8133\u578b\u8a08\u7b97 and RTL \u0645\u0631\u062d\u0628\u0627 "
    "\u0628\u0627\u0644\u0639\u0627\u0644\u0645":
        "Abstract with emoji \U0001f680, CJK \u795e\u7ecf\u7f51\u7edc, right-to-left \u05e2\u05d1\u05e8\u05d9\u05ea "
        "text and zero\u200bwidth\u200djoiners\ufeff.",
    "Same Title Twice": "First abstract of the same title.",
    '<a href="javascript:alert(3)">click</a>':
        '<a href="https://ok.example.org" onclick="alert(4)">x</a> <iframe src="javascript:alert(5)"></iframe>',
    "<b onmouseover=alert(6)>Bold</b> Title":
        "<style>body{display:none}</style> abstract with </textarea> and </title><script>alert(7)</script>",
    "[Click](javascript:alert(8))": '![img](x "onerror=alert(9)") abstract',
    LONG_TITLE_2000: "Abstract of the 2,000-character title, with a link https://example.org/long.",
}
# http(s) links each abstract holds, in order
ABSTRACT_LINKS = {
    "<script>alert('title')</script> Attention": ["https://github.com/example/repo"],
    '<a href="javascript:alert(3)">click</a>': ["https://ok.example.org"],
    LONG_TITLE_2000: ["https://example.org/long"],
}
FORBIDDEN_TAGS = {"script", "style", "iframe", "textarea", "title", "b", "object", "embed", "frame", "frameset",
                  "base", "math", "meta", "link"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "poster", "background", "data"}


def _is_material_share_button(node: Element, name: str, value: str) -> bool:
    """Material's own search share button: <a href="javascript:void(0)" class="md-search__icon ...">."""
    return node.tag == "a" and name == "href" and value == "javascript:void(0)" and "md-search__icon" in node.classes


# --- the hostile site, as parsed HTML ----------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    corpus = copy_dumps(base / "corpus", *HOSTILE.glob("*.txt"), MORE / "hostile_long_title.txt")
    site = base / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPER_ATLAS_CACHE", str(base / "cache"))  # its own: every page rendered here
        result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="module")
def pages_by_title(hostile_site):
    found: dict[str, list[Path]] = {}
    for page in paper_pages(hostile_site):
        found.setdefault(h1_text(page_tree(page)), []).append(page)
    return found


def abstract_paragraph(tree: Element) -> Element:
    """The first <p> after <h2 id="abstract"> (its sibling) in the article."""
    for parent in article(tree).iter():
        children = parent.children
        for i, child in enumerate(children):
            if child.tag == "h2" and child.attrs.get("id") == "abstract":
                return next(c for c in children[i + 1:] if c.tag == "p")
    raise AssertionError("no <h2 id=abstract> on the page")


def test_one_page_per_hostile_paper(hostile_site, pages_by_title):
    assert len(paper_pages(hostile_site)) == len(HOSTILE_PAPERS)
    assert set(pages_by_title) == set(HOSTILE_PAPERS)
    assert all(len(pages) == 1 for pages in pages_by_title.values())


@pytest.mark.parametrize("title", list(HOSTILE_PAPERS), ids=lambda t: re.sub(r"\W+", "_", t)[:30])
def test_hostile_title_and_abstract_show_as_text(pages_by_title, title):
    [page] = pages_by_title[title]
    tree = page_tree(page)
    assert h1_text(tree) == title
    head_title = tree.find("title").text()
    assert head_title.startswith(title), head_title[:200]
    paragraph = abstract_paragraph(tree)
    assert paragraph.text() == fold(HOSTILE_PAPERS[title])
    # the abstract paragraph holds text and external links only
    assert {n.tag for n in paragraph.iter()} <= {"p", "a"}


@pytest.mark.parametrize("title", list(HOSTILE_PAPERS), ids=lambda t: re.sub(r"\W+", "_", t)[:30])
def test_abstract_links_are_http_and_external(pages_by_title, title):
    [page] = pages_by_title[title]
    links = abstract_paragraph(page_tree(page)).find_all("a")
    assert [a.attrs.get("href") for a in links] == ABSTRACT_LINKS.get(title, [])
    for a in links:
        assert "pa-external" in a.classes
        assert a.attrs.get("target") == "_blank"
        assert "noopener" in a.attrs.get("rel", "").split()


def test_every_external_link_on_the_site_is_http_and_opens_safely(hostile_site):
    seen = 0
    for path in sorted(hostile_site.rglob("*.html")):
        for a in page_tree(path).find_all("a", cls="pa-external"):
            seen += 1
            assert re.match(r"https?://", a.attrs.get("href", "")), (path, a.attrs)
            assert a.attrs.get("target") == "_blank", (path, a.attrs)
            assert "noopener" in a.attrs.get("rel", "").split(), (path, a.attrs)
    assert seen > len(HOSTILE_PAPERS)  # at least the search links of every paper page


def test_no_page_has_injected_markup_handlers_or_script_urls(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > len(HOSTILE_PAPERS)
    for path in pages:
        tree = page_tree(path)
        for node in tree.iter():
            for name, value in node.attrs.items():
                assert not name.lower().startswith("on"), (path, node.tag, name, value)
                if name.lower() in URL_ATTRIBUTES and value.strip().lower().startswith(("javascript:", "data:",
                                                                                        "vbscript:")):
                    assert _is_material_share_button(node, name, value), (path, node.tag, name, value)
        content = tree.find("article")
        if content is None:
            continue
        tags = {n.tag for n in content.iter()}
        assert not tags & FORBIDDEN_TAGS, (path, tags & FORBIDDEN_TAGS)
        for img in content.find_all("img"):
            assert img.attrs.get("src", "").endswith((".svg", ".png")), (path, img.attrs)


def test_paper_pages_have_no_markup_from_the_dump(pages_by_title):
    """A title or abstract cannot open a table, heading, emphasis, code span or list."""
    for title, [page] in pages_by_title.items():
        content = article(page_tree(page))
        assert len(content.find_all("h1")) == 1, title
        assert not content.find_all("table"), title
        # the one code block is our own: the BibTeX citation
        assert len(content.find_all("code")) == len(content.find_all("pre", cls="pa-bibtex")), title
        assert not content.find_all("h3"), title
        assert not {n.tag for n in content.find_all("h1")[0].iter()} - {"h1", "a"}, title


def test_jinja_in_an_abstract_is_not_evaluated(pages_by_title):
    [page] = pages_by_title["# Not a heading"]
    text = abstract_paragraph(page_tree(page)).text()
    assert "{{ config.site_name }}" in text and "{% raw %}" in text and "{{ jinja }}" in text
    assert "Paper Atlas" not in text


def test_long_title_is_exactly_2000_characters_with_a_short_address(pages_by_title):
    assert len(LONG_TITLE_2000) == 2000
    [page] = pages_by_title[LONG_TITLE_2000]
    assert len(page.parent.name) <= 80


def test_two_abstracts_under_one_title_are_one_page_and_a_reported_conflict(hostile_site, pages_by_title):
    [page] = pages_by_title["Same Title Twice"]
    text = page_tree(page).text()
    assert "First abstract of the same title." in text
    assert "line 49" in text and "line 57" in text
    corpus = load_corpus(copy_dumps(hostile_site.parent / "c2", HOSTILE / "hostile_spaced.txt"), with_related=False)
    conflicts = [p for p in corpus.problems if "Same Title Twice" in p.message and "abstract" in p.message]
    assert len(conflicts) == 1
    assert conflicts[0].where == "hostile_spaced.txt:49"
    assert "hostile_spaced.txt:57" in conflicts[0].message


# --- property tests: Markdown from untrusted text ------------------------------------------------------

class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.other.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.other.append(f"<![{data}]>")


def render(source: str) -> _Collector:
    collector = _Collector()
    collector.feed(markdown.markdown(source, extensions=EXTENSIONS))
    collector.close()
    return collector


MD_TOKENS = st.sampled_from([
    "<", ">", "&", "#", "*", "_", "[", "]", "(", ")", "`", "{", "}", "|", "-", "=", "!", ":", '"', "'", "\\", "$",
    "~", "^", "+", ".", " ", "\n", "\t", "1.", "12. ", "http://", "https://", "javascript:", "a.io",
    "x.y.org/p?q=1&r=2", "<script>", "</script>", "{{", "}}", "{%", "%}", "</a>", "onerror=", "alert(1)",
    "<!--", "-->", "<![CDATA[", "&#60;", "&lt;", "&amp;", "    ", "\n\n", "---", "***", "===", "> ", "- ", "* ",
    "1) ", ":::", '{: .x onclick="a"}', "[x]: http://e.com", "<http://a.com>", "<a@b.co>", "a@b.co",
    "www.a.com", "\u00a0", "\u2028", "\u200b", "é", "🧠", "https://e.org/a_(b)", "https://e.org/*x*",
    "https://e.org/[x](javascript:y)", '<img src=x onerror="a">', "<svg onload=a>", "![i](x)", "[l](http://x.io)",
])
_NO_PLACEHOLDERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x02\x03")
ANY_TEXT = st.text() | st.lists(MD_TOKENS | st.text(max_size=4), max_size=40).map("".join)
# Python-Markdown reserves U+0002/U+0003 for its placeholders: see test_placeholder_characters_survive.
TEXT_NO_PLACEHOLDERS = (st.text(_NO_PLACEHOLDERS)
                        | st.lists(MD_TOKENS | st.text(_NO_PLACEHOLDERS, max_size=4), max_size=40).map("".join))


def check_markup(collector: _Collector, wrapper: str, links: bool) -> None:
    assert not collector.other, collector.other
    for tag, attrs in collector.tags:
        assert not any(name.lower().startswith("on") for name in attrs), (tag, attrs)
        if tag == "a" and links:
            assert attrs.get("class") == "pa-external", attrs
            assert re.match(r"https?://", attrs.get("href", ""), re.IGNORECASE), attrs
            assert attrs.get("target") == "_blank" and "noopener" in attrs.get("rel", "").split(), attrs
        else:
            assert tag == wrapper, (tag, attrs)
            assert set(attrs) <= ({"id"} if wrapper == "h1" else set()), attrs  # toc gives the h1 an id


@given(ANY_TEXT)
def test_md_text_renders_only_its_wrapper(text):
    check_markup(render(md_text(text)), "p", links=False)
    check_markup(render("# " + md_text(text)), "h1", links=False)


@given(ANY_TEXT)
def test_md_abstract_renders_only_its_wrapper_and_external_links(text):
    check_markup(render(md_abstract(text)), "p", links=True)


@given(TEXT_NO_PLACEHOLDERS)
def test_rendered_text_equals_the_folded_input(text):
    for source in (md_text(text), "# " + md_text(text), md_abstract(text)):
        assert "".join(render(source).text) == fold(text), source


@pytest.mark.parametrize("text", ["A\x02B", "A\x03B", "\x02klzzwxh:0000\x03 title"])
def test_placeholder_characters_never_reach_markdown_raw(text):
    """U+0002/U+0003 delimit Python-Markdown's placeholders; raw, they could call up stashed HTML.
    The parser drops control characters from dumps, and the escaper writes them as references."""
    assert "\x02" not in md_text(text) and "\x03" not in md_text(text)
    assert "\x02" not in md_abstract(text) and "\x03" not in md_abstract(text)
    parsed = parse_dump("p.txt", f"Subscribe{text}\nAn abstract.\n")
    assert [r.title for r in parsed.records] == [text.replace("\x02", "").replace("\x03", "")]


# --- property tests: any dump -------------------------------------------------------------------------

DUMP_LINES = st.sampled_from([
    "new", "Subscribe", "Daily Papers", "Get trending papers in your email inbox!", "byAK and the research community",
    "Oct 28", "Feb 29", "Subscribe A Title", "·", "• 3 authors", "  • 1 author", "• x authors", "Jul 19, 2023 5",
    "Feb 30, 2024", "Jan 1", "Dec 31, 1999 lots", "Mar 3, 2023 1", "apple Apple", "Title", "It", "The",
    "Abstract https://a.io/x.", "<script>alert(1)</script>", "", " ", "\r", "\t",
])
DUMP_TEXT = st.lists(DUMP_LINES | st.text(max_size=20), max_size=40).map("\n".join) | st.text()


def _load_dumps(texts: list[str | bytes], with_related: bool = True):
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder)
        (corpus / "themes.yml").write_text(THEMES_TEXT, encoding="utf-8")
        for i, text in enumerate(texts):
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (corpus / f"d{i}.txt").write_bytes(data)
        try:
            loaded = load_corpus(corpus, with_related=with_related)
        except CorpusError:
            return None
        check_report(loaded)
        assert loaded.records_read == len(loaded.papers) + loaded.duplicates + count(loaded.rejected)
        return loaded


@given(st.lists(DUMP_TEXT, min_size=1, max_size=3))
def test_any_text_as_dumps_raises_only_corpus_errors(texts):
    _load_dumps(texts)


def _no_charts(site):
    """generate() without drawing charts (matplotlib): they hold no text from the dumps."""
    return lambda: ([], {at.MONTHS_CHART: ""})


@given(st.lists(DUMP_TEXT, min_size=1, max_size=3))
def test_any_readable_dump_renders_every_page(texts):
    """Every page that shows text from the dumps (all but the charts, drawn below)."""
    loaded = _load_dumps(texts, with_related=False)
    if loaded is not None:
        with mock.patch("generator.render.site.charts", _no_charts):
            files = list(generate(loaded))
        assert all(isinstance(text, (str, bytes)) and path for path, text in files)
        assert {at.HOME, at.PAPERS_JSON, at.ALL_FEED} <= {path for path, _ in files}


# Charts are slow to draw (matplotlib) and depend on dates and theme counts only: fewer examples.
@settings(max_examples=max(5, settings.default.max_examples // 5))
@given(st.lists(DUMP_TEXT, min_size=1, max_size=3))
def test_any_readable_dump_draws_its_charts(texts):
    loaded = _load_dumps(texts, with_related=False)
    if loaded is not None:
        files, alts = charts(build_index(loaded))()
        assert all(path.endswith(".svg") and svg.lstrip().startswith("<") for path, svg in files)
        assert set(alts) == {path for path, _ in files}  # every chart has its text alternative


BOMS = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])
STATED = st.sampled_from([None, "latin-1", "ascii", "utf-16", "utf-8", "cp1252", "shift_jis", "utf-32"])


@given(BOMS, st.binary(), STATED)
def test_any_bytes_through_decode_raise_only_corpus_errors(bom, data, stated):
    settings_ = SourceSettings(encoding=stated) if stated else None
    try:
        result = decode("x.txt", bom + data, settings_)
    except CorpusError:
        return
    assert "\r" not in result.text


@given(BOMS, st.binary())
@example(b"", b"!\n!\n\x80")  # an unreadable dump stands for the 2 records it holds: one rejected entry, 2 records
def test_any_bytes_as_a_dump_raise_only_corpus_errors(bom, data):
    _load_dumps([bom + data])


# --- the crashes the properties found, as plain examples -------------------------------------------------

def test_stop_word_only_corpus_loads(tmp_path):
    """Two papers whose words are all English stop words (TF-IDF finds no vocabulary)."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": "It\nIt is.\nWe\nWe are.\n"})
    result = run_cli("check", "--corpus", str(corpus))
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    assert result.returncode == 0
    loaded = load_corpus(corpus)
    assert sorted(p.title for p in loaded.papers) == ["It", "We"]


ODD = {"BS": "\x08", "ESC": "\x1b", "U+FFFE": "\ufffe", "U+FFFF": "\uffff"}


def test_control_or_noncharacter_in_a_title_builds(tmp_path):
    """Characters XML cannot hold (the Atom feeds are XML) must not crash the build (one dump each)."""
    corpus = make_corpus(tmp_path / "c", {f"{name}.txt": f"Odd{odd}Title {name}\nSome abstract {odd} here.\n"
                                          for name, odd in ODD.items()})
    site = tmp_path / "site"
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    assert result.returncode == 0, result.stderr[-400:]
    assert len(paper_pages(site)) == len(ODD)


# --- URLs holding Markdown link syntax (tests/dumps/more/hostile_url_markdown.txt) ---------------------

URL_MARKDOWN_ABSTRACT = ("Code at https://a.io/[x](onmouseover=alert(document.domain)//) and "
                         "https://b.io/[y](javascript:alert(2)) too.")
URL_MARKDOWN_LINKS = ["https://a.io/[x](onmouseover=alert(document.domain)//)",
                      "https://b.io/[y](javascript:alert(2))"]


@pytest.mark.parametrize("url", URL_MARKDOWN_LINKS)
def test_markdown_inside_a_url_does_not_become_markup(url):
    collector = render(md_abstract(f"See {url} now"))
    check_markup(collector, "p", links=True)
    [(tag, attrs)] = [t for t in collector.tags if t[0] == "a"]
    assert attrs["href"].startswith(url.split("[")[0])


@pytest.fixture(scope="module")
def url_markdown_page(tmp_path_factory):
    base = tmp_path_factory.mktemp("urlmd")
    corpus = copy_dumps(base / "corpus", MORE / "hostile_url_markdown.txt")
    site = base / "site"
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    [page] = paper_pages(site)
    return page


def test_url_with_markdown_builds_no_handler_attribute(url_markdown_page):
    tree = page_tree(url_markdown_page)
    assert h1_text(tree) == "Innocent Looking Paper"
    for node in tree.iter():
        for name, value in node.attrs.items():
            assert not name.lower().startswith("on"), (node.tag, name, value)
            if name.lower() in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                assert _is_material_share_button(node, name, value), (node.tag, name, value)


def test_url_with_markdown_shows_the_abstract_as_text_with_two_external_links(url_markdown_page):
    paragraph = abstract_paragraph(page_tree(url_markdown_page))
    assert paragraph.text() == URL_MARKDOWN_ABSTRACT
    links = paragraph.find_all("a")
    assert len(links) == 2, [a.attrs for a in links]
    for a, url in zip(links, URL_MARKDOWN_LINKS, strict=True):
        assert a.attrs.get("href", "").startswith(url.split("[")[0]), a.attrs
        assert "pa-external" in a.classes and a.attrs.get("target") == "_blank"


def test_the_index_of_hostile_pages_is_the_one_pagefind_makes_of_the_built_site(hostile_site):
    """Pagefind indexes stand-ins made from each paper's title and abstract (render.paper.indexed_body), not
    the built pages: for hostile titles and abstracts too, the index must be the one it makes of the site."""
    from helpers import pagefind_index_of_built_site, tree_hash

    made = tree_hash(hostile_site / "pagefind")
    expected = pagefind_index_of_built_site(hostile_site)
    assert sum(name.startswith("fragment/") for name in expected) >= 10
    assert made == expected


def test_every_page_is_the_one_material_renders_for_that_page_alone(hostile_site, tmp_path, monkeypatch):
    """Two shortcuts through Material's page rendering: generator/chrome.py renders the site navigation,
    the search box and the script configuration once for all the pages of a folder, and the hook sets a
    generated page's content aside while Material's search plugin runs (hooks.on_page_context). Every page
    must be the one Material renders for that page alone, without them. (Each build has a cache of its own:
    a page taken from a cache would not be rendered at all.)"""
    from generator import chrome, hooks

    monkeypatch.setattr(chrome, "keep", False)
    monkeypatch.setattr(hooks, "set_aside", False)
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache"))
    corpus = copy_dumps(tmp_path / "corpus", *HOSTILE.glob("*.txt"), MORE / "hostile_long_title.txt")
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr

    def pages(site):
        return {path: digest for path, digest in tree_hash(site).items() if path.endswith(".html")}

    kept, each = pages(hostile_site), pages(tmp_path / "site")
    assert len(kept) > 30 and {"404.html", "index.html", "about/index.html"} <= kept.keys()
    assert kept == each
