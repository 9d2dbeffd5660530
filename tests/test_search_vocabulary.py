"""The search vocabulary file (generator/render/vocabulary.py) and what Pagefind indexes of a paper page."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from generator import addresses
from generator.model import Paper
from generator.render.vocabulary import MIN_LENGTH, render_vocabulary


def paper(title: str, abstract: str) -> Paper:
    return Paper(slug="x", title=title, abstract=abstract, date=None, upvotes=None, authors=None,
                 org_handle=None, org_name=None, links=(), sources=())


def lines(text: str) -> list[tuple[str, int]]:
    return [(word, int(count)) for word, count in (line.split(" ") for line in text.splitlines())]


def test_words_with_counts_most_frequent_first():
    text = render_vocabulary([paper("Hopfield Networks", "Modern Hopfield networks store patterns."),
                              paper("Kuramoto Oscillators", "Oscillators synchronise; networks of them too.")])
    assert lines(text) == [("networks", 3), ("hopfield", 2), ("oscillators", 2), ("kuramoto", 1),
                           ("modern", 1), ("patterns", 1), ("store", 1), ("synchronise", 1), ("them", 1)]


def test_short_words_numbers_and_punctuation_are_left_out():
    text = render_vocabulary([paper("GPT-2 in 3D", "A net at 10 bits/s, see x_y and <b>bold</b>.")])
    assert all(len(word) >= MIN_LENGTH and word.isalpha() for word, _ in lines(text)), text
    assert "bits" in text and "bold" in text and "10" not in text


def test_normalized_as_the_worker_normalizes_queries():
    text = render_vocabulary([paper("ＦＵＬＬWIDTH Ligatures ﬁnetuning", "Café")])
    assert {w for w, _ in lines(text)} == {"fullwidth", "ligatures", "finetuning", "café"}


@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=200)), max_size=5))
def test_any_text_gives_well_formed_lines(pairs):
    text = render_vocabulary([paper(t, a) for t, a in pairs])
    for line in text.splitlines():
        word, count = line.split(" ")
        assert word and " " not in word and "\n" not in word and int(count) >= 1
    assert text == render_vocabulary([paper(t, a) for t, a in pairs])  # same corpus, same bytes


@given(st.text(alphabet=st.characters(max_codepoint=0x7F) | st.sampled_from("éßİﬁ²½٣_"), max_size=80))
@example("ab abc abcd abcde a1bcd_efgh ABCD-Efgh x__yyyy")
def test_long_words_of_ascii_text_are_those_of_the_unicode_rule(text):
    """The fast path for ASCII text (`_long_words`) finds exactly the words `words` finds, four letters or more."""
    from generator.render.vocabulary import _long_words, words

    assert _long_words(text) == [w for w in words(text) if len(w) >= MIN_LENGTH]


def test_real_site_ships_the_vocabulary(real_site):
    words = dict(lines((real_site / addresses.SEARCH_VOCABULARY).read_text(encoding="utf-8")))
    for word in ("hopfield", "kuramoto", "hippocampus", "schizophrenia", "memorization"):
        assert word in words, word


def test_abstract_heading_is_not_indexed(real_site):
    page = (real_site / "papers" / "pointer-networks" / "index.html").read_text(encoding="utf-8")
    assert '<h2 data-pagefind-ignore="index" id="abstract">' in page


def test_plain_forms_of_mixed_case_words_are_given_to_the_index():
    from generator.render.vocabulary import plain_forms

    assert plain_forms("LLM-BRAIn: a BriLLM, an iPhone and GPT-4o; LLM-BRAIn again") == "llm brain brillm iphone"
    assert plain_forms("Plain Title Case and ALL CAPS words") == ""


@given(st.text(alphabet="aAbBzZLMé ß1-_.\t\n\u00a0\u2003\x1cİǅᾈΣσ", max_size=40))
@example("LLMs iPhone McDonald GPTx ǅaB Éa ÉAb a\u2003bC x\x1cYz")  # each way a word can change case
def test_plain_forms_takes_exactly_the_words_the_mixed_case_pattern_finds(text):
    """plain_forms skips words in one case or capitalized before it searches them: it finds what searching
    every word finds (spaces as str.split takes them, titlecase letters, non-ASCII cases)."""
    from generator.render.vocabulary import _MIXED_CASE, plain_forms, words

    expected: dict[str, None] = {}
    for token in text.split():
        if _MIXED_CASE.search(token):
            expected.update(dict.fromkeys(words(token)))
    assert plain_forms(text) == " ".join(expected)


def test_compounds_are_spaced_for_the_index_in_text_only():
    from generator.render.vocabulary import spaced_compounds

    page = ('<h1 id="a-language-based-model">Language-Based, spike-timing-dependent GPT-4 and 3-layer nets'
            '<a class="headerlink" href="#a-language-based-model">&para;</a></h1>\n'
            '<p>A short- and long-term x - y -z <a href="https://e.org/a-b">e.org/a-b</a></p>')
    assert spaced_compounds(page) == (
        '<h1 id="a-language-based-model">Language -Based, spike -timing -dependent GPT-4 and 3 -layer nets'
        '<a class="headerlink" href="#a-language-based-model">&para;</a></h1>\n'
        '<p>A short- and long-term x - y -z <a href="https://e.org/a-b">e.org/a -b</a></p>'.replace(
            "long-term", "long -term"))


@given(st.text(alphabet=st.sampled_from("ab1-_é <>=\"\n"), max_size=80))
def test_spacing_compounds_only_adds_spaces_the_worker_takes_out(html):
    """Pagefind's text of a page (tags untouched) gains only a space before a hyphen that joins two words,
    and the worker's `unspaced` (tests/helpers.py has its twin) gives every compound back."""
    import re

    from generator.render.vocabulary import spaced_compounds
    from helpers import unspaced

    tags = re.compile(r"(<[^>]*>)")
    spaced = spaced_compounds(html)
    assert tags.split(spaced)[1::2] == tags.split(html)[1::2]
    assert spaced.replace(" -", "-") == html.replace(" -", "-")
    assert spaced_compounds(spaced) == spaced
    joined = [unspaced(text) for text in tags.split(spaced)[::2]]
    assert joined == [unspaced(text) for text in tags.split(html)[::2]]
    assert not re.search(r"[^\W_]-[^\W\d_]", "".join(tags.split(spaced)[::2]))


def test_under_serve_only_the_changed_texts_are_read_again(monkeypatch):
    """Under `mkdocs serve` the words of each paper's text are kept from the last build, for the vocabulary
    and for the related papers' shared terms (incremental.ServeMemory): a rebuild reads only the texts that
    changed, and makes what a build from scratch makes. Outside serve nothing is kept."""
    from dataclasses import replace

    from generator import incremental
    from generator.render import paper as paper_module
    from generator.render import vocabulary

    first = (replace(paper("Hopfield Networks", "Modern Hopfield networks store patterns."), slug="a"),
             replace(paper("Kuramoto Oscillators", "Oscillators synchronise; networks of them too."), slug="b"))
    edited = (first[0], replace(first[1], abstract="Oscillators synchronise, edited."))
    builds = {vocabulary._LONG_WORDS: render_vocabulary,  # each memory, and a build that uses it
              paper_module._WORDS: lambda papers: paper_module.SharedTerms(papers).words}
    expected = {memory: build(edited) for memory, build in builds.items()}  # outside serve: from scratch
    assert all(memory.last == {} for memory in builds)

    monkeypatch.setattr(incremental, "serving", True)
    for memory, build in builds.items():
        read: list[str] = []
        monkeypatch.setattr(memory, "last", {})  # (each put back as it was after the test)
        monkeypatch.setattr(memory, "function", lambda text, made=memory.function, read=read:
                            read.append(text) or made(text))
        build(first)
        read.clear()
        assert build(edited) == expected[memory]
        assert [text.lower() for text in read] == ["kuramoto oscillators oscillators synchronise, edited."]
