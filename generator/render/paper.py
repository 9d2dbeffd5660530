"""Paper pages: one per paper, at its permanent address."""

from __future__ import annotations

from collections.abc import Iterator

from generator import addresses
from generator.model import Paper
from generator.render import escape
from generator.render.environment import date_text, render
from generator.render.index import SiteIndex


class PaperLinks(dict):
    """slug -> "[Title](slug.md) · date", the link from one paper page to another.

    A paper is linked from many others (related, previous, next); its title is
    escaped once per build instead of once per link.
    """

    def __init__(self, site: SiteIndex):
        super().__init__()
        self.site = site

    def __missing__(self, slug: str) -> str:
        paper = self.site.by_slug[slug]
        target = addresses.relative(addresses.paper(slug), addresses.paper(""))
        self[slug] = link = f"[{escape.md_text(paper.title)}]({target}) · {date_text(paper)}"
        return link


def render_paper(paper: Paper, site: SiteIndex, links: PaperLinks) -> str:
    return render("paper.md.j2", addresses.paper(paper.slug), paper=paper, themes=site.themes,
                  paper_links=links, neighbours=site.neighbours(paper), listing_path=site.listing_path)


def paper_pages(site: SiteIndex) -> Iterator[tuple[str, str]]:
    links = PaperLinks(site)
    for paper in site.corpus.papers:
        yield addresses.paper(paper.slug), render_paper(paper, site, links)
