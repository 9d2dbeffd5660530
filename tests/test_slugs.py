"""Permanent addresses: slug shape, stability (title only) and uniqueness (never shared)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.corpus import load_corpus
from generator.merge import merge
from generator.model import RawRecord, Source
from generator.slugs import identity_key, paper_slug
from helpers import make_corpus

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def record(title, dump="a.txt", line=1):
    return RawRecord(Source(dump, line), title, f"Abstract of {title}.")


def slugs_of(records):
    return {p.title: p.slug for p in merge(records).papers}


# --- shape -----------------------------------------------------------------------------------

@pytest.mark.parametrize("title, slug", [
    ("Titans: Learning to Memorize at Test Time", "titans-learning-to-memorize-at-test-time"),
    ("Continuous Thought Machines", "continuous-thought-machines"),
    ("Fast & Slow Learning: Incorporating Synthetic Gradients", "fast-slow-learning-incorporating-synthetic-gradients"),
    ("Is This the Subspace You Are Looking for?", "is-this-the-subspace-you-are-looking-for"),
    ("MLLM-CBench:A Comprehensive Benchmark", "mllm-cbench-a-comprehensive-benchmark"),
])
def test_plain_titles_give_their_words_joined_by_hyphens(title, slug):
    assert paper_slug(title) == slug


@pytest.mark.parametrize("title", [
    "PAON: A New Neuron Model using Padé Approximants",
    "Mem-α: Learning Memory Construction via Reinforcement Learning",
    "Joint encoding of \"what\" and \"when\" predictions through error-modulated plasticity in reservoir "
    "spiking networks",
    "Advances and Challenges in Foundation Agents: From Brain-Inspired Intelligence to Evolutionary, "
    "Collaborative, and Safe Systems",
    "🧠",
    "Ελληνικά και 中文",
])
def test_every_slug_is_lowercase_ascii_words_at_most_80_chars(title):
    slug = paper_slug(title)
    assert SLUG.fullmatch(slug), slug
    assert len(slug) <= 80


def test_long_title_is_cut_near_80_chars_on_a_word_boundary():
    title = ("Advances and Challenges in Foundation Agents: From Brain-Inspired Intelligence to Evolutionary, "
             "Collaborative, and Safe Systems")
    slug = paper_slug(title)
    assert 60 <= len(slug) <= 80
    assert slug.startswith("advances-and-challenges-in-foundation-agents-from-brain-inspired-")
    full_words = "advances and challenges in foundation agents from brain inspired intelligence to evolutionary".split()
    # every part before the distinguishing suffix is a whole word of the title
    parts = slug.split("-")
    assert parts[:len(parts) - 1] == full_words[:len(parts) - 1]


def test_title_one_char_over_the_limit_is_cut():
    # the full slug would be 81 characters
    title = "Fast & Slow Learning: Incorporating Synthetic Gradients in Neural Memory Controllers"
    slug = paper_slug(title)
    assert len(slug) <= 80
    assert slug.startswith("fast-slow-learning-incorporating-synthetic-gradients-in-neural-memory-")
    # a bare cut would be the full slug of the different paper "... in Neural Memory"
    assert slug != paper_slug("Fast & Slow Learning: Incorporating Synthetic Gradients in Neural Memory")


# --- stability -------------------------------------------------------------------------------

def test_same_title_same_slug_alone_or_among_others(tmp_path):
    title = "Meta-Learning an In-Context Transformer Model of Human Higher Visual Cortex"
    header = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
    alone = load_corpus(make_corpus(tmp_path / "alone", {
        "a.txt": header + f"Subscribe{title}\nAbstract.\n",
    }), with_related=False)
    crowded = load_corpus(make_corpus(tmp_path / "crowded", {
        "a.txt": header + "SubscribeMeta-Learning an In-Context Transformer Model of Human Higher Visual Cortex 2\n"
                          "Abstract.\n"
                          "Meta Learning an In Context Transformer Model of Human Higher Visual Cortices\nAbstract.\n"
                          f"{title}\nAbstract.\n",
        "b.txt": header + f"Subscribe{title.upper()}\nAbstract.\n{title.lower()}\nAbstract.\n",
    }), with_related=False)
    slug = {p.title: p.slug for p in alone.papers}[title]
    assert slug == "meta-learning-an-in-context-transformer-model-of-human-higher-visual-cortex"
    same = [p for p in crowded.papers if identity_key(p.title) == identity_key(title)]
    assert len(same) == 1
    assert same[0].slug == slug


TITLE_CHARS = st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_categories=("Cc", "Cs"))
titles = st.text(TITLE_CHARS, min_size=1, max_size=140).filter(lambda t: t.strip())


@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(title=titles, others=st.lists(titles, max_size=6))
def test_slug_does_not_depend_on_the_rest_of_the_corpus(title, others):
    others = [o for o in others if identity_key(o) != identity_key(title)]
    key = identity_key(title)
    alone = {identity_key(t): s for t, s in slugs_of([record(title)]).items()}
    crowd = {identity_key(t): s for t, s in
             slugs_of([record(o, line=i) for i, o in enumerate(others)] + [record(title, line=99)]).items()}
    assert crowd[key] == alone[key] == paper_slug(title)


@given(title=st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=100),
       how=st.sampled_from(["upper", "lower", "title", "spaces", "punct"]))
def test_case_spacing_and_punctuation_variants_of_a_title_share_its_slug(title, how):
    variant = {
        "upper": title.upper(), "lower": title.lower(), "title": title.title(),
        "spaces": "  " + title.replace(" ", "   ") + " ",
        "punct": title.replace(" ", " - ") + "!",
    }[how]
    assume(identity_key(variant) == identity_key(title))
    assert paper_slug(variant) == paper_slug(title)


# --- uniqueness ------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("PAON: A New Neuron Model using Padé Approximants", "PAON: A New Neuron Model using Pade Approximants"),
    ("Mem-α: Learning Memory Construction", "Mem-β: Learning Memory Construction"),
    ("Mem-α: Learning Memory Construction", "Mem-a: Learning Memory Construction"),
    ("中文", "日本語"),
    ("🧠", "🫀"),
])
def test_titles_differing_only_by_non_ascii_characters_get_different_slugs(a, b):
    assert identity_key(a) != identity_key(b)
    merged = merge([record(a), record(b, line=3)])
    assert len(merged.papers) == 2
    slug_a, slug_b = paper_slug(a), paper_slug(b)
    assert slug_a != slug_b
    assert SLUG.fullmatch(slug_a) and SLUG.fullmatch(slug_b)


def test_long_titles_sharing_an_80_char_prefix_get_different_slugs():
    prefix = ("Modeling the Human Visual System: Comparative Insights from Response-Optimized and Task-Optimized "
              "Vision Models, Language Models, and different")
    a, b = prefix + " Readout Mechanisms", prefix + " Training Objectives"
    assert paper_slug(a) != paper_slug(b)
    assert len(paper_slug(a)) <= 80 and len(paper_slug(b)) <= 80
    merged = merge([record(a), record(b, line=3), record(prefix, line=5)])
    assert len({p.slug for p in merged.papers}) == 3


def test_many_long_titles_sharing_a_prefix_all_get_distinct_slugs():
    prefix = "A Very Long Common Title About Brain Inspired Neural Networks And Their Many Applications In"
    titles = [f"{prefix} Domain Number {i}" for i in range(200)]
    merged = merge([record(t, line=i) for i, t in enumerate(titles)])
    assert len(merged.papers) == 200
    assert len({p.slug for p in merged.papers}) == 200


@given(a=st.text(min_size=1, max_size=120), b=st.text(min_size=1, max_size=120))
def test_different_identities_never_share_a_slug(a, b):
    assume(identity_key(a) != identity_key(b))
    assert paper_slug(a) != paper_slug(b)


@given(title=st.text(min_size=1, max_size=300))
def test_slug_shape_for_any_title(title):
    slug = paper_slug(title)
    assert SLUG.fullmatch(slug), slug
    assert len(slug) <= 80
    assert paper_slug(title) == slug  # a pure function


def test_a_title_that_spells_out_another_titles_hashed_slug_does_not_share_it():
    # "Padé" cannot be kept in ASCII, so its slug gets a hash suffix. A different paper whose
    # title is exactly those words (hash included) slugifies to the same text. The two are
    # different papers (different identity keys) and must not share an address.
    first = "PAON: A New Neuron Model using Padé Approximants"
    hashed = paper_slug(first)
    second = hashed.replace("-", " ")
    assert identity_key(first) != identity_key(second)
    assert paper_slug(second) != hashed
    merged = merge([record(first), record(second, line=3)])  # must not raise
    assert len({p.slug for p in merged.papers}) == 2


# --- issue 14: addresses that moved, and fatal collisions ----------------------------------------------------

@pytest.mark.parametrize("first, second", [("Don't Stop Spiking", "Don\u2019t Stop Spiking"),
                                           ("Na\u00efve Hebbian Memory", "NA\u00cfVE  hebbian memory")])
def test_a_title_variant_in_a_new_dump_does_not_move_the_address(first, second):
    """The slug came from the displayed title, so whichever variant came first chose the address."""
    one = merge([record(first, "a.txt"), record(second, "b.txt", 3)]).papers
    other = merge([record(second, "a.txt"), record(first, "b.txt", 3)]).papers
    assert len(one) == len(other) == 1
    assert one[0].slug == other[0].slug == paper_slug(first) == paper_slug(second)


def colliding_titles() -> tuple[str, str]:
    """Two long titles with one 80-character slug prefix whose 32-bit hash suffixes collide
    (a birthday search: about 2^16 tries, as an attacker would make)."""
    prefix = "A very long title about spiking neural networks and memory consolidation in the cortex, variant"
    seen: dict[str, str] = {}
    n = 0
    while True:
        title = f"{prefix} {n}"
        slug = paper_slug(title)
        if slug in seen:
            return seen[slug], title
        seen[slug] = title
        n += 1


def test_a_crafted_hash_collision_is_resolved_not_fatal_and_independent_of_order():
    """A pair of long titles whose hash suffixes collide stopped the corpus with "please report this as a bug"."""
    a, b = colliding_titles()
    assert paper_slug(a) == paper_slug(b) and identity_key(a) != identity_key(b)
    forward = merge([record(a, "a.txt"), record(b, "b.txt", 3), record("Another Paper", "b.txt", 5)])
    backward = merge([record(b, "a.txt"), record("Another Paper", "a.txt", 3), record(a, "b.txt", 5)])
    slugs = {p.title: p.slug for p in forward.papers}
    assert slugs == {p.title: p.slug for p in backward.papers}
    assert len(set(slugs.values())) == 3
    assert slugs[a] == paper_slug(a, 16) != slugs[b] == paper_slug(b, 16)
    assert slugs["Another Paper"] == "another-paper"
    [problem] = forward.problems
    assert "2 papers share the address" in problem.message and "longer address" in problem.message


def test_an_api_paper_whose_slug_collides_with_a_dump_paper_replaces_nothing():
    """merge_api kept papers by slug: a colliding API paper silently took the dump paper's place."""
    from generator.merge import merge_api
    from generator.model import ApiRecord

    a, b = colliding_titles()
    dump_papers = merge([record(a)]).papers
    api = ApiRecord("api/search/x.json", 0, "search", "2501.00001", b, "An abstract.", None, None, None, (),
                    None, None, None, None, None, (), None)
    merged = merge_api(dump_papers, [api], belongs=lambda *_: True)
    assert sorted(p.title for p in merged.papers) == sorted([a, b])
    assert len({p.slug for p in merged.papers}) == 2
