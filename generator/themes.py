"""corpus/themes.yml -> themes, and each paper's themes with why it is there.

A term matches a whole word or phrase, ignoring case; spaces in a term also
match hyphens ("spiking neural" finds "spiking-neural"), and a trailing `*`
matches any word ending ("neuromorph*").

Scoring, per paper and theme (README, "Editing themes"):

- each matched term scores its weight (strong 1, weak 0.5) times
  2 if it is in the title, plus the square root of its mentions in the
  abstract (1, 1.41, 1.73... : repetition counts, less and less), plus 1 if it
  is one of the paper's keywords;
- a paper is placed in a theme when the theme's score reaches the threshold
  (default 1) AND the evidence is enough: one strong term, or two different
  weak terms. A weak term alone never places a paper, wherever it occurs;
- a paper placed in more themes than `max_themes` (default 3) keeps only its
  best-scoring ones;
- a theme's `include` list places papers by hand; its `exclude` list keeps
  papers out, whatever they score. Papers placed nowhere go to "Other".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator import incremental, yamlfile
from generator.addresses import theme_slug
from generator.errors import ThemeFileError
from generator.model import Paper, Problem, Theme, ThemeMatch

THEMES_FILE = "themes.yml"
THEME_KEYS = {"name", "description", "terms", "weak", "include", "exclude"}
TOP_KEYS = {"themes", "threshold", "max_themes"}
# Reader-facing: how curators give these papers a theme is in the README.
OTHER = Theme("other", "Other", "Papers that no theme's terms match.", ())

STRONG_WEIGHT = 1.0
WEAK_WEIGHT = 0.5
TITLE_FACTOR = 2.0  # a title mention counts twice one abstract mention
KEYWORD_FACTOR = 1.0
DEFAULT_THRESHOLD = 1.0
DEFAULT_MAX_THEMES = 3


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything corpus/themes.yml says: the themes and how placement is decided."""

    themes: tuple[Theme, ...]
    threshold: float = DEFAULT_THRESHOLD
    max_themes: int = DEFAULT_MAX_THEMES
    path: Path = Path(THEMES_FILE)


@dataclass(frozen=True, slots=True)
class Hit:
    """One term found in one paper: where and how often, and what that scores."""

    term: str
    weak: bool
    title: int = 0  # mentions in the title
    abstract: int = 0  # mentions in the abstract
    keyword: bool = False  # one of the paper's keywords holds it
    score: float = field(init=False)

    def __post_init__(self):
        weight = WEAK_WEIGHT if self.weak else STRONG_WEIGHT
        object.__setattr__(self, "score", weight * (TITLE_FACTOR * (self.title > 0) + math.sqrt(self.abstract)
                                                    + KEYWORD_FACTOR * self.keyword))


@dataclass(frozen=True, slots=True)
class Score:
    """A paper against one theme: the terms found, the score, and the verdict with its reason."""

    theme: str
    hits: tuple[Hit, ...]
    threshold: float
    value: float = field(init=False)  # the sum of the hits' scores
    strong: tuple[str, ...] = field(init=False)  # the strong terms found
    weak: tuple[str, ...] = field(init=False)  # the weak terms found
    enough: bool = field(init=False)  # one strong term or two weak ones, and the threshold reached

    def __post_init__(self):
        value = sum(h.score for h in self.hits)
        strong = tuple(h.term for h in self.hits if not h.weak)
        weak = tuple(h.term for h in self.hits if h.weak)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "strong", strong)
        object.__setattr__(self, "weak", weak)
        object.__setattr__(self, "enough", (bool(strong) or len(weak) >= 2) and value >= self.threshold - 1e-9)

    def why_not(self) -> str:
        if not self.hits:
            return "no term"
        if not self.strong and len(self.weak) < 2:
            return "one weak term only"
        return f"score {self.value:.2f} under the threshold {self.threshold:g}"

    def match(self, manual: bool = False) -> ThemeMatch:
        return ThemeMatch(self.theme, tuple(h.term for h in self.hits), self.weak, round(self.value, 2), manual)


# ---------------------------------------------------------------- loading


def load_themes(corpus: Path) -> tuple[Theme, ...]:
    return load_rules(corpus).themes


def load_rules(corpus: Path) -> Rules:
    path = corpus / THEMES_FILE
    if not path.exists():
        raise ThemeFileError(f"{path}: missing; create it with a list of themes (see README, 'Editing themes')")
    root = yamlfile.load(path, ThemeFileError)
    if root is None:
        raise ThemeFileError(f"{path}: empty; it must hold 'themes:' with at least one theme")
    top = yamlfile.expect(root, dict, "the top level", path, ThemeFileError)
    for key, value in top.items():
        if key not in TOP_KEYS:
            raise ThemeFileError(f"{path}:{value.key_line}: unknown key {key!r}; the file holds "
                                 f"{', '.join(sorted(TOP_KEYS))}")
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
    threshold = _number(top.get("threshold"), DEFAULT_THRESHOLD, path, "threshold", minimum=0.0)
    most = _number(top.get("max_themes"), DEFAULT_MAX_THEMES, path, "max_themes", minimum=1, whole=True)
    return Rules(tuple(themes), float(threshold), int(most), path)


def _number(located, default, path: Path, key: str, minimum, whole: bool = False):
    if located is None:
        return default
    value = located.value
    kind = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
        what = "a whole number" if whole else "a number"
        raise ThemeFileError(f"{path}:{located.line}: {key} must be {what} of at least {minimum:g}; "
                             f"{value!r} is not")
    return value


def _theme(entry: yamlfile.Located, path: Path) -> Theme:
    fields = yamlfile.expect(entry, dict, "each theme", path, ThemeFileError)
    for key, value in fields.items():
        if key not in THEME_KEYS:
            raise ThemeFileError(f"{path}:{value.key_line}: unknown key {key!r} in a theme; "
                                 f"use {', '.join(sorted(THEME_KEYS))}")
    for key in ("name", "description"):
        if key not in fields or fields[key].value in (None, "", []):
            raise ThemeFileError(f"{path}:{entry.line}: a theme without {key!r}; give it one")
    if all(fields.get(k) is None or fields[k].value in (None, []) for k in ("terms", "weak", "include")):
        raise ThemeFileError(f"{path}:{entry.line}: a theme without 'terms'; give it one")
    name, description = (_text(fields[key], path, key) for key in ("name", "description"))
    if theme_slug(name) == OTHER.slug:
        raise ThemeFileError(f"{path}:{fields['name'].line}: 'Other' is kept for papers no theme matches; "
                             "pick another name")
    strong = _terms(fields.get("terms"), path, "terms")
    weak = _terms(fields.get("weak"), path, "weak")
    lines = {str(t.value).strip().casefold(): t.line for k in ("terms", "weak") if fields.get(k)
             for t in fields[k].value if isinstance(fields[k].value, list)}
    for term in weak:
        if term.casefold() in {s.casefold() for s in strong}:
            raise ThemeFileError(f"{path}:{lines[term.casefold()]}: {term!r} is both a strong and a weak "
                                 "term of this theme; keep it in one list")
    include = _papers(fields.get("include"), path, "include")
    exclude = _papers(fields.get("exclude"), path, "exclude")
    for text, line in exclude:
        if text.casefold() in {t.casefold() for t, _ in include}:
            raise ThemeFileError(f"{path}:{line}: {text!r} is in both 'include' and 'exclude' of this theme; "
                                 "keep it in one list")
    return Theme(theme_slug(name), name, description, strong, weak, include, exclude)


def _text(located: yamlfile.Located, path: Path, key: str) -> str:
    """A theme's name or description: text (a number is taken as written), never a list or mapping."""
    if isinstance(located.value, bool) or not isinstance(located.value, (str, int, float)):
        raise ThemeFileError(f"{path}:{located.line}: a theme's {key!r} must be text; "
                             f"{_kind(located.value)} is not (quote it if it is meant as text)")
    return str(located.value).strip()


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _terms(located, path: Path, key: str) -> tuple[str, ...]:
    if located is None or located.value is None:
        return ()
    terms = yamlfile.expect(located, list, f"'{key}'", path, ThemeFileError)
    words = []
    for term in terms:
        if not isinstance(term.value, (str, int)) or not _WORD.search(str(term.value)):
            shown = repr(term.value) if isinstance(term.value, (str, int)) else "a nested list or mapping"
            raise ThemeFileError(f"{path}:{term.line}: a term must be a word or phrase; {shown} is not "
                                 "(punctuation alone matches nothing)")
        words.append(str(term.value).strip())
    return tuple(words)


def _papers(located, path: Path, key: str) -> tuple[tuple[str, int], ...]:
    if located is None or located.value is None:
        return ()
    items = yamlfile.expect(located, list, f"'{key}'", path, ThemeFileError)
    papers = []
    for item in items:
        if not isinstance(item.value, (str, int)) or not str(item.value).strip():
            raise ThemeFileError(f"{path}:{item.line}: each entry of '{key}' is a paper's slug or title")
        papers.append((str(item.value).strip(), item.line))
    return tuple(papers)


# ---------------------------------------------------------------- matching


class Matcher:
    """All themes' terms, counted in each paper's title, abstract and keywords.

    Each word of a paper is looked up once per build: as a one-word term, and its beginnings of the
    stems' lengths as `prefix*` terms (`terms_of_word` keeps the answer); a phrase is
    searched for (with a regex) only when all its words occur. Work per paper grows with its
    vocabulary, not with the number of terms.
    """

    def __init__(self, rules: Rules | tuple[Theme, ...]):
        self.rules = rules if isinstance(rules, Rules) else Rules(tuple(rules))
        self.themes = self.rules.themes
        # All that `scores` reads of the rules (not names, descriptions or include/exclude lists).
        self.scored_by = (tuple((t.slug, t.terms, t.weak) for t in self.themes), self.rules.threshold)
        # term -> [(theme index, weak, position in the theme's lists)]: hits are gathered per found term.
        self.owners: dict[str, list[tuple[int, bool, int]]] = {}
        for i, theme in enumerate(self.themes):
            for j, term in enumerate(theme.terms + theme.weak):
                self.owners.setdefault(term, []).append((i, j >= len(theme.terms), j))
        terms = set(self.owners)
        self.words: dict[str, list[str]] = {}  # "spiking" -> ["spiking"]
        self.prefixes: dict[str, list[str]] = {}  # "neuromorph" -> ["neuromorph*"]
        # first word -> [(term, words, regex)]
        self.phrases: dict[str, list[tuple[str, frozenset[str], re.Pattern]]] = {}
        for term in sorted(terms):
            prefix = term.endswith("*")
            words = _WORD.findall(term.rstrip("*").casefold())
            if len(words) > 1:
                whole = frozenset(words[:-1] if prefix else words)  # all must occur for the phrase to
                self.phrases.setdefault(words[0], []).append((term, whole, _phrase(words, prefix)))
            elif prefix:
                self.prefixes.setdefault(words[0], []).append(term)
            else:
                self.words.setdefault(words[0], []).append(term)
        self.stem_lengths = sorted({len(stem) for stem in self.prefixes})
        self.terms_of_word: dict[str, tuple[str, ...]] = {}  # word -> its terms (`_terms_of`), as met
        self.empty = [Score(theme.slug, (), self.rules.threshold) for theme in self.themes]

    def counts(self, text: str) -> dict[str, int]:
        """Every term found in `text`, with its number of mentions."""
        text = text.casefold()
        words = Counter(_words(text))
        found: dict[str, int] = {}
        known = self.terms_of_word
        for word, n in words.items():
            terms = known.get(word)
            if terms is None:
                terms = known[word] = self._terms_of(word)
            for term in terms:
                found[term] = found.get(term, 0) + n
        for word in words.keys() & self.phrases.keys():
            for term, whole, regex in self.phrases[word]:
                n = _count(regex, text) if whole <= words.keys() else 0
                if n:
                    found[term] = n
        return found

    def _terms_of(self, word: str) -> tuple[str, ...]:
        """The one-word and `prefix*` terms a word is a mention of (a word is looked up once per build)."""
        terms = list(self.words.get(word, ()))
        for length in self.stem_lengths:  # the stems it could start with
            if length > len(word):
                break
            terms += self.prefixes.get(word[:length], ())
        return tuple(terms)

    def scores(self, title: str, abstract: str, keywords: tuple[str, ...] = ()) -> list[Score]:
        """The paper against every theme, in the file's order (themes with no hit included)."""
        in_title = self.counts(title)
        in_abstract = self.counts(abstract)
        in_keywords = self.counts("\n".join(keywords)) if keywords else {}
        found: dict[int, list[tuple[int, Hit]]] = {}
        for term in in_title.keys() | in_abstract.keys() | in_keywords.keys():
            t, a, k = in_title.get(term, 0), in_abstract.get(term, 0), term in in_keywords
            for i, weak, position in self.owners[term]:
                found.setdefault(i, []).append((position, Hit(term, weak, t, a, k)))
        threshold = self.rules.threshold
        return [Score(theme.slug, _in_order(found[i]), threshold) if i in found else self.empty[i]
                for i, theme in enumerate(self.themes)]

    def match(self, title: str, abstract: str, keywords: tuple[str, ...] = (),
              include: frozenset[str] = frozenset(), exclude: frozenset[str] = frozenset()
              ) -> tuple[ThemeMatch, ...]:
        """The paper's themes, best first. `include`/`exclude`: slugs of themes that list the paper."""
        return place(self.scores(title, abstract, keywords), self.rules.max_themes, include, exclude)


def place(scores: list[Score], max_themes: int, include: frozenset[str] = frozenset(),
          exclude: frozenset[str] = frozenset()) -> tuple[ThemeMatch, ...]:
    """Pick a paper's themes from its scores: manual ones, then the best `max_themes` that qualify."""
    manual = [s for s in scores if s.theme in include and s.theme not in exclude] if include else []
    order = sorted((i for i, s in enumerate(scores)
                    if s.enough and s.theme not in include and s.theme not in exclude),
                   key=lambda i: (-scores[i].value, i))
    earned = [scores[i] for i in order]
    kept = [s.match(manual=True) for s in manual] + [s.match() for s in earned[:max(0, max_themes - len(manual))]]
    if not kept:
        return (ThemeMatch(OTHER.slug),)
    return tuple(kept)


_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")  # _WORD's matches in casefolded ASCII text, in 0.7-0.8 of its time


def _words(folded: str) -> list[str]:
    """The words of casefolded text."""
    return (_ASCII_WORD if folded.isascii() else _WORD).findall(folded)


def _phrase(words: list[str], prefix: bool) -> re.Pattern:
    """Words joined by spaces or hyphens; the end is a word boundary unless the last is a prefix.

    The start boundary is checked in _count: a pattern that opens with a
    literal lets the regex engine skip ahead fast, a look-behind would not.
    """
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return re.compile(body + ("" if prefix else r"(?![^\W_])"))


def _in_order(found: list[tuple[int, Hit]]) -> tuple[Hit, ...]:
    """Hits in the order of the theme's lists (strong terms first), as the file lists them."""
    if len(found) == 1:
        return (found[0][1],)
    return tuple(hit for _, hit in sorted(found, key=lambda pair: pair[0]))


def _count(regex: re.Pattern, text: str) -> int:
    return sum(1 for m in regex.finditer(text) if not m.start() or not text[m.start() - 1].isalnum())


# ---------------------------------------------------------------- assigning


def manual_lists(papers: tuple[Paper, ...], rules: Rules
                 ) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], list[Problem]]:
    """Resolve every include/exclude entry to a paper: slug -> theme slugs, and a problem per unknown entry."""
    by_slug = {p.slug: p.slug for p in papers}
    by_title = {_title_key(p.title): p.slug for p in papers}
    include: dict[str, set[str]] = {}
    exclude: dict[str, set[str]] = {}
    problems = []
    for theme in rules.themes:
        for key, entries, into in (("include", theme.include, include), ("exclude", theme.exclude, exclude)):
            for text, line in entries:
                slug = by_slug.get(text) or by_slug.get(text.strip("/").rsplit("/", 1)[-1]) \
                    or by_title.get(_title_key(text))
                if slug is None:
                    problems.append(Problem(
                        f"{rules.path}:{line}", f"theme {theme.name!r}, {key}: {text!r} is no paper in the corpus",
                        "write the paper's slug (the last part of its address, papers/<slug>/) or its exact "
                        "title, or remove the entry", kind="themes"))
                    continue
                into.setdefault(slug, set()).add(theme.slug)
    return ({k: frozenset(v) for k, v in include.items()}, {k: frozenset(v) for k, v in exclude.items()},
            problems)


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def assign(papers: tuple[Paper, ...], rules: Rules | tuple[Theme, ...]
           ) -> tuple[list[tuple[ThemeMatch, ...]], list[Problem]]:
    """Each paper's themes (in order), and the problems found in include/exclude lists."""
    matcher = Matcher(rules)
    include, exclude, problems = manual_lists(papers, matcher.rules)
    none: frozenset[str] = frozenset()
    # Scoring is the work (a paper's scores change only with its text or the themes' terms): a rebuild
    # after an edit scores only the papers it changed, unless the terms changed.
    scores = incremental.memo_each(matcher.scores, [(p.title, p.abstract, _keywords(p)) for p in papers],
                                   context=matcher.scored_by)
    matches = [place(s, matcher.rules.max_themes, include.get(p.slug, none), exclude.get(p.slug, none))
               for p, s in zip(papers, scores, strict=True)]
    return matches, problems


def _keywords(paper: Paper) -> tuple[str, ...]:
    # Paper.keywords arrives with issue 10 (the API's keywords); dumps have none.
    return getattr(paper, "keywords", ()) or ()


def without_manual_lists(text: str) -> str:
    """A themes.yml's text without its `include`/`exclude` lists (same line numbers otherwise lost).

    Those lists name papers of one corpus; a corpus made of other papers
    (the benchmark's synthetic corpora, test corpora) reuses the themes and
    their terms without them. Expects the layout of corpus/themes.yml: theme
    keys indented by four spaces, list entries and comments deeper.
    """
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if indent == 4 and body.startswith(("include:", "exclude:")):
            skipping = True
            continue
        if skipping and (indent > 4 or not body.strip()):
            continue
        skipping = False
        kept.append(line)
    return "".join(kept)
