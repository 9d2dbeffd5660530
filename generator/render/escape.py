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

# Order matters: "&" then "#" go first, so the references written for the
# characters after them ("&#60;") are never escaped again.
_SPECIAL = "\\`*_{}[]()<>+-!|~^=$:\"'"
_REFERENCES = [("&", "&amp;"), ("#", "&#35;")] + [(ch, f"&#{ord(ch)};") for ch in _SPECIAL]
_LEADING_NUMBER = re.compile(r"^(\d+)\.")


def md_text(text: str) -> str:
    """Inline Markdown that renders exactly as `text` reads."""
    return _no_list(_escape(_fold(text)))


def _fold(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    # Chained str.replace: one C-speed pass per character, far faster than translate().
    for ch, reference in _REFERENCES:
        if ch in text:
            text = text.replace(ch, reference)
    return text


def _no_list(text: str) -> str:
    # "1984. A study" at the start of a line would open an ordered list.
    return _LEADING_NUMBER.sub(r"\1&#46;", text) if text[:1].isdigit() else text


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
    return _no_list("".join(out))
