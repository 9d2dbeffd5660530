"""Theme placements of the real corpus against the hand-labelled papers in tests/theme_labels.yml.

The floors are below what was measured when the labels were written (precision
83.8%, recall 95.7% on 66 papers; `python -m bench.themes`), so a change to the
terms or the scoring that makes placements worse fails here.
"""

from __future__ import annotations

import pytest

from bench.themes import judge, load_labels
from conftest import CORPUS
from generator import themes
from generator.corpus import load_corpus

PRECISION_FLOOR = 0.82
RECALL_FLOOR = 0.93


@pytest.fixture(scope="module")
def verdict():
    papers = load_corpus(CORPUS, with_related=False).papers
    placements = {p.slug: {m.theme for m in p.themes} for p in papers}
    labels = load_labels()
    assert {label.paper for label in labels} <= placements.keys()
    return judge(placements, labels)


def test_labelled_set_is_large_enough_and_names_real_themes():
    labels = load_labels()
    assert len(labels) >= 60
    slugs = {t.slug for t in load_corpus(CORPUS, with_related=False).themes}
    for label in labels:
        assert label.inside | label.outside <= slugs, label.paper
        assert not label.inside & label.outside, label.paper


def test_no_labelled_paper_is_placed_or_kept_out_by_hand():
    """The labels judge the rules: a labelled paper in an include or exclude list would flatter them."""
    rules = themes.load_rules(CORPUS)
    papers = load_corpus(CORPUS, with_related=False).papers
    include, exclude, _ = themes.manual_lists(papers, rules)
    labelled = {label.paper for label in load_labels()}
    assert not labelled & (include.keys() | exclude.keys())


def test_precision_of_placements_against_labels(verdict):
    assert verdict.precision >= PRECISION_FLOOR, verdict.wrong


def test_recall_of_placements_against_labels(verdict):
    assert verdict.recall >= RECALL_FLOOR, verdict.missed
