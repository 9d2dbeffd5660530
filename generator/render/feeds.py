"""Atom feeds (feedgen): all papers and one per theme, newest dated first,
the newest ENTRIES of each.

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


def _stamp(paper: Paper) -> dt.datetime | None:
    if paper.date is None:
        return None
    return dt.datetime.combine(paper.date.value, dt.time(), tzinfo=dt.UTC)


def atom_feed(papers: list[Paper], *, title: str, subtitle: str, feed_url: str, home_url: str,
              paper_url) -> bytes:
    """`papers` newest first; `paper_url(paper)` gives each entry's absolute address."""
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
        entry.updated(stamp or updated)
        if stamp:
            entry.published(stamp)
        for match in paper.themes:
            entry.category(term=match.theme)
    return feed.atom_str(pretty=True)
