"""Paper identity and permanent addresses.

identity_key: the title with case, punctuation, spacing and invisible format
characters folded, so "Fast & Slow" and "fast  slow" are one paper.

paper_slug: a pure function of the identity key, so neither adding dumps nor
a title variant (`Don't` / `Don’t`, whichever dump came first) moves a page.
Most titles give python-slugify's slug of their key. When that slug cannot
tell titles apart (it dropped or transliterated characters, or was cut at the
length limit) a short hash of the identity key is appended. Two different
papers whose hashed slugs still meet (a 32-bit collision, which can be crafted)
both get a longer hash (merge.unique_slugs): never an error, and the same
addresses whatever order the papers arrive in.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from slugify import slugify

MAX_LENGTH = 80
HASH_LENGTH = 8
_WORD = re.compile(r"[^\W_]+")
_HASHED = re.compile(rf"-[0-9a-f]{{{HASH_LENGTH}}}$")


@functools.lru_cache(maxsize=1 << 16)  # (a title is keyed once per record and once per paper)
def identity_key(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    if not text.isascii():  # (no ASCII character is a format character)
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # A title of symbols only (emoji...) is its own key rather than "".
    return " ".join(_WORD.findall(text)) or " ".join(text.split())


LONGER_HASHES = (16, 40)  # for the papers of a collision, in turn


def paper_slug(title: str, hash_length: int = HASH_LENGTH) -> str:
    key = identity_key(title)
    slug = _slugify(key)
    # A plain slug must not look like a hashed one, or a title made of another
    # title's hashed slug would take its address; and "index" is the folder's
    # own page (papers/index.md is served at papers/, not papers/index/).
    if (slug and len(slug) <= MAX_LENGTH and slug.replace("-", " ") == key and not _HASHED.search(slug)
            and slug != "index"):
        return slug
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:hash_length]
    return f"{_cut(slug, MAX_LENGTH - hash_length - 1) or 'paper'}-{digest}"


def _cut(slug: str, limit: int) -> str:
    """The slug's leading words that fit in `limit` characters (a long word is cut)."""
    if len(slug) <= limit:
        return slug
    head = slug[:limit + 1]
    return head.rsplit("-", 1)[0] if "-" in head else slug[:limit]


def plain_slug(text: str) -> str:
    """Slug for names we control (themes, organizations)."""
    return _cut(_slugify(text), MAX_LENGTH) or "x"


def _slugify(text: str) -> str:
    # Titles are plain text: "&amp;" is five characters, not an HTML entity to decode.
    return slugify(text, entities=False, decimal=False, hexadecimal=False)
