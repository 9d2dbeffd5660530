"""Date lines and the listing-year rule, through the corpus loader (what the CLI uses)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.corpus import load_corpus
from generator.dates import parse_date_line
from helpers import make_corpus

HEADER = [
    "new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "Daily Papers", "",
    "byAK and the research community", "",
]


def spaced(listing: str | None, *papers: tuple[str, str | None]) -> str:
    """A spaced dump: (title, date line or None for no metadata) per paper; 2 authors each."""
    lines = list(HEADER)
    if listing:
        lines += [listing, ""]
    for title, date in papers:
        lines += [title, "", f"Abstract of {title}.", ""]
        if date is not None:
            lines += ["  • 2 authors", "·", date, ""]
    return "\n".join(lines)


def papers(corpus_dir):
    corpus = load_corpus(corpus_dir, with_related=False)
    return corpus, {p.title: p for p in corpus.papers}


# --- one date line ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, month, day, year, upvotes", [
    ("Jul 19, 2023 1", 7, 19, 2023, 1),
    ("Nov 10, 2020", 11, 10, 2020, 0),
    ("Aug 5", 8, 5, None, 0),
    ("May 21 2", 5, 21, None, 2),
    ("May 21, 2025 2", 5, 21, 2025, 2),
    ("Mar 31, 2025 8", 3, 31, 2025, 8),
    ("Dec 1, 2023 4", 12, 1, 2023, 4),
    ("Sep 30 12", 9, 30, None, 12),
])
def test_date_line(text, month, day, year, upvotes):
    line, problem = parse_date_line(text)
    assert problem is None
    assert (line.month, line.day, line.year, line.upvotes) == (month, day, year, upvotes)


@pytest.mark.parametrize("text", ["Feb 30, 2024", "Apr 31", "Sept 3, 2020", "yesterday"])
def test_not_a_date(text):
    line, problem = parse_date_line(text)
    assert line is None
    assert problem


def test_upvote_count_that_is_not_a_number_is_a_problem():
    line, problem = parse_date_line("Jul 19, 2023 lots")
    assert (line.month, line.day, line.year) == (7, 19, 2023)
    assert line.upvotes is None
    assert "lots" in problem


# --- the listing-year rule -------------------------------------------------------------------

def test_no_year_date_is_in_the_year_after_the_latest_explicit_year(tmp_path):
    corpus_dir = make_corpus(tmp_path / "c", {"a.txt": spaced(
        "Oct 28",
        ("Old Paper", "Jul 19, 2023 1"),
        ("Newer Paper", "Dec 31, 2024 3"),
        ("Recent Paper", "Aug 5"),
        ("Also Recent", "May 21 2"),
    )})
    corpus, by_title = papers(corpus_dir)
    assert by_title["Recent Paper"].date.value == dt.date(2025, 8, 5)
    assert by_title["Recent Paper"].date.inferred is True
    assert by_title["Recent Paper"].upvotes == 0
    assert by_title["Also Recent"].date.value == dt.date(2025, 5, 21)
    assert by_title["Also Recent"].upvotes == 2
    assert by_title["Old Paper"].date.value == dt.date(2023, 7, 19)
    assert by_title["Old Paper"].date.inferred is False
    assert by_title["Newer Paper"].date.value == dt.date(2024, 12, 31)
    assert corpus.dumps[0].listing.value == dt.date(2025, 10, 28)
    assert corpus.problems == ()


def test_year_rule_is_per_dump_not_per_corpus(tmp_path):
    corpus_dir = make_corpus(tmp_path / "c", {
        "a.txt": spaced("Oct 28", ("A Old", "Mar 3, 2019"), ("A Recent", "Aug 5")),
        "b.txt": spaced("Apr 23", ("B Old", "Mar 3, 2024"), ("B Recent", "Feb 5")),
    })
    _, by_title = papers(corpus_dir)
    assert by_title["A Recent"].date.value == dt.date(2020, 8, 5)
    assert by_title["B Recent"].date.value == dt.date(2025, 2, 5)


def test_sources_yml_listing_date_overrides_the_inference(tmp_path):
    corpus_dir = make_corpus(
        tmp_path / "c",
        {"a.txt": spaced("Oct 28", ("Old Paper", "Jul 19, 2023 1"), ("Recent Paper", "Aug 5"))},
        sources="a.txt: {listing_date: 2026-10-28}\n",
    )
    corpus, by_title = papers(corpus_dir)
    assert by_title["Recent Paper"].date.value == dt.date(2026, 8, 5)
    # the year was stated, not guessed
    assert by_title["Recent Paper"].date.inferred is False
    assert by_title["Old Paper"].date.value == dt.date(2023, 7, 19)
    assert corpus.dumps[0].listing.value == dt.date(2026, 10, 28)


def test_dump_without_any_explicit_year_leaves_papers_undated_and_reports_it(tmp_path):
    corpus_dir = make_corpus(tmp_path / "c", {
        "003_noyear.txt": spaced("Mar 12", ("First Paper", "Feb 15"), ("Second Paper", "Jan 2 4")),
    })
    corpus, by_title = papers(corpus_dir)
    assert by_title["First Paper"].date is None
    assert by_title["Second Paper"].date is None
    # the upvotes shown are still kept
    assert by_title["Second Paper"].upvotes == 4
    # they still get pages
    assert len(corpus.papers) == 2
    problems = [p for p in corpus.problems if p.where.startswith("003_noyear.txt")]
    assert len(problems) == 1
    assert "sources.yml" in str(problems[0])


def test_dump_without_any_explicit_year_is_dated_once_sources_yml_states_it(tmp_path):
    corpus_dir = make_corpus(
        tmp_path / "c",
        {"003_noyear.txt": spaced("Mar 12", ("First Paper", "Feb 15"))},
        sources="003_noyear.txt:\n  listing_date: 2026-03-12\n",
    )
    corpus, by_title = papers(corpus_dir)
    assert by_title["First Paper"].date.value == dt.date(2026, 2, 15)
    assert corpus.problems == ()


def test_year_inferred_without_a_listing_date_line(tmp_path):
    # The rule infers the listing's *year* from the explicit years in the dump; the listing
    # line ("Oct 28") is not needed for that. A no-year date must not silently go undated.
    corpus_dir = make_corpus(tmp_path / "c", {"a.txt": spaced(
        None, ("Old Paper", "Jul 19, 2023 1"), ("Recent Paper", "Aug 5"),
    )})
    _, by_title = papers(corpus_dir)
    assert by_title["Recent Paper"].date is not None, "no-year date dropped because the dump has no listing line"
    assert by_title["Recent Paper"].date.value == dt.date(2024, 8, 5)
    assert by_title["Recent Paper"].date.inferred is True


def test_no_year_date_without_listing_line_or_explicit_year_is_reported(tmp_path):
    corpus_dir = make_corpus(tmp_path / "c", {"a.txt": spaced(None, ("Recent Paper", "Aug 5"))})
    corpus, by_title = papers(corpus_dir)
    assert by_title["Recent Paper"].date is None
    assert any(p.where.startswith("a.txt") for p in corpus.problems), \
        "a paper left undated because its year is unknown must be reported"


def test_feb_29_in_a_non_leap_listing_year_is_undated_and_reported(tmp_path):
    corpus_dir = make_corpus(tmp_path / "c", {"a.txt": spaced(
        "Oct 28", ("Old Paper", "Jan 1, 2024"), ("Leap Paper", "Feb 29"),
    )})
    corpus, by_title = papers(corpus_dir)
    assert by_title["Leap Paper"].date is None
    assert any("a.txt:" in p.where for p in corpus.problems)


def test_papers_without_a_date_line_are_undated(tmp_path):
    corpus_dir = make_corpus(tmp_path / "c", {"a.txt": spaced(
        "Oct 28", ("Dated Paper", "Jul 19, 2023"), ("Bare Paper", None),
    )})
    _, by_title = papers(corpus_dir)
    assert by_title["Bare Paper"].date is None
    assert by_title["Bare Paper"].upvotes is None


# --- explicit versus inferred when merging ---------------------------------------------------

def test_explicit_date_wins_over_an_inferred_one_and_the_disagreement_is_reported(tmp_path):
    title = "Meta-Learning an In-Context Transformer Model of Human Higher Visual Cortex"
    corpus_dir = make_corpus(tmp_path / "c", {
        # listing year inferred 2025 (latest explicit 2024) -> May 21 2025
        "001_a.txt": spaced("Oct 28", ("Other", "Mar 1, 2024"), (title, "May 21 2")),
        # but this listing shows the year: 2024
        "002_b.txt": spaced("Apr 23", (title, "May 21, 2024 2")),
    })
    corpus, by_title = papers(corpus_dir)
    paper = by_title[title]
    assert paper.date.value == dt.date(2024, 5, 21)
    assert paper.date.inferred is False
    reported = [str(p) for p in corpus.problems]
    # 001_a.txt: title on line 21 (header 10 lines, listing 2, "Other" block 8 lines)
    assert any("001_a.txt:21" in r and "002_b.txt:" in r for r in reported), reported


def test_explicit_and_inferred_that_agree_give_an_explicit_date_and_no_problem(tmp_path):
    title = "Meta-Learning an In-Context Transformer Model of Human Higher Visual Cortex"
    corpus_dir = make_corpus(tmp_path / "c", {
        "001_a.txt": spaced("Oct 28", ("Other", "Mar 1, 2024"), (title, "May 21 2")),
        "002_b.txt": spaced("Apr 23", (title, "May 21, 2025 2")),
    })
    corpus, by_title = papers(corpus_dir)
    assert by_title[title].date.value == dt.date(2025, 5, 21)
    assert by_title[title].date.inferred is False
    assert corpus.problems == ()


def test_inferred_date_is_kept_flagged_when_no_listing_shows_the_year(tmp_path):
    title = "Understanding Transformers through the Lens of Pavlovian Conditioning"
    compact = ("Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
               f"Subscribe{title}\nTransformer architectures.\n")
    corpus_dir = make_corpus(tmp_path / "c", {
        "001_a.txt": spaced("Oct 28", ("Other", "Mar 1, 2024"), (title, "Aug 5")),
        "004_b.txt": compact,
    })
    _, by_title = papers(corpus_dir)
    assert by_title[title].date.value == dt.date(2025, 8, 5)
    assert by_title[title].date.inferred is True


# --- issue 14: extreme years ----------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["Feb 2, 0001 3", "Feb 2, 9999 3", "Jul 19, 1066"])
def test_extreme_years_are_refused_with_the_accepted_range(tmp_path, line):
    """Years 0001 or 9999 were accepted, made 5-7 MB charts, and misled ("Feb 2 does not exist in 10000")."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": spaced("Oct 28", ("Paper With Odd Year", line),
                                                          ("Paper With Later Date", "Feb 2 1"))})
    loaded = load_corpus(corpus, with_related=False)
    assert all(p.date is None for p in loaded.papers)
    [problem] = [p for p in loaded.problems if "outside" in p.message]
    assert problem.where == "a.txt:19" and "is outside 1950-" in problem.message
    assert not any("10000" in p.message for p in loaded.problems)


def test_a_listing_year_inferred_past_next_year_is_not_used(tmp_path):
    """Years are bounded, but the listing year was inferred as the latest explicit year + 1: a dump showing
    next year gave its yearless dates the year after, outside the accepted range."""
    from generator.dates import LAST_YEAR

    corpus = make_corpus(tmp_path / "c", {"a.txt": spaced("Oct 28", ("Paper From Next Year", f"Jan 3, {LAST_YEAR} 1"),
                                                          ("Paper Without Year", "Feb 2 1"))})
    loaded = load_corpus(corpus, with_related=False)
    by_title = {p.title: p for p in loaded.papers}
    assert by_title["Paper From Next Year"].date.value == dt.date(LAST_YEAR, 1, 3)
    assert by_title["Paper Without Year"].date is None
    assert loaded.dumps[0].listing.year is None
    [problem] = loaded.problems
    assert problem.where == "a.txt" and "1 papers show a date without a year" in problem.message
    assert "state the listing date in corpus/sources.yml" in problem.fix


def test_an_extreme_listing_date_in_sources_is_a_file_line_problem(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": spaced("Oct 28", ("A Paper", "Feb 2 1"))},
                         sources="a.txt:\n  listing_date: 9999-10-28\n")
    from generator.errors import SourcesFileError

    with pytest.raises(SourcesFileError, match=r"sources.yml:2: listing_date 9999-10-28: the year 9999 is outside"):
        load_corpus(corpus, with_related=False)


def test_an_extreme_api_date_counts_as_no_date():
    from generator.api import _date

    assert _date("0001-01-01T00:00:00.000Z") is None and _date("9999-12-31") is None
    assert _date("2025-10-27T17:59:59.000Z") == dt.date(2025, 10, 27)
