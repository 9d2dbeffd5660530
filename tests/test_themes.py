"""Theme scoring: strong and weak terms, title and repetition, threshold, best themes, include/exclude.

Unit tests on hand-made themes, property tests (hypothesis) on random texts,
the curator's review and suggestions on a small hand-made corpus, and the
examples of issue 11 on the real corpus.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import cli, review, themes
from generator.corpus import load_corpus
from generator.errors import ThemeFileError
from generator.model import Theme
from helpers import CORPUS, make_corpus

MEMORY = Theme("memory", "Memory", "d", terms=("hopfield", "working memory"), weak=("memory", "recall", "retention"))
SPIKES = Theme("spikes", "Spikes", "d", terms=("spiking", "neuromorph*"), weak=("spike", "energy-efficient"))


def placed(rules, title, abstract, keywords=(), include=frozenset(), exclude=frozenset()):
    rules = rules if isinstance(rules, themes.Rules) else themes.Rules(tuple(rules))
    return {m.theme: m for m in themes.Matcher(rules).match(title, abstract, keywords, include, exclude)}


def score(theme, title, abstract, keywords=()):
    return next(s for s in themes.Matcher((theme,)).scores(title, abstract, keywords))


# ------------------------------------------------------------------ scoring


def test_one_strong_term_in_the_abstract_places_a_paper_with_score_one():
    match = placed([MEMORY], "A title", "We study Hopfield networks.")["memory"]
    assert match.terms == ("hopfield",) and match.weak_terms == () and match.score == 1.0
    assert not match.weak and not match.manual


def test_title_counts_twice_an_abstract_mention():
    assert score(MEMORY, "Hopfield nets", "Nothing here.").value == 2.0
    assert score(MEMORY, "Hopfield nets", "A hopfield net.").value == 3.0


def test_repetition_counts_with_diminishing_returns():
    values = [score(MEMORY, "T", " ".join(["hopfield"] * n)).value for n in (1, 2, 4, 9)]
    assert values == [1.0, math.sqrt(2), 2.0, 3.0]


def test_keywords_count_once_more():
    assert score(MEMORY, "T", "hopfield", keywords=("Hopfield networks",)).value == 2.0


@pytest.mark.parametrize("title, abstract", [
    ("Memory", "memory " * 30),  # a weak term in the title and repeated: still one weak term
    ("T", "Memory memory memory."),
    ("Memory and memory", ""),
])
def test_a_weak_term_alone_never_places_a_paper(title, abstract):
    matches = placed([MEMORY], title, abstract)
    assert "memory" not in matches and "other" in matches
    assert score(MEMORY, title, abstract).why_not() == "one weak term only"


def test_two_weak_terms_place_a_paper_marked_weak():
    match = placed([MEMORY], "T", "Memory and recall.")["memory"]
    assert match.weak and match.weak_terms == ("memory", "recall") and match.score == 1.0


def test_a_strong_and_a_weak_term_list_both_and_are_not_weak():
    match = placed([MEMORY], "T", "Working memory and recall.")["memory"]
    assert match.terms == ("working memory", "memory", "recall") and not match.weak


def test_threshold_decides():
    strict = themes.Rules((MEMORY,), threshold=2.0)
    assert "memory" not in placed(strict, "T", "Hopfield networks.")
    assert "memory" in placed(strict, "Hopfield networks", "")
    assert "memory" in placed(strict, "T", "hopfield hopfield hopfield hopfield")
    assert score(themes.Matcher(strict).themes[0], "T", "hopfield").why_not().startswith("score 1.00 under")


def test_a_paper_keeps_only_its_best_themes():
    many = tuple(Theme(f"t{i}", f"T{i}", "d", (f"word{i}",)) for i in range(5))
    text = "word0 word1 word1 word2 word2 word2 word3 word4"
    got = themes.Matcher(themes.Rules(many, max_themes=3)).match("T", text)
    assert [m.theme for m in got] == ["t2", "t1", "t0"]  # best score first, ties in file order
    everything = themes.Matcher(themes.Rules(many, max_themes=9)).match("T", text)
    assert len(everything) == 5


def test_phrases_prefixes_and_hyphens():
    assert placed([SPIKES], "Neuromorphic chips", "")["spikes"].terms == ("neuromorph*",)
    assert placed([MEMORY], "T", "a working-memory task")["memory"].terms == ("working memory", "memory")
    assert "spikes" not in placed([SPIKES], "T", "prespiking")


# ------------------------------------------------------------------ include and exclude


def test_include_places_a_paper_by_hand_even_with_no_term():
    match = placed([MEMORY, SPIKES], "Unrelated", "Nothing.", include=frozenset({"memory"}))
    assert list(match) == ["memory"] and match["memory"].manual and match["memory"].terms == ()


def test_include_is_kept_beyond_max_themes():
    rules = themes.Rules((MEMORY, SPIKES), max_themes=1)
    got = placed(rules, "Spiking hopfield", "hopfield", include=frozenset({"memory"}))
    assert list(got) == ["memory"]
    got = placed(rules, "Spiking", "", include=frozenset({"memory", "spikes"}))
    assert set(got) == {"memory", "spikes"} and all(m.manual for m in got.values())


def test_exclude_keeps_a_paper_out_whatever_it_scores():
    got = placed([MEMORY, SPIKES], "Hopfield spiking", "hopfield " * 10, exclude=frozenset({"memory"}))
    assert list(got) == ["spikes"]
    got = placed([MEMORY], "Hopfield", "hopfield", exclude=frozenset({"memory"}))
    assert list(got) == ["other"]


ONE_PAPER = "\n".join(["Daily Papers", "", "Spiking Memories", "", "Hopfield networks of spiking neurons.", "",
                       "Another Paper", "", "Nothing to see.", ""])
THEMES_WITH_LISTS = """\
themes:
  - name: Memory
    description: d
    terms: [hopfield]
    exclude:
      - spiking-memories
  - name: Spikes
    description: d
    terms: [spiking]
    include:
      - "Another  paper"
      - no-such-paper
"""


def test_include_and_exclude_by_slug_or_title_and_unknown_entries_are_problems_with_file_line(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path / "c", {"a.txt": ONE_PAPER}, themes=THEMES_WITH_LISTS),
                         with_related=False)
    by_slug = {p.slug: [m.theme for m in p.themes] for p in corpus.papers}
    assert by_slug == {"spiking-memories": ["spikes"], "another-paper": ["spikes"]}
    assert [m.manual for m in corpus.papers[0].themes] == [True]  # another-paper sorts first
    problems = [p for p in corpus.problems if p.kind == "themes"]
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{tmp_path / 'c' / 'themes.yml'}:12: theme 'Spikes', include: "
                                       "'no-such-paper' is no paper in the corpus")
    assert "slug" in problems[0].fix


def test_check_strict_fails_on_an_unknown_paper_in_include(tmp_path, capsys):
    folder = make_corpus(tmp_path / "c", {"a.txt": ONE_PAPER}, themes=THEMES_WITH_LISTS)
    assert cli.main(["check", "--corpus", str(folder), "--strict"]) == 1
    assert "themes.yml:12: theme 'Spikes', include: 'no-such-paper'" in capsys.readouterr().out


@pytest.mark.parametrize("text, line, words", [
    ("themes:\n  - name: A\n    description: d\n    terms: [x]\n    weak: [y, X]\n", 5, ["both a strong and a weak"]),
    ("themes:\n  - name: A\n    description: d\n    terms: [x]\n    include: [p]\n    exclude: [q, p]\n", 6,
     ["both 'include' and 'exclude'"]),
    ("threshold: -1\nthemes:\n  - name: A\n    description: d\n    terms: [x]\n", 1, ["threshold", "at least 0"]),
    ("max_themes: 0\nthemes:\n  - name: A\n    description: d\n    terms: [x]\n", 1, ["max_themes", "whole number"]),
    ("max_themes: two\nthemes:\n  - name: A\n    description: d\n    terms: [x]\n", 1, ["max_themes"]),
    ("themes:\n  - name: A\n    description: d\n    terms: [x]\n    weak: [{a: b}]\n", 5, ["word or phrase"]),
    ("themes:\n  - name: A\n    description: d\n    terms: [x]\n    include: [[a]]\n", 5, ["slug or title"]),
    ("themes:\n  - name: A\n    description: d\n    include: \n", 2, ["without 'terms'"]),
])
def test_theme_file_mistakes_name_their_line(tmp_path, text, line, words):
    folder = make_corpus(tmp_path / "c", {}, themes=text)
    with pytest.raises(ThemeFileError) as caught:
        themes.load_rules(folder)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'themes.yml'}:{line}: "), message
    assert all(w in message for w in words), message


def test_a_theme_of_weak_terms_or_include_only_is_allowed(tmp_path):
    text = "themes:\n  - name: A\n    description: d\n    weak: [x, y]\n  - name: B\n    description: d\n" \
           "    include: [p]\n"
    rules = themes.load_rules(make_corpus(tmp_path / "c", {}, themes=text))
    assert rules.themes[0].weak == ("x", "y") and rules.themes[1].include == (("p", 7),)
    assert (rules.threshold, rules.max_themes) == (themes.DEFAULT_THRESHOLD, themes.DEFAULT_MAX_THEMES)


# ------------------------------------------------------------------ properties

WORDS = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "theta", "kappa"]
texts = st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join)
term_lists = st.lists(st.sampled_from(WORDS), max_size=3, unique=True)


@st.composite
def rule_sets(draw):
    count = draw(st.integers(1, 4))
    made = []
    for i in range(count):
        strong = draw(term_lists)
        weak = [w for w in draw(term_lists) if w not in strong]
        made.append(Theme(f"t{i}", f"T{i}", "d", tuple(strong), tuple(weak)))
    return themes.Rules(tuple(made), threshold=draw(st.sampled_from([0.5, 1.0, 1.5, 2.5])),
                        max_themes=draw(st.integers(1, 4)))


@settings(max_examples=300, deadline=None)
@given(rules=rule_sets(), title=texts, abstract=texts, which=st.integers(0, 3), new=st.sampled_from(WORDS))
def test_adding_a_strong_term_never_removes_a_placement(rules, title, abstract, which, new):
    which %= len(rules.themes)
    theme = rules.themes[which]
    if new in theme.terms + theme.weak:
        return
    grown = replace(rules, themes=tuple(replace(t, terms=t.terms + (new,)) if i == which else t
                                        for i, t in enumerate(rules.themes)))
    before = {m.theme for m in themes.Matcher(rules).match(title, abstract)}
    after = {m.theme for m in themes.Matcher(grown).match(title, abstract)}
    assert theme.slug not in before or theme.slug in after  # the grown theme keeps what it had
    uncapped = replace(rules, max_themes=99), replace(grown, max_themes=99)
    before = {m.theme for m in themes.Matcher(uncapped[0]).match(title, abstract)} - {"other"}
    after = {m.theme for m in themes.Matcher(uncapped[1]).match(title, abstract)}
    assert before <= after  # with no limit on themes a paper, nothing is lost anywhere


@settings(max_examples=300, deadline=None)
@given(rules=rule_sets(), title=texts, abstract=texts, excluded=st.sets(st.integers(0, 3)),
       included=st.sets(st.integers(0, 3)))
def test_an_excluded_paper_is_never_placed_and_an_included_one_always_is(rules, title, abstract, excluded,
                                                                          included):
    slugs = [t.slug for t in rules.themes]
    out = frozenset(slugs[i] for i in excluded if i < len(slugs))
    into = frozenset(slugs[i] for i in included if i < len(slugs)) - out
    got = {m.theme: m for m in themes.Matcher(rules).match(title, abstract, include=into, exclude=out)}
    assert not out & got.keys()
    assert into <= got.keys() and all(got[s].manual for s in into)
    assert len([m for m in got.values() if not m.manual]) <= max(0, rules.max_themes - len(into))


@settings(max_examples=300, deadline=None)
@given(rules=rule_sets(), title=texts, abstract=texts)
def test_every_placement_has_one_strong_or_two_weak_terms_and_reaches_the_threshold(rules, title, abstract):
    for m in themes.Matcher(rules).match(title, abstract):
        if m.theme == "other":
            continue
        strong = [t for t in m.terms if t not in m.weak_terms]
        assert strong or len(m.weak_terms) >= 2
        assert m.score >= rules.threshold - 0.01


# ------------------------------------------------------------------ the curator's tools

SMALL = "\n".join(["Daily Papers", ""] + [line for title, abstract in [
    ("Hopfield Networks Revisited", "Modern hopfield networks store many patterns. Hopfield recall is fast."),
    ("Memory in the Wild", "Memory and recall in animals."),
    ("A Memory Footnote", "We save GPU memory."),
    ("Spiking Chips", "Neuromorphic hardware for spiking networks."),
    ("Quantum Annealing for Sampling", "Quantum annealing samples from a Boltzmann distribution."),
    ("Annealing Schedules in Quantum Devices", "Quantum annealing schedules are tuned on devices."),
    ("Diffusion Denoisers", "A denoiser for images."),
] for line in (title, "", abstract, "")])
SMALL_THEMES = """\
themes:
  - name: Memory
    description: d
    terms: [hopfield, engram]
    weak: [memory, recall]
  - name: Spikes
    description: d
    terms: [spiking]
    weak: [neuromorph*]
"""


@pytest.fixture
def small(tmp_path):
    folder = make_corpus(tmp_path / "c", {"a.txt": SMALL}, themes=SMALL_THEMES)
    return load_corpus(folder, with_related=False), themes.load_rules(folder), folder


def test_review_shows_size_weakest_near_misses_and_unused_terms(small):
    corpus, rules, _ = small
    text = review.review(corpus, rules)
    assert "Memory: 2 papers (28.6%); 0 placed by hand, 1 on weak terms only" in text
    lines = text.splitlines()
    memory = lines.index(next(line for line in lines if line.startswith("Memory:")))
    weakest = lines[memory + 2]
    assert weakest.split() == ["2.00", "memory-in-the-wild", "[memory", "(weak),", "recall", "(weak)]", "weak",
                               "terms", "only"]
    assert "1.50  a-memory-footnote  [memory (weak)]  one weak term only" in text
    assert "terms matching nothing: engram" in text
    assert "Spikes: 1 papers (14.3%)" in text and "terms matching nothing: none" in text
    assert "Other: 4 papers (57.1%)" in text


def test_suggestions_for_other_name_what_sets_its_papers_apart(small):
    corpus, rules, _ = small
    name, found = review.suggest(corpus, rules)
    assert name == "Other"
    terms = [s.term for s in found]
    assert terms[:2] == ["annealing", "quantum"] or terms[:2] == ["quantum", "annealing"], terms
    assert all(s.inside >= 2 for s in found)
    assert found[0].outside == 0 and found[0].home == ""


def test_suggestions_for_a_theme_leave_out_its_own_terms(small):
    corpus, rules, _ = small
    name, found = review.suggest(corpus, rules, "memory")
    assert name == "Memory"
    assert not {"hopfield", "memory", "recall"} & {s.term for s in found}
    with pytest.raises(ValueError, match="no theme 'nope'"):
        review.suggest(corpus, rules, "nope")


def test_themes_command_prints_the_review_and_the_suggestions(small, capsys):
    _, _, folder = small
    assert cli.main(["themes", "--corpus", str(folder)]) == 0
    assert "near misses" in capsys.readouterr().out
    assert cli.main(["themes", "--corpus", str(folder), "--suggest"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Suggested terms for the 4 papers in Other") and "annealing" in out
    assert cli.main(["themes", "--corpus", str(folder), "--suggest", "Spikes"]) == 0
    assert cli.main(["themes", "--corpus", str(folder), "--suggest", "nope"]) == 2
    assert "no theme 'nope'" in capsys.readouterr().err


# ------------------------------------------------------------------ the real corpus (issue 11's examples)


@pytest.fixture(scope="module")
def real():
    return {p.title: p for p in load_corpus(CORPUS, with_related=False).papers}


def themes_of(paper) -> set[str]:
    return {m.theme for m in paper.themes}


def test_titans_is_about_memory_not_interpretability(real):
    got = themes_of(real["Titans: Learning to Memorize at Test Time"])
    assert "memory-and-continual-learning" in got
    assert not got & {"mechanistic-interpretability", "cognition-and-minds-in-language-models"}


def test_arithmetic_without_algorithms_is_a_circuit_analysis(real):
    paper = real["Arithmetic Without Algorithms: Language Models Solve Math With a Bag of Heuristics"]
    got = {m.theme: m for m in paper.themes}
    assert "mechanistic-interpretability" in got and "circuit" in got["mechanistic-interpretability"].terms
    assert "memory-and-continual-learning" not in got


def test_continuous_thought_machines_is_an_architecture_not_about_language_models(real):
    got = themes_of(real["Continuous Thought Machines"])
    assert "brain-inspired-architectures-and-dynamics" in got
    assert "cognition-and-minds-in-language-models" not in got


def test_real_corpus_other_under_10_percent_and_no_theme_over_40(real):
    counts: dict[str, int] = {}
    for paper in real.values():
        for theme in themes_of(paper):
            counts[theme] = counts.get(theme, 0) + 1
    n = len(real)
    assert counts["other"] / n < 0.10, counts
    assert max(counts.values()) / n < 0.40, counts
    assert all(len(p.themes) <= 3 or any(m.manual for m in p.themes) for p in real.values())


def test_real_themes_file_has_no_problem(real):
    corpus = load_corpus(CORPUS, with_related=False)
    assert not [p for p in corpus.problems if p.kind == "themes"]
    assert Path(themes.load_rules(CORPUS).path) == CORPUS / "themes.yml"


def test_the_real_themes_without_manual_lists_keep_every_term(tmp_path):
    full = themes.load_rules(CORPUS)
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "themes.yml").write_text(themes.without_manual_lists((CORPUS / "themes.yml").read_text()))
    bare = themes.load_rules(folder)
    assert [(t.slug, t.terms, t.weak) for t in bare.themes] == [(t.slug, t.terms, t.weak) for t in full.themes]
    assert not any(t.include or t.exclude for t in bare.themes) and any(t.include for t in full.themes)
    assert (bare.threshold, bare.max_themes) == (full.threshold, full.max_themes)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F) | st.sampled_from("éßİﬁ²½٣_Ω"), max_size=80))
def test_the_words_of_ascii_text_are_those_of_the_unicode_pattern(text):
    """`_words` takes a plain pattern for ASCII text: it finds what the Unicode one finds."""
    folded = text.casefold()
    assert themes._words(folded) == themes._WORD.findall(folded)
