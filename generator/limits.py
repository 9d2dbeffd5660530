"""How long each text field may be (characters), and the rule for going over.

Every text that reaches a page has a bound, so the cost of a build stays
linear in the size of the corpus whatever a dump or an API answer holds (one
160 kB abstract of punctuation once took Python-Markdown three minutes). The
real dumps stay far below: titles up to ~210 characters, abstracts up to ~1,950.

Over the limit:
* a title or an abstract (of a dump record or an API item): the record is
  rejected with its place and the reason; a dump line that long is a broken
  dump, not a paper;
* an organization name in a dump: the record is rejected the same way;
* an API item's author names, keywords, organization or AI summary: that
  field is left out, with a problem line; the paper keeps its page.
"""

from __future__ import annotations

TITLE = 2_000
ABSTRACT = 20_000
NAME = 300  # an organization, an author, a keyword
SUMMARY = 5_000  # the API's AI-written summary
NAMES = 500  # author names or keywords of one paper


def over(what: str, text: str, limit: int) -> str | None:
    """Why `text` is refused as `what`, or None when it fits."""
    if len(text) <= limit:
        return None
    return f"{what} is {len(text):,} characters long, over the limit of {limit:,} (is the dump broken here?)"
