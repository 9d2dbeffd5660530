"""Raw-HTML pieces that many generated pages repeat: headings, a paper in a list, why a paper is in a theme,
the part of a paper page Pagefind indexes. Pure functions of their arguments, called from the templates
(render/environment.py makes them globals).

They were Jinja macros; as Python, paper pages render in 5.2 s instead of 7.3 s at 10,000 papers (a macro
call builds a Jinja context and a frame). Long lists of papers are raw
HTML blocks in the Markdown pages (Python-Markdown copies such a block as it is, in time linear in its length)
and paper pages are HTML throughout. Links are `href(target)` (the calling page's, checked by
generator/finished.py); every text from the corpus goes through `escape.html_attr` (or `md_abstract`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from generator import addresses
from generator.model import Paper, ThemeMatch
from generator.render.escape import html_attr, md_abstract
from generator.render.index import first_sentence


def long_date(value: dt.date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def month_name(value: dt.date) -> str:
    return f"{calendar.month_name[value.month]} {value.year}"


def date_text(paper: Paper) -> str:
    if paper.date is None:
        return "undated"
    return long_date(paper.date.value) + (" (year inferred)" if paper.date.inferred else "")


def heading(level: int, id_: str, text: str, extra: str = "") -> str:
    """A heading with the id and permalink Python-Markdown's toc extension gives it (see finished.py).
    `text` is HTML (escaped by the caller); `extra`, more attributes."""
    return (f'<h{level}{extra} id="{id_}">{text}<a class="headerlink" href="#{id_}" title="Permanent link">'
            f'&para;</a></h{level}>')


_NOT_INDEXED = ' data-pagefind-ignore="index"'  # the Abstract heading: not part of the paper's text


def indexed(title: str, abstract: str, ids: dict[str, str], plain_forms: str, facts: str = "") -> str:
    """What Pagefind indexes of a paper's page: its title, its abstract and the plain forms of its mixed-case
    words. The page puts its facts (HTML that Pagefind ignores) after the title; Pagefind's stand-in of the
    page (render/paper.py, indexed_body) has none, and gives the same index."""
    hidden = f'<p class="pa-plain-forms" hidden>{html_attr(plain_forms)}</p>\n' if plain_forms else ""
    return (f'<div data-pagefind-body>\n{heading(1, ids["title"], html_attr(title))}\n{facts}'
            f'{heading(2, ids["abstract"], "Abstract", _NOT_INDEXED)}\n'
            f'{md_abstract(abstract)}\n{hidden}</div>\n')


def paper_li(paper: Paper, href: Callable[[str], str], show_sentence: bool = True, show_date: bool = True,
             why: str = "") -> str:
    """A paper in a list: its title, then its date (left out where the list says it: the undated page),
    upvotes and the abstract's first sentence; `why` (HTML), if given, on a line of its own."""
    facts = [date_text(paper)] if show_date else []
    if paper.upvotes is not None:
        facts.append(f'{paper.upvotes} upvote{"" if paper.upvotes == 1 else "s"}')
    if show_sentence:
        facts.append(html_attr(first_sentence(paper.abstract)))
    out = f'<li><a href="{href(addresses.paper(paper.slug))}">{html_attr(paper.title)}</a>'
    if facts:
        out += "<br>\n" + " · ".join(facts)
    if why:
        out += "<br>\nWhy here: " + why
    return out + "</li>"


def terms(match: ThemeMatch) -> str:
    """The terms that placed a paper in a theme, weak ones marked."""
    weak = () if match.weak else match.weak_terms
    return ", ".join(f"<em>{html_attr(term)}</em>" + (" (weak)" if term in weak else "") for term in match.terms)


def why(match: ThemeMatch) -> str:
    """Why a paper is in a theme: the terms that matched, or "placed by hand"."""
    if match.manual:
        also = f"; it also matched {terms(match)}" if match.terms else ""
        return f"placed by hand (the theme's include list){also}"
    if match.weak:
        return f"matched weak terms only: {terms(match)} · score {match.score:.2f}"
    if match.terms:
        return f"matched {terms(match)} · score {match.score:.2f}"
    return "no theme's terms placed it"


def why_in(paper: Paper, theme: str) -> str:
    """Why `paper` is in the theme of slug `theme`."""
    return why(next(match for match in paper.themes if match.theme == theme))
