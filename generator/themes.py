"""corpus/themes.yml -> themes, and each paper's themes with the terms that matched.

A term matches a whole word or phrase in the title or abstract, ignoring case;
spaces in a term also match hyphens ("spiking neural" finds "spiking-neural"),
and a trailing `*` matches any word ending ("neuromorph*"). A paper that no
theme's terms match goes to the "Other" theme.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from generator import yamlfile
from generator.addresses import theme_slug
from generator.errors import ThemeFileError
from generator.model import Paper, Theme, ThemeMatch

THEMES_FILE = "themes.yml"
THEME_KEYS = {"name", "description", "terms"}
OTHER = Theme("other", "Other", "Papers that no theme's terms match. Add terms to corpus/themes.yml "
              "to give them a home.", ())


def load_themes(corpus: Path) -> tuple[Theme, ...]:
    path = corpus / THEMES_FILE
    if not path.exists():
        raise ThemeFileError(f"{path}: missing; create it with a list of themes (see README, 'Editing themes')")
    root = yamlfile.load(path, ThemeFileError)
    if root is None:
        raise ThemeFileError(f"{path}: empty; it must hold 'themes:' with at least one theme")
    top = yamlfile.expect(root, dict, "the top level", path, ThemeFileError)
    for key, value in top.items():
        if key != "themes":
            raise ThemeFileError(f"{path}:{value.key_line}: unknown key {key!r}; the file holds only 'themes:'")
    if "themes" not in top:
        raise ThemeFileError(f"{path}:{root.line}: no 'themes:' list; add one")
    entries = yamlfile.expect(top["themes"], list, "'themes'", path, ThemeFileError)
    themes: list[Theme] = []
    for entry in entries:
        theme = _theme(entry, path)
        for seen in themes:
            if seen.slug == theme.slug:
                raise ThemeFileError(f"{path}:{entry.line}: duplicate theme {theme.name!r} "
                                     f"(same address as {seen.name!r}); merge them or rename one")
        themes.append(theme)
    if not themes:
        raise ThemeFileError(f"{path}:{root.line}: 'themes' is empty; add at least one theme")
    return tuple(themes)


def _theme(entry: yamlfile.Located, path: Path) -> Theme:
    fields = yamlfile.expect(entry, dict, "each theme", path, ThemeFileError)
    for key, value in fields.items():
        if key not in THEME_KEYS:
            raise ThemeFileError(f"{path}:{value.key_line}: unknown key {key!r} in a theme; "
                                 f"use {', '.join(sorted(THEME_KEYS))}")
    for key in ("name", "description", "terms"):
        if key not in fields or fields[key].value in (None, "", []):
            raise ThemeFileError(f"{path}:{entry.line}: a theme without {key!r}; give it one")
    name = str(fields["name"].value).strip()
    if theme_slug(name) == OTHER.slug:
        raise ThemeFileError(f"{path}:{fields['name'].line}: 'Other' is kept for papers no theme matches; "
                             "pick another name")
    terms = yamlfile.expect(fields["terms"], list, "'terms'", path, ThemeFileError)
    words = []
    for term in terms:
        if not isinstance(term.value, (str, int)) or not _WORD.search(str(term.value)):
            shown = repr(term.value) if isinstance(term.value, (str, int)) else "a nested list or mapping"
            raise ThemeFileError(f"{path}:{term.line}: a term must be a word or phrase; {shown} is not "
                                 "(punctuation alone matches nothing)")
        words.append(str(term.value).strip())
    return Theme(theme_slug(name), name, str(fields["description"].value).strip(), tuple(words))


class Matcher:
    """All themes' terms, matched with set operations on each paper's words.

    A paper's distinct words are intersected with the one-word terms; `prefix*`
    terms are looked up in the sorted words by bisection; a phrase is searched
    for (with a regex) only when its first word occurs. Work per paper grows
    with its vocabulary, not with the number of terms.
    """

    def __init__(self, themes: tuple[Theme, ...]):
        self.themes = themes
        owners: dict[str, list[str]] = {}
        for theme in themes:
            for term in theme.terms:
                owners.setdefault(term, []).append(theme.slug)
        self.owners = owners
        self.words: dict[str, list[str]] = {}  # "spiking" -> ["spiking"]
        self.prefixes: dict[str, list[str]] = {}  # "neuromorph" -> ["neuromorph*"]
        self.phrases: dict[str, list[tuple[str, re.Pattern]]] = {}  # first word -> [(term, regex)]
        for term in owners:
            prefix = term.endswith("*")
            words = _WORD.findall(term.rstrip("*").casefold())
            if len(words) > 1:
                self.phrases.setdefault(words[0], []).append((term, _phrase(words, prefix)))
            elif prefix:
                self.prefixes.setdefault(words[0], []).append(term)
            else:
                self.words.setdefault(words[0], []).append(term)

    def match(self, title: str, abstract: str) -> tuple[ThemeMatch, ...]:
        text = f"{title}\n{abstract}".casefold()
        vocabulary = set(_WORD.findall(text))
        hits: set[str] = set()
        for word in vocabulary & self.words.keys():
            hits.update(self.words[word])
        ordered = sorted(vocabulary)  # words sharing a stem sort right after it
        for stem, terms in self.prefixes.items():
            i = bisect.bisect_left(ordered, stem)
            if i < len(ordered) and ordered[i].startswith(stem):
                hits.update(terms)
        for word in vocabulary & self.phrases.keys():
            hits.update(term for term, regex in self.phrases[word] if _found(regex, text))
        if not hits:
            return (ThemeMatch(OTHER.slug),)
        found: dict[str, list[str]] = {}
        for term in hits:
            for slug in self.owners[term]:
                found.setdefault(slug, []).append(term)
        return tuple(ThemeMatch(th.slug, tuple(t for t in th.terms if t in found[th.slug]))
                     for th in self.themes if th.slug in found)


_WORD = re.compile(r"[^\W_]+")


def _phrase(words: list[str], prefix: bool) -> re.Pattern:
    """Words joined by spaces or hyphens; the end is a word boundary unless the last is a prefix.

    The start boundary is checked in _found: a pattern that opens with a
    literal lets the regex engine skip ahead fast, a look-behind would not.
    """
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return re.compile(body + ("" if prefix else r"(?![^\W_])"))


def _found(regex: re.Pattern, text: str) -> bool:
    for m in regex.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        if not (before.isalnum()):
            return True
    return False


def assign(papers: tuple[Paper, ...], themes: tuple[Theme, ...]) -> list[tuple[ThemeMatch, ...]]:
    matcher = Matcher(themes)
    return [matcher.match(p.title, p.abstract) for p in papers]
