"""Atom feeds (feedgen): all papers and one per theme, the ENTRIES most
recently added to the atlas (see `recently_added`).

Each entry's `updated` is the day the paper entered the atlas (`Paper.added`,
its listing's date), its `published` the paper's own date when it has one. A
paper with neither is stamped with the epoch, never with another paper's date.

Output is deterministic (the feed's `updated` is the newest paper date, not
the build time) so a rebuild with nothing changed writes the same bytes.
"""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator

from generator.model import Paper

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Feed readers poll for what is new; the newest 100 papers per feed keep each
# feed small at any corpus size (the site and papers.json hold everything).
ENTRIES = 100


def _at(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None


def _stamp(paper: Paper) -> dt.datetime | None:
    return _at(paper.added or (paper.date.value if paper.date else None))


def recently_added(papers) -> list[Paper]:
    """Most recently added first, then newest paper date, then title; never-dated last."""
    def key(p: Paper) -> tuple:
        added = p.added.toordinal() if p.added else 0
        dated = p.date.value.toordinal() if p.date else 0
        return (-added, -dated, p.title.casefold())
    return sorted(papers, key=key)


def atom_feed(papers: list[Paper], *, title: str, subtitle: str, feed_url: str, home_url: str,
              paper_url) -> bytes:
    """`papers` in feed order (recently_added); `paper_url(paper)` gives each entry's absolute address."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=home_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language("en")
    feed.author(name="Paper Atlas")  # RFC 4287 4.1.1: a feed needs an author unless every entry has one
    stamps = [s for s in map(_stamp, papers) if s]
    updated = max(stamps, default=EPOCH)
    feed.updated(updated)
    for paper in papers[:ENTRIES]:
        entry = feed.add_entry(order="append")
        url = paper_url(paper)
        entry.id(url)
        entry.title(paper.title)
        entry.link(href=url, rel="alternate")
        entry.summary(paper.abstract)
        for name in paper.author_names:
            entry.author(name=name)
        stamp = _stamp(paper)
        entry.updated(stamp or EPOCH)
        if paper.date:
            entry.published(_at(paper.date.value))
        for match in paper.themes:
            entry.category(term=match.theme)
    return feed.atom_str(pretty=True)
