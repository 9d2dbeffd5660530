"""Issue 13 in the generated files (no browser): browse's data file, added dates,
feeds, theme and undated pages, paper page citations and meta tags, listing
names. The pages are generated in process from the real corpus, once."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re

import pytest
import yaml
from lxml import etree

from generator.corpus import load_corpus
from generator.render import cite
from generator.render.data import SNIPPET_CHARS
from generator.render.site import generate
from helpers import CORPUS, ROOT, headings, make_corpus

SITE_URL = "https://example.org/atlas/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def files(corpus) -> dict[str, str | bytes]:
    return dict(generate(corpus, SITE_URL))


def front(page: str) -> dict:
    return yaml.safe_load(page.split("---", 2)[1])


def test_browse_data_is_compact_gzipped_columns_with_snippets_only(files, corpus):
    raw = files["data/browse.json.gz"]
    assert isinstance(raw, bytes) and raw[:2] == b"\x1f\x8b"
    assert gzip.compress(gzip.decompress(raw), compresslevel=9, mtime=0) == raw  # deterministic: no time inside
    data = json.loads(gzip.decompress(raw))
    columns = data["columns"]
    assert list(columns) == ["slug", "title", "date", "inferred", "upvotes", "org", "code", "themes",
                             "snippet", "added", "why"]
    assert all(len(values) == len(corpus.papers) for values in columns.values())
    epoch = dt.date(1970, 1, 1)
    by_slug = {p.slug: p for p in corpus.papers}
    for i, slug in enumerate(columns["slug"]):
        paper = by_slug[slug]
        assert columns["title"][i] == paper.title
        assert len(columns["snippet"][i]) <= SNIPPET_CHARS + 1
        assert " ".join(paper.abstract.split()).startswith(columns["snippet"][i].rstrip("…"))
        assert [data["themes"][t] for t in columns["themes"][i]] == [m.theme for m in paper.themes]
        day = columns["date"][i]
        assert (epoch + dt.timedelta(days=day) if day is not None else None) == (paper.date.value if paper.date else None)
        added = columns["added"][i]
        assert (epoch + dt.timedelta(days=added) if added is not None else None) == paper.added
    # No full abstracts, and compressed: a small part of papers.json.
    assert len(raw) < len(files["papers.json"]) / 4


def test_every_paper_from_a_dated_listing_has_its_earliest_listing_date_as_added(corpus):
    listed = {d.name: d.listing.value for d in corpus.dumps}
    assert any(listed.values()), "the real corpus has dated listings"
    for paper in corpus.papers:
        dates = [listed[d] for d in paper.dumps if listed[d]]
        assert paper.added == (min(dates) if dates else None), paper.slug


def test_added_is_the_earliest_listing_of_a_paper_seen_twice(tmp_path):
    dump = "Daily Papers\n\n{day}\n\nShared Paper Title\n\nAn abstract about memory.\n\n  • 3 authors\n·\nJul 19, 2023 5\n"
    folder = make_corpus(tmp_path / "c", {"001_a.txt": dump.format(day="Oct 28"), "002_b.txt": dump.format(day="Nov 2")},
                         sources="001_a.txt: {listing_date: 2025-10-28}\n002_b.txt: {listing_date: 2025-11-02}\n")
    (paper,) = load_corpus(folder).papers
    assert paper.added == dt.date(2025, 10, 28)


def test_theme_feeds_never_stamp_an_undated_paper_with_another_papers_date(files, corpus):
    by_url = {SITE_URL + f"papers/{p.slug}/": p for p in corpus.papers}
    checked = 0
    for path, body in files.items():
        if not path.startswith("feeds/"):
            continue
        for entry in etree.fromstring(body).iter(f"{ATOM}entry"):
            paper = by_url[entry.findtext(f"{ATOM}id")]
            updated = entry.findtext(f"{ATOM}updated")[:10]
            own = paper.added or (paper.date.value if paper.date else None)
            assert updated == (own.isoformat() if own else "1970-01-01"), (path, paper.slug, updated)
            published = entry.findtext(f"{ATOM}published")
            assert (published[:10] if published else None) == (paper.date.value.isoformat() if paper.date else None)
            checked += 1
    assert checked > 100


def test_site_feed_says_how_many_papers_are_dated(files, corpus):
    dated = sum(1 for p in corpus.papers if p.date)
    subtitle = etree.fromstring(files["feeds/all.xml"]).findtext(f"{ATOM}subtitle")
    assert f"{dated} of {len(corpus.papers)} dated" in subtitle


def test_dated_only_figures_say_how_many_are_dated(files, corpus):
    phrase = f"{sum(1 for p in corpus.papers if p.date)} of {len(corpus.papers)}"
    assert phrase in files["index.md"]
    assert phrase in files["timeline/index.md"]
    assert "## Recently added" in files["index.md"]


def test_theme_pages_list_papers_under_year_headings_and_link_to_browse(files, corpus):
    for theme in corpus.themes:
        page = files[f"themes/{theme.slug}.md"]
        sections = [(text, id_) for level, id_, text in headings(page) if level == 2]
        assert sections, theme.slug
        assert all(id_ == ("undated" if text == "Undated" else f"y{text}") for text, id_ in sections)
        years = [h for h, _ in sections if h != "Undated"]
        assert years == sorted(years, reverse=True), theme.slug
        if any(h == "Undated" for h, _ in sections):
            assert sections[-1][0] == "Undated"
        assert f'<a href="../../browse/?theme={theme.slug}">' in page


def test_year_pages_list_months_and_papers_newest_first(files, corpus):
    for path, page in files.items():
        if not re.fullmatch(r"timeline/\d{4}\.md", path):
            continue
        dates = re.findall(r"<br>\n(\d{1,2} \w+ \d{4})", page)
        parsed = [dt.datetime.strptime(d, "%d %B %Y").date() for d in dates]
        assert parsed and parsed == sorted(parsed, reverse=True), path
        months = [id_ for level, id_, _ in headings(page) if level == 2]
        assert months == sorted(months, reverse=True) and {f"{d:%Y-%m}" for d in parsed} == set(months), path


def test_undated_page_is_grouped_a_to_z_without_curator_advice(files):
    page = files["timeline/undated.md"]
    letters = [text for level, _, text in headings(page) if level == 2]
    assert letters == sorted(letters, key=lambda x: (x == "#", x)) and len(letters) > 5
    assert "sources.yml" not in page


def test_reader_pages_hold_no_curator_instructions(files):
    for path, page in files.items():
        if path.endswith(".md"):
            assert "themes.yml" not in page and "sources.yml" not in page and "generator check" not in page, path


def test_overlap_is_a_table_of_theme_links(files, corpus):
    page = files["themes/index.md"]
    section = page.split("## How themes overlap", 1)[1]
    for theme in corpus.themes:
        assert f"]({theme.slug}.md) |" in section
    assert "theme-overlap.svg" not in page and "charts/theme-overlap.svg" not in files


def test_listings_are_named_by_date_not_file_name(files, corpus):
    for path, page in files.items():
        if path.startswith("papers/"):
            listings = page.split('id="listings">Listings', 1)[1].split('id="elsewhere">', 1)[0]
            assert ".txt</a>" not in listings and "&#95;" not in listings, path
    for dump in corpus.dumps:
        if dump.listing.value:
            title = headings(files[f"listings/{corpus.listing_ids[dump.name]}.md"])[0][2]
            assert title.startswith(f"Listing of {dump.listing.value.day} "), title


def test_paper_pages_carry_citation_opengraph_and_twitter_tags(files, corpus):
    paper = next(p for p in corpus.papers if p.date)
    meta = {tuple(k for k in tag if k != "content")[0] + ":" + (tag.get("name") or tag.get("property")):
            tag["content"] for tag in front(files[f"papers/{paper.slug}.md"])["head"]}
    assert meta["name:citation_title"] == paper.title
    assert meta["name:citation_publication_date"] == paper.date.value.strftime("%Y/%m/%d")
    assert meta["property:og:url"] == SITE_URL + f"papers/{paper.slug}/"
    assert meta["name:twitter:card"] == "summary"


def test_bibtex_escapes_tex_and_html(corpus):
    from dataclasses import replace

    paper = replace(corpus.papers[0], title='50% of {x} & <script>alert("#1")</script>_$')
    entry = cite.bibtex(paper, "https://example.org/p/")
    assert r"50\% of \{x\} \& <script>alert(\"\#1\")</script>\_\$".replace('\\"', '"') in entry
    assert entry.startswith("@misc{") and entry.endswith("}")


def test_hostile_title_in_meta_tags_stays_text(tmp_path):
    dump = ('Daily Papers\n\nOct 28\n\nA "quoted" <script>alert(1)</script> & title\n\n'
            "An abstract about memory.\n\n  • 3 authors\n·\nJul 19, 2023 5\n")
    corpus = load_corpus(make_corpus(tmp_path / "c", {"001_x.txt": dump}))
    files = dict(generate(corpus, SITE_URL))
    (path,) = [p for p in files if p.startswith("papers/")]
    page = files[path]
    head = page.split("---", 2)[1]
    assert "<script>" not in head and "&lt;script&gt;" in head and "&quot;quoted&quot;" in head
    assert "<script>" not in page.split('<pre id="pa-bibtex"', 1)[1].split("</pre>", 1)[0]


def test_listings_and_organizations_leave_the_top_nav_but_stay_linked(files):
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config.split("\nnav:", 1)[1].split("\n\n", 1)[0]
    assert "listings/" not in nav and "orgs/" not in nav
    assert "(listings/index.md)" in files["index.md"] and "(orgs/index.md)" in files["index.md"]


def test_feed_links_do_not_read_as_language_alternates():
    """Material fetches a sitemap.xml beside every link[rel=alternate]: the feed's must not be one."""
    html = (ROOT / "docs" / "overrides" / "main.html").read_text(encoding="utf-8")
    assert '<link rel="alternate"' not in html and html.count('<link rel="alternate feed"') == 2


def test_undated_page_entries_do_not_each_say_undated(files):
    """Each entry of the undated page said "undated" again; it shows the abstract's first sentence instead."""
    page = files["timeline/undated.md"]
    entries = re.findall(r"^<li><a href=.*<br>\n(.*)</li>$", page, re.M)
    assert entries, page[:500]
    assert not [e for e in entries if e.split(" · ")[0] == "undated"]
    assert all(e.strip() for e in entries)
