"""Tools for the curator of corpus/themes.yml: a review of each theme, and suggested terms.

`review` reports, per theme, its size, its weakest placements (lowest
scores, single-term and weak-only placements), its near misses (papers that
scored but were not placed, and why) and the terms that match no paper.
`suggest` proposes terms for a group of papers (those in Other, or in a named
theme) from what distinguishes them from the rest (TF-IDF). Plain text out,
no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import themes as theme_rules
from generator.model import Corpus, Paper, Theme

SHOWN = 5  # rows per list in the review


@dataclass(frozen=True, slots=True)
class Row:
    paper: Paper
    score: float
    terms: str  # "a, b (weak)"
    note: str


def review(corpus: Corpus, rules: theme_rules.Rules, shown: int = SHOWN) -> str:
    return "\n".join(_review_lines(corpus, rules, shown)) + "\n"


def _review_lines(corpus: Corpus, rules: theme_rules.Rules, shown: int):
    matcher = theme_rules.Matcher(rules)
    papers = corpus.papers
    scores = {p.slug: {s.theme: s for s in matcher.scores(p.title, p.abstract, _keywords(p))} for p in papers}
    placed = {p.slug: {m.theme: m for m in p.themes} for p in papers}
    found_terms = {term for p in papers
                   for text in (p.title, p.abstract, "\n".join(_keywords(p)))
                   for term in matcher.counts(text)}
    n = max(len(papers), 1)
    yield f"Theme review: {rules.path} ({len(papers)} papers; threshold {rules.threshold:g}, " \
          f"at most {rules.max_themes} themes a paper)"
    yield ("A term scores its weight (strong 1, weak 0.5) x (2 in the title + square root of its abstract "
           "mentions + 1 in a keyword);")
    yield "a paper needs one strong or two weak terms and the threshold. Lists show the lowest scores first."
    for theme in rules.themes:
        members = [p for p in papers if theme.slug in placed[p.slug]]
        manual = [p for p in members if placed[p.slug][theme.slug].manual]
        weak = [p for p in members if placed[p.slug][theme.slug].weak]
        yield ""
        yield (f"{theme.name}: {len(members)} papers ({len(members) / n:.1%}); {len(manual)} placed by hand, "
               f"{len(weak)} on weak terms only")
        earned = sorted((p for p in members if p not in manual),
                        key=lambda p: (placed[p.slug][theme.slug].score, len(placed[p.slug][theme.slug].terms),
                                       p.slug))
        yield "  weakest placements:"
        yield from _rows([_row(p, scores[p.slug][theme.slug], _placed_note(placed[p.slug][theme.slug]))
                          for p in earned[:shown]])
        misses = [p for p in papers if theme.slug not in placed[p.slug] and scores[p.slug][theme.slug].hits]
        misses.sort(key=lambda p: (-scores[p.slug][theme.slug].value, p.slug))
        yield "  near misses (scored here, not placed):"
        yield from _rows([_row(p, scores[p.slug][theme.slug], _miss_note(theme, p, scores[p.slug][theme.slug],
                                                                            placed[p.slug], rules))
                          for p in misses[:shown]])
        unused = [t for t in theme.terms + theme.weak if t not in found_terms]
        yield "  terms matching nothing: " + (", ".join(unused) if unused else "none")
    other = [p for p in papers if theme_rules.OTHER.slug in placed[p.slug]]
    yield ""
    yield f"Other: {len(other)} papers ({len(other) / n:.1%}); keep it under 10% " \
          "(python -m generator themes --suggest proposes terms for them)"


def _row(paper: Paper, score: theme_rules.Score, note: str) -> Row:
    terms = ", ".join(f"{h.term} (weak)" if h.weak else h.term for h in score.hits)
    return Row(paper, score.value, terms, note)


def _rows(rows: list[Row]):
    if not rows:
        yield "    none"
    for row in rows:
        yield f"    {row.score:5.2f}  {row.paper.slug}  [{row.terms}]" + (f"  {row.note}" if row.note else "")


def _placed_note(match) -> str:
    if match.weak:
        return "weak terms only"
    if len(match.terms) == 1:
        return "single term"
    return ""


def _miss_note(theme: Theme, paper: Paper, score: theme_rules.Score, placed: dict, rules: theme_rules.Rules) -> str:
    if any(_refers(text, paper) for text, _ in theme.exclude):
        return "excluded by hand"
    if score.enough:
        return f"not among its best {rules.max_themes} themes"
    return score.why_not()


def _refers(text: str, paper: Paper) -> bool:
    return text == paper.slug or " ".join(text.casefold().split()) == " ".join(paper.title.casefold().split())


def _keywords(paper: Paper) -> tuple[str, ...]:
    return theme_rules._keywords(paper)


# ---------------------------------------------------------------- suggestions


@dataclass(frozen=True, slots=True)
class Suggestion:
    term: str
    weight: float  # chi-squared association of the term's TF-IDF with the group
    inside: int  # papers of the group that hold the term
    outside: int  # papers outside the group that hold it
    home: str  # the theme holding most of the papers outside that hold it ("" if none)


def suggest(corpus: Corpus, rules: theme_rules.Rules, theme: str | None = None, count: int = 15
            ) -> tuple[str, list[Suggestion]]:
    """Terms that distinguish a group of papers: those in Other, or in `theme` (slug or name).

    Returns the group's name and the suggestions, best first. Papers are
    TF-IDF vectors of words and two-word phrases (title counted twice, then
    abstract); a term is ranked by its chi-squared association with the group
    (scikit-learn's `chi2`), kept only when it is more frequent in the group
    than outside and found in two of its papers at least. A term the theme
    already matches (for Other: any theme) is left out. Deterministic.
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.feature_selection import chi2

    slug = _theme_slug(theme, corpus) if theme else theme_rules.OTHER.slug
    name = next(t.name for t in corpus.themes if t.slug == slug)
    papers = corpus.papers
    group = np.array([slug in {m.theme for m in p.themes} for p in papers], dtype=bool)
    if len(papers) < 3 or not group.any() or group.all():
        return name, []
    texts = [f"{p.title}. {p.title}. {p.abstract}" for p in papers]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", min_df=2, sublinear_tf=True,
                                 token_pattern=r"(?u)\b[^\W\d_][\w-]+\b")
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no word occurs in two papers
        return name, []
    vocabulary = vectorizer.get_feature_names_out()
    strength, _ = chi2(matrix, group)
    strength = np.nan_to_num(strength)
    present = (matrix > 0).tocsc()
    df_in = np.asarray(present[group].sum(axis=0)).ravel()
    df_out = np.asarray(present[~group].sum(axis=0)).ravel()
    rate_in, rate_out = df_in / group.sum(), df_out / max((~group).sum(), 1)
    own = [t for t in rules.themes if t.slug == slug]
    matcher = theme_rules.Matcher(theme_rules.Rules(tuple(own) if own else rules.themes))
    outside_rows = np.flatnonzero(~group)
    suggestions: list[Suggestion] = []
    for j in sorted(range(len(vocabulary)), key=lambda j: (-strength[j], vocabulary[j])):
        if len(suggestions) >= count or strength[j] <= 0:
            break
        term = str(vocabulary[j])
        if df_in[j] < 2 or rate_in[j] <= rate_out[j] or matcher.counts(term):
            continue
        if any(set(term.split()) & set(s.term.split()) for s in suggestions):
            continue  # "brain tumor" after "tumor": one of them is enough
        holders = [papers[i] for i in outside_rows if present[i, j]]
        suggestions.append(Suggestion(term, float(strength[j]), int(df_in[j]), int(df_out[j]),
                                      _home(holders, corpus)))
    return name, suggestions


def _home(holders: list[Paper], corpus: Corpus) -> str:
    counts: dict[str, int] = {}
    for p in holders:
        for m in p.themes:
            if m.theme != theme_rules.OTHER.slug:
                counts[m.theme] = counts.get(m.theme, 0) + 1
    if not counts:
        return ""
    best = min(counts, key=lambda t: (-counts[t], t))
    return next(t.name for t in corpus.themes if t.slug == best)


def _theme_slug(theme: str, corpus: Corpus) -> str:
    wanted = theme.strip().casefold()
    for t in corpus.themes:
        if wanted in (t.slug, t.name.casefold()):
            return t.slug
    names = ", ".join(t.slug for t in corpus.themes)
    raise ValueError(f"no theme {theme!r}; name one of: {names}")


def suggestions_text(name: str, group_size: int, suggestions: list[Suggestion]) -> str:
    lines = [f"Suggested terms for the {group_size} papers in {name}",
             "(TF-IDF and chi-squared: frequent in these papers, rarer in the others; "
             "terms already matched are left out)",
             ""]
    if not suggestions:
        lines.append("  none: no word or phrase sets these papers apart")
        return "\n".join(lines) + "\n"
    width = max(len(s.term) for s in suggestions)
    lines.append(f"  {'term':<{width}}  chi2   here  elsewhere  most of elsewhere in")
    for s in suggestions:
        lines.append(f"  {s.term:<{width}}  {s.weight:5.2f}  {s.inside:4d}  {s.outside:9d}  {s.home or '-'}")
    lines += ["", "Add a term to a theme's `terms` (strong) or `weak` list in corpus/themes.yml, "
              "then run this again."]
    return "\n".join(lines) + "\n"
