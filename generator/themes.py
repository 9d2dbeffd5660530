"""corpus/themes.yml -> themes, and each paper's themes with the terms that matched.

A term matches a whole word or phrase in the title or abstract, ignoring case;
spaces in a term also match hyphens ("spiking neural" finds "spiking-neural"),
and a trailing `*` matches any word ending ("neuromorph*"). A paper that no
theme's terms match goes to the "Other" theme.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator import yamlfile
from generator.errors import ThemeFileError
from generator.model import Paper, Theme, ThemeMatch
from generator.slugs import plain_slug

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
            raise ThemeFileError(f"{path}:{value.line}: unknown key {key!r}; the file holds only 'themes:'")
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
            raise ThemeFileError(f"{path}:{value.line}: unknown key {key!r} in a theme; "
                                 f"use {', '.join(sorted(THEME_KEYS))}")
    for key in ("name", "description", "terms"):
        if key not in fields or fields[key].value in (None, "", []):
            raise ThemeFileError(f"{path}:{entry.line}: a theme without {key!r}; give it one")
    name = str(fields["name"].value).strip()
    if plain_slug(name) == OTHER.slug:
        raise ThemeFileError(f"{path}:{fields['name'].line}: 'Other' is kept for papers no theme matches; "
                             "pick another name")
    terms = yamlfile.expect(fields["terms"], list, "'terms'", path, ThemeFileError)
    words = []
    for term in terms:
        if not isinstance(term.value, (str, int)) or not str(term.value).strip("* "):
            raise ThemeFileError(f"{path}:{term.line}: a term must be a word or phrase")
        words.append(str(term.value).strip())
    return Theme(plain_slug(name), name, str(fields["description"].value).strip(), tuple(words))


class Matcher:
    """All themes' terms, matched in one pass over each paper's words.

    Terms are looked up by their first word (or, for `prefix*` terms, by the
    first letters of a word), so the cost per paper grows with its length, not
    with the number of terms.
    """

    def __init__(self, themes: tuple[Theme, ...]):
        self.themes = themes
        self.owners: dict[str, list[str]] = {}
        self.by_first: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
        self.prefix_lengths: set[int] = set()
        for theme in themes:
            for term in theme.terms:
                self.owners.setdefault(term, []).append(theme.slug)
        for term in self.owners:
            prefix = term.endswith("*")
            words = tuple(_WORD.findall(term.rstrip("*").casefold()))
            key = words[0]
            if prefix and len(words) == 1:
                self.prefix_lengths.add(len(key))
            self.by_first.setdefault(key, []).append((words, prefix, term))

    def match(self, title: str, abstract: str) -> tuple[ThemeMatch, ...]:
        text = f"{title}\n{abstract}"
        tokens = [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]
        found: dict[str, dict[str, None]] = {}
        for i, (word, _, _) in enumerate(tokens):
            for key in (word, *(word[:n] for n in self.prefix_lengths if len(word) > n)):
                for words, prefix, term in self.by_first.get(key, ()):
                    if _matches_at(tokens, i, words, prefix, text):
                        for slug in self.owners[term]:
                            found.setdefault(slug, {})[term] = None
        if not found:
            return (ThemeMatch(OTHER.slug),)
        return tuple(ThemeMatch(th.slug, tuple(t for t in th.terms if t in found[th.slug]))
                     for th in self.themes if th.slug in found)


_WORD = re.compile(r"[^\W_]+")
_JOINER = re.compile(r"[\s\-]+")


def _matches_at(tokens, i: int, words: tuple[str, ...], prefix: bool, text: str) -> bool:
    """Do the term's words stand at token i, joined only by spaces or hyphens?"""
    if i + len(words) > len(tokens):
        return False
    for k, expected in enumerate(words):
        word, start, _ = tokens[i + k]
        last = k == len(words) - 1
        if not (word.startswith(expected) if prefix and last else word == expected):
            return False
        if k and not _JOINER.fullmatch(text, tokens[i + k - 1][2], start):
            return False
    return True


def assign(papers: tuple[Paper, ...], themes: tuple[Theme, ...]) -> list[tuple[ThemeMatch, ...]]:
    matcher = Matcher(themes)
    return [matcher.match(p.title, p.abstract) for p in papers]
