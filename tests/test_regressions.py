"""Regression tests, each named after the bug it pins (found in review)."""

from __future__ import annotations

import pytest

from generator.corpus import load_corpus
from generator.errors import SourcesFileError
from generator.render.site import generate
from generator.sources import load_settings
from helpers import headings, make_corpus

HEADER = "new\n\nSubscribe\n\nDaily Papers\n\nOct 28\n\n"


def spaced(*blocks: str) -> str:
    return HEADER + "\n\n".join(blocks) + "\n"


def test_year_0000_in_a_date_line_is_a_problem_not_a_crash(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path / "c", {"a.txt": spaced(
        "Zero Year Paper", "An abstract.", "  • 2 authors\n·\nJul 19, 0000 5")}))
    [paper] = corpus.papers
    assert paper.date is None
    assert any("a.txt:" in p.where and "0000" in p.message for p in corpus.problems), corpus.problems


def test_an_organization_called_index_does_not_take_the_organizations_overview(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path / "c", {"a.txt": spaced(
        "Paper By Index Org", "An abstract.", "index Index Inc\n·\nJul 19, 2023 5")}))
    pages = dict(generate(corpus))
    assert "# Organizations" in pages["orgs/index.md"]
    assert "Index Inc" in pages["orgs/_index.md"]


def test_a_dump_called_index_does_not_take_the_listings_overview(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path / "c", {"index.txt": spaced("A Paper", "An abstract.")}))
    pages = dict(generate(corpus))
    assert pages["listings/index.md"].count("# Listings") == 1
    assert headings(pages["listings/_index.md"])[0][2] == "Listing of Oct 28, year unknown"


def test_a_bytes_codec_is_not_accepted_as_a_dump_encoding(tmp_path):
    folder = make_corpus(tmp_path / "c", {"a.txt": spaced("A Paper", "An abstract.")},
                         sources="a.txt:\n  encoding: base64\n")
    with pytest.raises(SourcesFileError, match=r"sources\.yml:2: unknown encoding"):
        load_settings(folder)


def test_listing_page_shows_the_dump_file_name_as_written(tmp_path):
    corpus = load_corpus(make_corpus(tmp_path / "c", {"000_ab_cd.txt": spaced("A Paper", "An abstract.")}))
    page = dict(generate(corpus))["listings/000-ab-cd.md"]
    # Shown as text: no code span, no character references printed raw.
    assert "<li><strong>File:</strong> corpus/000_ab_cd.txt (" in page
