"""Untrusted text (titles, abstracts from dumps) -> Markdown that shows it as text.

Everything Markdown, HTML or a template engine could act on is written as a
numeric character reference, which Python-Markdown keeps as a literal
character: `<script>` shows as `<script>`, `*All*` as `*All*`, and nothing
in a dump can open a tag, a link, an emphasis or a heading. Whitespace is
folded to single spaces so no line break can start a block.
"""

from __future__ import annotations

import html
import re

from generator.links import find_urls

_SPECIAL = "\\`*_{}[]()<>#+-!|~^=$:&\"'"
_TABLE = {ord(ch): f"&#{ord(ch)};" for ch in _SPECIAL}
_LEADING_NUMBER = re.compile(r"^(\d+)\.")
_WHITESPACE = re.compile(r"\s+")


def md_text(text: str) -> str:
    """Inline Markdown that renders exactly as `text` reads."""
    return _LEADING_NUMBER.sub(r"\1&#46;", _escape(_fold(text)))


def _fold(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _escape(text: str) -> str:
    return text.translate(_TABLE)


def html_attr(text: str) -> str:
    """Text for an HTML attribute value or a template slot that prints raw HTML."""
    return html.escape(_fold(text), quote=True)


def external_link(url: str, label: str | None = None) -> str:
    """An outbound link; `url` must already be a checked http(s) URL."""
    return (f'<a href="{html.escape(url, quote=True)}" class="pa-external" target="_blank" '
            f'rel="noopener noreferrer nofollow">{_escape(label or url)}</a>')


def md_abstract(text: str) -> str:
    """The abstract as Markdown, with its http(s) URLs as external links."""
    folded = _fold(text)
    out, pos = [], 0
    for start, end, url in find_urls(folded):
        out += [_escape(folded[pos:start]), external_link(url)]
        pos = end
    out.append(_escape(folded[pos:]))
    return _LEADING_NUMBER.sub(r"\1&#46;", "".join(out))
