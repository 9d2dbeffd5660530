"""Paper pages are finished HTML (generator/finished.py): MkDocs runs no Markdown over them, so the
generator gives them the heading ids Python-Markdown would, and checks their links as strictly."""

from __future__ import annotations

import logging
import os
import tempfile
from types import SimpleNamespace

import markdown
from hypothesis import given
from hypothesis import strategies as st

from generator import finished
from generator.render import escape
from generator.render.paper import HEADINGS, heading_ids
from helpers import SPACED_HEADER, make_corpus, run_cli


def _toc_ids(title: str) -> list[str]:
    """The ids Python-Markdown's toc extension gives a paper page's headings written as Markdown."""
    source = f"# {escape.md_text(title)}\n\n" + "".join(f"## {text}\n\n" for _, text in HEADINGS)
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html"])
    md.convert(source)

    def walk(tokens):
        for token in tokens:
            yield token["id"]
            yield from walk(token["children"])

    return list(walk(md.toc_tokens))


@given(st.text(min_size=1, max_size=60).filter(str.strip))
def test_heading_ids_are_those_of_the_toc_extension(title):
    assert list(heading_ids(title).values()) == _toc_ids(title)


def test_a_paper_titled_like_a_heading_keeps_both_anchors():
    ids = heading_ids("Related papers")
    assert ids["title"] == "related-papers" and ids["related"] == "related-papers_1"


def test_links_are_read_from_tags_only():
    """Corpus text is escaped (`<` as `&lt;`), but quotes stay as typed in text: `href="` there is no link."""
    body = ('<p>&lt;a href="gone/"&gt; text</p><a class="x" href="../b/#m">b</a><img src="c.svg">'
            '<a href="https://example.org/x">e</a><a href="mailto:a@example.org">m</a><a href="#own">o</a>')
    assert finished.links(body) == ["../b/#m", "c.svg", "#own"]


def test_anchors_are_the_id_attributes_of_tags():
    """An id after any white space counts; data-id, an id at the very start and text do not."""
    body = ('id="start"<h2 class="x"\n\tid="two">T</h2><div data-id="data" id="one"></div>'
            '<p>text with &lt;b id=&quot;no&quot;&gt;</p><span\nid=""></span><a href="?id=" id="top">t</a>')
    page = SimpleNamespace(file=_file("papers/x.md", "papers/x/", '---\n{"title": "X"}\n---\n' + body))
    finished.render(page, None, None)
    assert page.present_anchor_ids == {"two", "one", "", "top"}


def test_a_finished_pages_content_is_held_only_while_its_template_is_rendered():
    """MkDocs reads every page before it renders the first template: a finished page's HTML is its source's
    (after the front matter), made the page's content just before its template is rendered (the hook's
    on_page_context) and let go once it is (on_post_page); its table of contents, title and anchors are
    there from the start."""
    body = '<h1 id="a-title">A title<a class="headerlink" href="#a-title">¶</a></h1>\n<p id="p">text</p>\n'
    page = SimpleNamespace(file=_file("papers/x.md", "papers/x/", '---\n{"title": "A title"}\n---\n' + body))
    finished.read_source(page, None)
    assert page.markdown == "" and page.meta == {"title": "A title"}
    finished.render(page, None, None)
    assert page.content == "" and page._title_from_render == "A title"
    assert [item.id for item in page.toc] == ["a-title"] and page.present_anchor_ids == {"a-title", "p"}
    finished.content_for_template(page)
    assert page.content == body
    finished.release_content(page)
    assert page.content == ""
    markdown = SimpleNamespace(file=_file("index.md", "", '---\n{"title": "Home"}\n---\n# Home\n'), content="<p>x</p>")
    finished.read_source(markdown, None)
    finished.content_for_template(markdown)
    finished.release_content(markdown)
    assert markdown.markdown == "# Home\n" and markdown.content == "<p>x</p>"  # (a Markdown page: MkDocs' own)


def _file(src_uri, url, content="", anchors=None):
    return SimpleNamespace(src_uri=src_uri, url=url, generated_by="hooks", content_string=content,
                           page=SimpleNamespace(present_anchor_ids=anchors))


class _Files(list):
    def get_file_from_path(self, path):
        return next((f for f in self if f.src_uri == path), None)


def test_a_broken_link_or_anchor_in_a_finished_page_is_a_warning(caplog):
    body = ('---\ntitle: "A"\n---\n<a href="../b/">b</a> <a href="../../timeline/2023/#2023-07">July</a> '
            '<a href="../../timeline/2023/#2023-08">gone month</a> <a href="../missing/">gone page</a> '
            '<a href="../../charts/papers-per-month.svg">chart</a> <a href="../../">home</a>')
    files = [_file("papers/a.md", "papers/a/", body), _file("papers/b.md", "papers/b/"),
             # a finished page's anchors are read from its HTML, rendered in this build or not
             _file("timeline/2023.md", "timeline/2023/", '<h2 id="2023-07">July 2023</h2>', anchors=None),
             _file("charts/papers-per-month.svg", "charts/papers-per-month.svg"), _file("index.md", ""),
             # a Markdown page's list of papers is raw HTML (its Markdown links are MkDocs' to check)
             _file("themes/t.md", "themes/t/", '# T\n\n[ok](../index.md)\n\n<ul>\n<li><a href="../../papers/gone/">x</a>'
                                               '</li>\n<li><a href="../../papers/b/">b</a></li>\n</ul>\n')]
    generated = {f.src_uri: f.content_string for f in files}  # as the hook reads them, charts included
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.paper_atlas"):
        assert finished.check_links(_Files(files), finished.page_links(generated)) == 3
    warnings = [r.getMessage() for r in caplog.records]
    assert "'#2023-08'" in warnings[0] and "papers/a.md" in warnings[0]
    assert "papers/missing" in warnings[1]
    assert "themes/t.md" in warnings[2] and "papers/gone" in warnings[2]


def test_a_broken_link_fails_a_strict_build(tmp_path, monkeypatch):
    """Wired into the build: a paper page linking to a page that does not exist stops `generator build`,
    with MkDocs' wording and the page named, and leaves no site."""
    from generator.render import paper

    lines = list(SPACED_HEADER)
    for i in range(3):
        lines += [f"Spiking Memory Paper {i}", "", f"Spiking neural networks store memory {i}.", "",
                  "  • 2 authors", "·", f"Jul {i + 1}, 2023 {i}", ""]
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": "\n".join(lines)})
    monkeypatch.setattr(paper.PaperLinks, "__missing__",
                        lambda self, slug: '<a href="../no-such-paper/">gone</a> · undated')
    monkeypatch.setitem(os.environ, "PAPER_ATLAS_CACHE", str(tmp_path / "cache"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where Pagefind's scratch folder goes
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site"))
    assert result.returncode != 0
    assert "contains a link '../no-such-paper/'" in result.stderr and "papers/spiking-memory-paper" in result.stderr
    assert not (tmp_path / "site").exists()
    assert list(scratch.iterdir()) == []  # Pagefind's run was stopped and its folder removed
