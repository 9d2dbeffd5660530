"""URLs inside abstracts. Only http and https count; trailing sentence
punctuation and unbalanced closing brackets are not part of the URL."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Braces, quotes and angle brackets cannot stand in a URL unescaped (RFC 3986),
# so they end it: "https://x.io/a{Project}" is a LaTeX leftover, not a path.
URL = re.compile(r"https?://[^\s<>\"'{}\\^`|]+", re.IGNORECASE)
_TRAILING = ".,;:!?*"
_PAIRS = {")": "(", "]": "["}


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of each http(s) URL in `text`, in order."""
    found = []
    for m in URL.finditer(text):
        url = _trim(m.group())
        if _valid(url):
            found.append((m.start(), m.start() + len(url), url))
    return found


def checked_url(value: object) -> str | None:
    """`value` if it is exactly one http(s) URL with a real host (API link fields), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = URL.fullmatch(text)
    return text if m and _trim(text) == text and _valid(text) else None


def extract_links(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(url for _, _, url in find_urls(text)))


def _trim(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z][a-z0-9-]*$|^\d{1,3}(?:\.\d{1,3}){3}$")


def _valid(url: str) -> bool:
    """http(s) with a real host name (a.b) or IPv4 address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host and _HOST.match(host))


# Where code lives: a link to one of these from an abstract means "with code".
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co", "sourceforge.net")


def is_code(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in CODE_HOSTS)
