"""YAML front matter of generated pages, one JSON object (render.environment.front_matter, render.escape.yaml_text).

MkDocs reads a page's front matter with yaml.load(SafeLoader) and drops it
*silently* when the YAML does not parse (mkdocs.utils.meta.get_data), so a title
that broke the YAML would quietly lose the page its title. Any text must
round-trip: what MkDocs reads, HTML-unescaped, is the text as shown on the page
(whitespace folded, minus the few characters YAML cannot hold at all).
"""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from generator.render.environment import front_matter

# YAML 1.1 refuses these even inside quotes (C1 controls but NEL, and two noncharacters);
# JSON escapes the C0 controls, so those round-trip.
NOT_IN_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def shown(text: str) -> str:
    """The text a page shows for `text`: whitespace folded, what YAML cannot hold dropped."""
    return NOT_IN_YAML.sub("", " ".join(text.split()))


def mkdocs_meta(matter: str) -> dict:
    """The page meta MkDocs reads from a page starting with `matter` as its front matter."""
    body, meta = get_data(f"---\n{matter}\n---\n\n# Page\n")
    assert body == "# Page\n", f"the front matter did not parse: {matter!r}"
    return meta


def test_front_matter_has_the_title_description_feed_and_search_exclusion():
    matter = front_matter('A "quoted" <b>title</b> & more', "Why: it #matters", "feeds/memory.xml")
    assert mkdocs_meta(matter) == {
        "title": "A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt; &amp; more",
        "description": "Why: it #matters",
        "search": {"exclude": True},
        "feed": "feeds/memory.xml",
    }


def test_front_matter_without_description_or_feed_has_no_such_keys():
    assert mkdocs_meta(front_matter("Index")) == {"title": "Index", "search": {"exclude": True}}
    assert mkdocs_meta(front_matter("T", "", None)) == {"title": "T", "search": {"exclude": True}}


def test_yaml_words_and_numbers_stay_strings():
    """Unquoted, these would read as booleans, null, numbers, dates or aliases."""
    for text in ("yes", "No", "null", "~", "1e3", "0x1F", "2024-01-02", "*alias", "&anchor", "- item", "[a, b]",
                 "{a: b}", "key: value", "# comment", "'single'", "!!python/object:os.system", "%YAML 1.1", "---"):
        assert mkdocs_meta(front_matter(text))["title"] == html.escape(text), text


def test_line_breaks_and_control_characters_stay_on_one_line():
    for text in ("two\nlines", "a\r\nb", "a\u2028b", "a\x85b", "tab\there", "nul\x00byte", "bell\x07", "del\x7f"):
        matter = front_matter(text)
        assert len(matter.splitlines()) == 1, repr(matter)
        assert html.unescape(mkdocs_meta(matter)["title"]) == shown(text), repr(text)


@given(st.text())
def test_any_text_round_trips_through_yaml(text):
    loaded = mkdocs_meta(front_matter(text))
    assert html.unescape(loaded["title"]) == shown(text)
    assert "<" not in loaded["title"] and ">" not in loaded["title"]  # MkDocs themes print it unescaped


@given(st.text(min_size=1), st.text(), st.sampled_from([None, "feeds/all.xml", "feeds/a-b.xml"]))
def test_any_title_and_description_reach_mkdocs(title, description, feed):
    meta = mkdocs_meta(front_matter(title, description, feed))
    assert html.unescape(meta["title"]) == shown(title)
    if description:
        assert html.unescape(meta["description"]) == shown(description)
    else:
        assert "description" not in meta
    assert meta.get("feed") == feed
    assert meta["search"] == {"exclude": True}


@given(st.text(min_size=1), st.text(), st.sampled_from([None, "feeds/all.xml"]), st.lists(st.text(), max_size=3))
def test_the_hooks_libyaml_reader_reads_what_mkdocs_reads(title, description, feed, contents):
    """Generated pages' front matter is read by libyaml (finished.split_source, for the hook's read_source), not
    by MkDocs' own pure-Python reader: both must give the same page text and meta for anything the generator
    writes."""
    from types import SimpleNamespace

    from generator import finished

    head = [{"name": f"citation_{i}", "content": c} for i, c in enumerate(contents)]
    source = f"---\n{front_matter(title, description, feed, head)}\n---\n<div>\n<h1>x</h1>\n</div>\n"
    assert finished.split_source(source) == get_data(source)
    # (and a finished page's HTML, taken again without reading its front matter, is that text)
    assert finished.body_of(SimpleNamespace(file=SimpleNamespace(content_string=source))) == get_data(source)[0]
