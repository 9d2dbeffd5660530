"""Atom feeds: all papers and one per theme (the newest LIMIT of each), with autodiscovery links in every page head.

Checked on the site built from the real corpus (real_site) and on feeds made by
generate() from a tiny hand-written corpus. Expected values come from
papers.json and the built folders, never from the feed code itself.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from generator.corpus import load_corpus
from generator.render.feeds import ENTRIES as LIMIT  # newest papers per feed (commit cdba5ad)
from generator.render.index import build_index
from generator.render.site import feeds, generate
from helpers import CORPUS, make_corpus, parse_html, resolve

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml"
SITE_URL = "https://example.org/atlas/"


@pytest.fixture(scope="module")
def papers(real_site) -> dict[str, dict]:
    return {p["slug"]: p for p in json.loads((real_site / "papers.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def site_url(real_site) -> str:
    """The address the site was built for: the home page's canonical link."""
    root = parse_html((real_site / "index.html").read_text(encoding="utf-8"))
    canonical = [link.attrs["href"] for link in root.find_all("link") if link.attrs.get("rel") == "canonical"]
    assert canonical, "the home page has no canonical link"
    return canonical[0]


@pytest.fixture(scope="module")
def theme_slugs(real_site) -> list[str]:
    """Every theme that has a page in the built site."""
    slugs = sorted(p.name for p in (real_site / "themes").iterdir() if (p / "index.html").is_file())
    assert len(slugs) >= 2, slugs
    return slugs


def feed_files(real_site: Path) -> list[Path]:
    return sorted((real_site / "feeds").glob("*.xml"))


def parse_feed(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')!r}"
    assert parsed.version == "atom10", f"{path.name}: {parsed.version!r}"
    return parsed


def slug_of(url: str, site_url: str) -> str:
    """`papers/<slug>/` under site_url -> slug."""
    assert url.startswith(site_url), f"{url} is not under the site's address {site_url}"
    relative = url[len(site_url):]
    assert relative.startswith("papers/") and relative.endswith("/") and relative.count("/") == 2, url
    return relative[len("papers/"):-1]


# The feeds of the real site


def test_one_feed_for_all_papers_and_one_per_theme(real_site, theme_slugs):
    names = {p.name for p in feed_files(real_site)}
    assert names == {"all.xml"} | {f"{slug}.xml" for slug in theme_slugs}


def test_feeds_parse_without_errors_and_entries_have_title_link_id(real_site):
    for path in feed_files(real_site):
        parsed = parse_feed(path)
        assert parsed.feed.get("title"), path.name
        assert parsed.entries, f"{path.name} has no entry"
        ids = [e.get("id") for e in parsed.entries]
        assert all(ids), path.name
        assert len(set(ids)) == len(ids), f"{path.name}: duplicate entry ids"
        for entry in parsed.entries:
            assert entry.get("title", "").strip(), (path.name, entry.get("id"))
            assert entry.get("link"), (path.name, entry.get("id"))


def newest_first_key(paper: dict) -> tuple:
    """Most recently added first, then newest paper date, undated last; ties left open
    (titles decide, in the generator's own way)."""
    added = -dt.date.fromisoformat(paper["added"]).toordinal() if paper.get("added") else 0
    dated = -dt.date.fromisoformat(paper["date"]).toordinal() if paper["date"] else 0
    return (added, dated)


def check_newest_selection(feed: str, got: list[str], pool: dict[str, dict], limit: int = LIMIT) -> None:
    """`got` is the newest min(limit, len(pool)) papers of `pool`, each once."""
    assert len(got) == len(set(got)), f"{feed}: a paper is listed twice"
    assert set(got) <= set(pool), f"{feed}: entries that do not belong: {sorted(set(got) - set(pool))[:5]}"
    assert len(got) == min(limit, len(pool)), f"{feed}: {len(got)} entries for {len(pool)} papers"
    if got and len(got) < len(pool):
        oldest_in = max(newest_first_key(pool[s]) for s in got)
        newer_left_out = [s for s in set(pool) - set(got) if newest_first_key(pool[s]) < oldest_in]
        assert not newer_left_out, f"{feed}: newer papers left out: {newer_left_out[:5]}"


def test_feed_size_limit_is_sensible():
    assert 20 <= LIMIT <= 1000


def test_all_papers_feed_holds_the_newest_papers_with_their_titles(real_site, papers, site_url):
    parsed = parse_feed(real_site / "feeds" / "all.xml")
    got = [slug_of(e.link, site_url) for e in parsed.entries]
    assert len(papers) > LIMIT, "the real corpus should exercise the feed size limit"
    check_newest_selection("all", got, papers)
    for entry in parsed.entries:
        paper = papers[slug_of(entry.link, site_url)]
        assert entry.title == paper["title"]
        assert entry.id == entry.link


def test_each_theme_feed_holds_that_themes_newest_papers(real_site, papers, site_url, theme_slugs):
    for theme in theme_slugs:
        parsed = parse_feed(real_site / "feeds" / f"{theme}.xml")
        got = [slug_of(e.link, site_url) for e in parsed.entries]
        check_newest_selection(theme, got, {s: p for s, p in papers.items() if theme in p["themes"]})


def test_selection_checker_finds_a_missing_newer_paper():
    pool = {"a": {"date": "2024-01-02", "added": "2025-01-01"}, "b": {"date": "2024-01-01", "added": "2025-01-01"},
            "c": {"date": None, "added": "2025-01-01"}}
    check_newest_selection("ok", ["a", "b"], pool, limit=2)
    check_newest_selection("ok", ["b", "a", "c"], pool, limit=5)
    for bad in (["b", "c"], ["a", "c"], ["a", "a"], ["a"], ["a", "x"]):
        with pytest.raises(AssertionError):
            check_newest_selection("bad", bad, pool, limit=2)


def test_every_entry_links_to_a_built_paper_page(real_site, site_url):
    for path in feed_files(real_site):
        for entry in parse_feed(path).entries:
            page = real_site.joinpath(*urlsplit(entry.link[len(site_url):]).path.split("/")) / "index.html"
            assert entry.link.startswith(site_url) and page.is_file(), (path.name, entry.link)


@pytest.mark.parametrize("name", ["all", "themes"])
def test_entries_are_recently_added_first_with_undated_last(real_site, papers, site_url, theme_slugs, name):
    names = ["all"] if name == "all" else theme_slugs
    for feed in names:
        entries = parse_feed(real_site / "feeds" / f"{feed}.xml").entries
        keys = [newest_first_key(papers[slug_of(e.link, site_url)]) for e in entries]
        assert keys == sorted(keys), f"{feed}: entries are not most recently added first, undated last"


def test_entry_dates_are_the_papers_dates(real_site, papers, site_url):
    """Dated papers carry their date as `published`; undated ones claim none."""
    for entry in parse_feed(real_site / "feeds" / "all.xml").entries:
        date = papers[slug_of(entry.link, site_url)]["date"]
        if date:
            assert entry.get("published", "")[:10] == date, entry.link
        else:
            assert "published" not in entry, entry.link


def test_feed_updated_is_the_latest_added_date(real_site, papers):
    """Not the build time: a rebuild with nothing new must not look like news."""
    newest = max((p["added"] or p["date"]) for p in papers.values() if p["added"] or p["date"])
    assert parse_feed(real_site / "feeds" / "all.xml").feed.updated[:10] == newest


def test_feed_self_and_home_links(real_site, site_url, theme_slugs):
    for feed in ["all"] + theme_slugs:
        parsed = parse_feed(real_site / "feeds" / f"{feed}.xml")
        rels = {link.rel: link.href for link in parsed.feed.links}
        assert rels.get("self") == f"{site_url}feeds/{feed}.xml", feed
        home = rels.get("alternate", "")
        assert home.startswith(site_url), feed
        target = real_site.joinpath(*home[len(site_url):].split("/")) / "index.html"
        assert target.is_file(), (feed, home)


def _atom_problems(data: bytes) -> list[str]:
    """The MUSTs of RFC 4287 that a feed like ours can break (sections 4.1.1 and 4.1.2)."""
    root = ET.fromstring(data)
    problems = []
    if root.tag != f"{ATOM}feed":
        return [f"root element is {root.tag}"]
    for name in ("id", "title", "updated"):
        if len(root.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"feed: needs exactly one atom:{name}")
    entries = root.findall(f"{ATOM}entry")
    if not root.findall(f"{ATOM}author") and not all(e.findall(f"{ATOM}author") for e in entries):
        problems.append("feed: no atom:author, and not every entry has one (RFC 4287 4.1.1)")
    for entry in entries:
        where = (entry.findtext(f"{ATOM}id") or "?").strip()
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"{where}: needs exactly one atom:{name}")
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        if not entry.findall(f"{ATOM}content") and not alternates:
            problems.append(f"{where}: no content and no alternate link")
        for name in ("updated", "published"):
            value = entry.findtext(f"{ATOM}{name}")
            if value is not None:
                try:
                    stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
                except ValueError:
                    problems.append(f"{where}: {name} {value!r} is not an RFC 3339 date")
                else:
                    if stamp.tzinfo is None:
                        problems.append(f"{where}: {name} {value!r} has no time zone")
    return problems


def test_feeds_meet_the_atom_requirements(real_site):
    """Valid Atom, not just well-formed XML: RFC 4287's required elements."""
    problems = {p.name: _atom_problems(p.read_bytes()) for p in feed_files(real_site)}
    problems = {name: found[:3] for name, found in problems.items() if found}
    assert not problems, problems


def test_atom_checker_finds_missing_elements():
    bad = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
           b"<entry><id>x</id><title>t</title><updated>2020-01-01</updated></entry></feed>")
    found = " ".join(_atom_problems(bad))
    assert "atom:id" in found and "atom:updated" in found and "author" in found
    assert "no content and no alternate link" in found and "no time zone" in found


# Autodiscovery


def feed_links(page: Path) -> list[str]:
    """href of each Atom autodiscovery <link> in the page's head: rel holds the token
    "alternate" (it is "alternate feed", so Material does not read it as a language version)."""
    text = page.read_text(encoding="utf-8")
    head = parse_html(text[:text.find("</head>")])
    return [link.attrs.get("href", "") for link in head.find_all("link")
            if "alternate" in link.attrs.get("rel", "").split() and link.attrs.get("type") == ATOM_TYPE]


def resolved(site: Path, page: Path, hrefs: list[str]) -> list[str]:
    return [resolve(site, page, href)[0].relative_to(site).as_posix() for href in hrefs]


def test_home_page_head_announces_the_all_papers_feed(real_site):
    page = real_site / "index.html"
    assert resolved(real_site, page, feed_links(page)) == ["feeds/all.xml"]
    assert (real_site / "feeds" / "all.xml").is_file()


def test_theme_page_head_announces_its_own_feed(real_site, theme_slugs):
    for theme in theme_slugs:
        page = real_site / "themes" / theme / "index.html"
        targets = resolved(real_site, page, feed_links(page))
        assert sorted(targets) == sorted(["feeds/all.xml", f"feeds/{theme}.xml"]), theme
        assert all((real_site / t).is_file() for t in targets)


def test_theme_feed_link_is_titled_with_the_theme(real_site, theme_slugs):
    theme = theme_slugs[0]
    page = real_site / "themes" / theme / "index.html"
    text = page.read_text(encoding="utf-8")
    head = parse_html(text[:text.find("</head>")])
    h1 = parse_html(text).find("h1").text().replace("¶", "").strip()
    titles = [link.attrs.get("title", "") for link in head.find_all("link")
              if link.attrs.get("type") == ATOM_TYPE and link.attrs.get("href", "").endswith(f"{theme}.xml")]
    assert titles and h1 in titles[0], (titles, h1)


def test_every_page_announces_the_all_papers_feed(real_site):
    missing = []
    for page in sorted(real_site.rglob("*.html")):
        if page.name == "404.html":
            continue
        if "feeds/all.xml" not in resolved(real_site, page, feed_links(page)):
            missing.append(page.relative_to(real_site).as_posix())
    assert not missing, missing[:10]


def test_only_theme_pages_announce_a_theme_feed(real_site):
    for page in [real_site / "index.html", real_site / "browse" / "index.html", real_site / "themes" / "index.html"]:
        assert resolved(real_site, page, feed_links(page)) == ["feeds/all.xml"], page


# Feeds made by generate() from a tiny corpus

HOSTILE_TITLE = '<script>alert(1)</script> & "quotes"'
HOSTILE_ABSTRACT = "Associative memory with hopfield layers <img src=x onerror=alert(2)> & ]]> <![CDATA[ x."
TINY_DUMP = f"""\
Daily Papers

Oct 28

{HOSTILE_TITLE}

{HOSTILE_ABSTRACT}

  • 3 authors
·
Jul 19, 2023 5

An Older Spiking Paper

Spiking neural networks on neuromorphic chips.

  • 2 authors
·
Mar 2, 2021 1

An Undated Memory Paper

Working memory in transformers.

A Newest Memory Paper

Episodic memory for agents.

  • 4 authors
·
Feb 1, 2024 0
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    corpus = load_corpus(make_corpus(tmp_path_factory.mktemp("feeds") / "corpus", {"001_tiny.txt": TINY_DUMP}))
    assert len(corpus.papers) == 4, [p.title for p in corpus.papers]
    return corpus


@pytest.fixture(scope="module")
def tiny_feeds(tiny) -> dict[str, bytes]:
    return {path: data for path, data in generate(tiny, SITE_URL) if path.startswith("feeds/")}


def test_hostile_title_is_the_exact_entry_title(tiny_feeds):
    parsed = feedparser.parse(tiny_feeds["feeds/all.xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = [e.title for e in parsed.entries]
    assert HOSTILE_TITLE in titles, titles
    # The same without feedparser's help: the XML text node is the title, with no markup inside.
    root = ET.fromstring(tiny_feeds["feeds/all.xml"])
    entry = next(e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == HOSTILE_TITLE)
    assert list(entry.find(f"{ATOM}title")) == []
    assert entry.find(f"{ATOM}title").get("type", "text") == "text"


def test_hostile_abstract_is_text_in_the_summary(tiny, tiny_feeds):
    paper = next(p for p in tiny.papers if p.title == HOSTILE_TITLE)
    root = ET.fromstring(tiny_feeds["feeds/all.xml"])
    entry = next(e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == HOSTILE_TITLE)
    summary = entry.find(f"{ATOM}summary")
    assert summary is not None and list(summary) == []
    assert summary.get("type", "text") == "text"
    assert summary.text == paper.abstract
    assert "onerror" in summary.text  # still there, as text


def test_tiny_feed_order_and_links(tiny_feeds):
    parsed = feedparser.parse(tiny_feeds["feeds/all.xml"])
    # One listing: added the same day, so the papers' own dates order them, undated last.
    assert [e.title for e in parsed.entries] == [
        "A Newest Memory Paper", HOSTILE_TITLE, "An Older Spiking Paper", "An Undated Memory Paper"]
    for entry in parsed.entries:
        assert entry.link.startswith(SITE_URL + "papers/") and entry.link.endswith("/")
    assert parsed.feed.updated.startswith("2025-10-28")  # the day the listing was saved (added)


def test_tiny_theme_feeds_follow_the_themes(tiny, tiny_feeds):
    for theme in tiny.themes:
        parsed = feedparser.parse(tiny_feeds[f"feeds/{theme.slug}.xml"])
        assert not parsed.bozo, theme.slug
        expected = {p.title for p in tiny.papers if theme.slug in {m.theme for m in p.themes}}
        assert {e.title for e in parsed.entries} == expected, theme.slug


def test_site_url_without_trailing_slash_makes_the_same_links(tiny, tiny_feeds):
    again = dict((p, d) for p, d in generate(tiny, SITE_URL.rstrip("/")) if p.startswith("feeds/"))
    assert again == tiny_feeds


def test_feed_bytes_are_identical_across_two_runs(tiny, tiny_feeds):
    again = {path: data for path, data in generate(tiny, SITE_URL) if path.startswith("feeds/")}
    assert set(again) == set(tiny_feeds)
    changed = sorted(path for path in again if again[path] != tiny_feeds[path])
    assert not changed, changed


def test_real_corpus_feeds_are_identical_across_two_runs():
    """The feeds alone (render.site.feeds), rendered twice from two readings of the corpus."""
    first = dict(feeds(build_index(load_corpus(CORPUS, with_related=False)), SITE_URL))
    second = dict(feeds(build_index(load_corpus(CORPUS, with_related=False)), SITE_URL))
    assert first.keys() == second.keys()
    assert not [p for p in first if first[p] != second[p]]
