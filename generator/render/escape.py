"""Untrusted text (titles, abstracts from dumps) -> page text that shows it as written.

This module is the one path every corpus text takes onto a page. Which
function applies depends only on where the text lands:

| where the text lands                         | function          |
| -------------------------------------------- | ----------------- |
| Markdown body (titles, names, descriptions)  | `md_text`         |
| a raw-HTML paragraph: abstract with its URLs | `md_abstract`     |
| an outbound link (a checked http(s) URL)     | `external_link`   |
| an HTML attribute or raw-HTML template slot  | `html_attr`       |
| preformatted raw HTML (`<pre>`, lines kept)  | `html_pre`        |
| YAML front matter (page title, description)  | `yaml_text`       |

Feeds and papers.json take the raw text: feedgen and json escape for their
own formats. Front matter is HTML-escaped once here because MkDocs themes
print `page.title` unescaped; docs/overrides/main.html prints the browser
tab title from it with `striptags | e`, which undoes that escape and escapes
again (so `&amp;` in a title shows as `&amp;`, never as markup).

Markdown body text:

Every character that Markdown (with this site's extensions: attr_list,
md_in_html, tables, toc) or HTML could act on inside a line is written as a
character reference, which Python-Markdown keeps as a literal character:
`<script>` shows as `<script>`, `*All*` as `*All*`, and nothing in a dump can
open a tag, an entity, a link, an emphasis, a code span, attributes or a table
cell. Characters that act only at the start of a line (`- `, `> `, `1. `) are
escaped there. Whitespace is folded to single spaces so no line break can
start a block. No template engine runs over page text (MkDocs renders
Markdown, not Jinja), so `{{ }}` is inert once `{` is escaped.

Only those characters are escaped: each reference costs Python-Markdown an
inline-pattern match, and escaping every hyphen and parenthesis made
rendering several times slower. Each match also rebuilds the text of its
block, so the cost of a block grows with the square of its text: only short
text (a title, up to limits.TITLE; a name, up to limits.NAME) is Markdown.
Text that can be long (the abstract, author names, keywords, the AI summary)
goes in a raw-HTML block (`md_abstract`, or `html_attr` in a raw `<li>` or
`<p>` of the template), which Python-Markdown copies as it is
(bench/linear.py measures both). Paper pages and the pages that list papers
are finished HTML throughout (generator/finished.py): on them every text goes
through `html_attr` (or `md_abstract`, `external_link`, which return HTML).
"""

from __future__ import annotations

import html
import re

from generator.links import find_urls

# Order matters: "&" then "#" go first, so the references written for the
# characters after them ("&#60;") are never escaped again. "#" anywhere: a
# heading's closing hashes are stripped ("# C#" would read "C").
_SPECIAL = "\\`*_{}[]<>|"
# U+0002/U+0003 delimit Python-Markdown's placeholders ("\x02klzzwxh:0\x03"): raw in
# page text they would vanish, or call up HTML stashed from elsewhere in the page.
_SPECIAL = _SPECIAL + "\x02\x03"
_REFERENCES = [("&", "&amp;"), ("#", "&#35;")] + [(ch, f"&#{ord(ch)};") for ch in _SPECIAL]
# List items, block quotes and rules open with these at the start of a line.
_LINE_START = re.compile(r"^(?:[+\-=]|\d+(?=[.)]))")


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
    """Escape what would open a block at the start of a line ("1984. A study", "- x")."""
    m = _LINE_START.match(text)
    if not m:
        return text
    if m.group()[0].isdigit():
        return m.group() + f"&#{ord(text[m.end()])};" + text[m.end() + 1:]
    return f"&#{ord(text[0])};" + text[1:]


def html_attr(text: str) -> str:
    """Text for an HTML attribute value or a template slot that prints raw HTML."""
    return html.escape(_fold(text), quote=True)


def html_pre(text: str) -> str:
    """Text for a raw-HTML <pre> block: line breaks kept, no blank line (which would
    end the HTML block for Python-Markdown), markup escaped."""
    lines = (html.escape(line, quote=True) for line in text.splitlines())
    return "\n".join(line for line in lines if line.strip())


def external_link(url: str, label: str | None = None) -> str:
    """An outbound link; `url` must already be a checked http(s) URL.

    Python-Markdown looks for `[..](..)` links before it sets inline HTML
    aside, so brackets in the href are percent-encoded (RFC 3986 allows them
    raw only around an IPv6 host, which checked URLs never have).
    """
    href = html.escape(url.replace("[", "%5B").replace("]", "%5D"), quote=True)
    return (f'<a href="{href}" class="pa-external" target="_blank" '
            f'rel="noopener noreferrer nofollow">{_escape(label or url)}</a>')


def md_abstract(text: str) -> str:
    """The abstract as one raw-HTML paragraph on one line, with its http(s) URLs as external
    links. Python-Markdown sets a raw HTML block aside whole, so its cost is linear in the
    text: written as Markdown with character references, each reference was an inline-pattern
    match that copied the rest of the text (160 kB of punctuation took three minutes)."""
    folded = _fold(text).replace("\x02", "").replace("\x03", "")  # Python-Markdown's placeholder marks
    out, pos = ["<p>"], 0
    for start, end, url in find_urls(folded):
        out += [html.escape(folded[pos:start], quote=False), external_link(url)]
        pos = end
    out += [html.escape(folded[pos:], quote=False), "</p>"]
    return "".join(out)


# Characters YAML refuses even inside quotes (C1 controls, U+FFFE/FFFF).
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def yaml_text(text: str) -> str:
    """`text` HTML-escaped, without what YAML cannot hold: a front matter value (environment.front_matter
    writes it as a JSON string, which is also a double-quoted YAML scalar)."""
    return _NOT_YAML.sub("", html_attr(text))
