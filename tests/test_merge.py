"""One paper per identity: duplicates across dumps, merge rules, conflicts, accounting."""

from __future__ import annotations

import re

from generator.corpus import load_corpus
from generator.merge import merge
from generator.model import Metadata, RawRecord, Source
from helpers import make_corpus

HEADER = [
    "new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "Daily Papers", "",
    "byAK and the research community", "", "Oct 28", "",
]


def spaced(*blocks: tuple[str, str, list[str] | None]) -> str:
    """(title, abstract, metadata lines or None); the first title is on line 13, each block
    without metadata takes 4 lines, with metadata 4 + len(meta) + 1."""
    lines = list(HEADER)
    for title, abstract, meta in blocks:
        lines += [title, "", abstract, ""]
        if meta:
            lines += [*meta, ""]
    return "\n".join(lines)


def compact(*blocks: tuple[str, str]) -> str:
    lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]
    for i, (title, abstract) in enumerate(blocks):
        lines += [("Subscribe" if i == 0 else "") + title, abstract]
    return "\n".join(lines) + "\n"


def load(tmp_path, dumps):
    corpus = load_corpus(make_corpus(tmp_path / "c", dumps), with_related=False)
    return corpus, {p.title: p for p in corpus.papers}


def merge_problems(corpus):
    """Problems other than a spaced dump's listing date lacking a year (not a merge matter)."""
    return [p for p in corpus.problems if not p.message.startswith("listing date")]


def record(title, abstract="Same abstract.", dump="a.txt", line=1, meta=None):
    return RawRecord(Source(dump, line), title, abstract, meta)


def meta(authors=None, upvotes=0, org=None, year=2023):
    handle, name = org if org else (None, None)
    return Metadata(f"Jul 19, {year}", 7, 19, year, upvotes, authors, handle, name)


# --- identity --------------------------------------------------------------------------------

def test_same_paper_in_three_dumps_is_one_paper_with_every_source(tmp_path):
    title = "Neural Foundations of Mental Simulation: Future Prediction of Latent Representations on Dynamic Scenes"
    abstract = "Humans and animals have a rich and flexible understanding of the physical world."
    corpus, by_title = load(tmp_path, {
        "000_c.txt": compact(("Key-value memory in the brain", "Classical models."), (title, abstract)),
        "001_s.txt": spaced((title, abstract, ["  • 4 authors", "·", "May 19, 2023"])),
        "003_s.txt": spaced(("Other Paper", "Other abstract.", None), (title, abstract, None)),
    })
    assert len(corpus.papers) == 3
    assert corpus.duplicates == 2
    paper = by_title[title]
    assert [(s.dump, s.line) for s in paper.sources] == [("000_c.txt", 5), ("001_s.txt", 13), ("003_s.txt", 17)]
    assert paper.authors == 4
    assert paper.date.value.isoformat() == "2023-05-19"
    assert paper.upvotes == 0
    assert merge_problems(corpus) == []


def test_identity_folds_case_punctuation_and_spacing():
    merged = merge([
        record("Fast & Slow Learning: Synthetic Gradients", line=1),
        record("fast  slow learning  synthetic gradients", line=3),
        record("FAST-SLOW LEARNING -- SYNTHETIC GRADIENTS.", line=5),
        record("  Fast & Slow Learning: Synthetic Gradients ", line=7),
    ])
    assert len(merged.papers) == 1
    assert merged.duplicates == 3
    assert len(merged.papers[0].sources) == 4


def test_different_titles_stay_different_papers():
    merged = merge([
        record("Learning to Learn"),
        record("Learning to Learn 2"),
        record("Learning to Learn, Again"),
        record("Learning-to-Learn Networks"),
    ])
    assert len(merged.papers) == 4
    assert merged.duplicates == 0


def test_merged_title_is_the_one_most_listings_show():
    merged = merge([
        record("fast slow learning", dump="a.txt"),
        record("Fast & Slow Learning", dump="b.txt"),
        record("Fast & Slow Learning", dump="c.txt"),
    ])
    assert merged.papers[0].title == "Fast & Slow Learning"


# --- merge rules -----------------------------------------------------------------------------

def test_highest_upvote_count_wins():
    merged = merge([
        record("Titans", dump="a.txt", meta=meta(authors=3, upvotes=3)),
        record("Titans", dump="b.txt", meta=meta(authors=3, upvotes=7)),
        record("Titans", dump="c.txt", meta=meta(authors=3, upvotes=0)),
        record("Titans", dump="d.txt"),
    ])
    assert merged.papers[0].upvotes == 7
    assert merged.problems == ()


def test_upvotes_are_none_only_when_no_listing_showed_metadata():
    merged = merge([record("Bare"), record("Bare", dump="b.txt"), record("Zero"),
                    record("Zero", dump="b.txt", meta=meta(authors=1, upvotes=0))])
    by_title = {p.title: p for p in merged.papers}
    assert by_title["Bare"].upvotes is None
    assert by_title["Zero"].upvotes == 0


def test_authors_and_organization_come_from_whichever_listing_has_them(tmp_path):
    title = "Continuous Thought Machines"
    corpus, by_title = load(tmp_path, {
        "002_s.txt": spaced((title, "Biological brains.", ["SakanaAI Sakana AI", "·", "May 8, 2025"])),
        "004_c.txt": compact((title, "Biological brains.")),
        "005_s.txt": spaced(("Titans", "Over more than a decade.", None)),
        "006_s.txt": spaced(("Titans", "Over more than a decade.", ["  • 3 authors", "·", "Dec 31, 2024 3"])),
    })
    ctm = by_title[title]
    assert (ctm.org_handle, ctm.org_name, ctm.authors) == ("SakanaAI", "Sakana AI", None)
    titans = by_title["Titans"]
    assert (titans.authors, titans.org_name, titans.upvotes) == (3, None, 3)
    assert titans.date.value.isoformat() == "2024-12-31"
    assert merge_problems(corpus) == []


def test_first_listing_without_metadata_does_not_hide_later_metadata():
    merged = merge([
        record("Paper", dump="a.txt"),
        record("Paper", dump="b.txt", meta=meta(org=("apple", "Apple"), upvotes=2)),
    ])
    paper = merged.papers[0]
    assert (paper.org_handle, paper.org_name, paper.upvotes) == ("apple", "Apple", 2)


# --- conflicts -------------------------------------------------------------------------------

def test_two_different_abstracts_are_reported_with_both_places(tmp_path):
    title = "Key-value memory in the brain"
    corpus, by_title = load(tmp_path, {
        "000_c.txt": compact((title, "Classical models of memory rely on similarity-based retrieval.")),
        "001_s.txt": spaced(("Other Paper", "Other abstract.", None),
                            (title, "A completely different abstract about something else.", None)),
    })
    assert len(corpus.papers) == 2  # still one paper for the title
    paper = by_title[title]
    assert paper.abstract in ("Classical models of memory rely on similarity-based retrieval.",
                              "A completely different abstract about something else.")
    conflicts = [str(p) for p in corpus.problems if "abstract" in p.message]
    assert len(conflicts) == 1, corpus.problems
    assert "000_c.txt:3" in conflicts[0] and "001_s.txt:17" in conflicts[0]


def test_same_abstract_is_not_a_conflict(tmp_path):
    title = "Key-value memory in the brain"
    corpus, _ = load(tmp_path, {
        "000_c.txt": compact((title, "Classical models of memory.")),
        "001_s.txt": spaced((title, "Classical models of memory.", ["  • 2 authors", "·", "Jan 2, 2024"])),
    })
    assert merge_problems(corpus) == []


def test_two_author_counts_are_reported_with_both_places(tmp_path):
    title = "Brain3D: Generating 3D Objects from fMRI"
    corpus, by_title = load(tmp_path, {
        "001_s.txt": spaced((title, "Understanding the hidden mechanisms.", ["  • 7 authors", "·", "May 24, 2024"])),
        "002_s.txt": spaced(("Other", "Other.", None),
                            (title, "Understanding the hidden mechanisms.", ["  • 8 authors", "·", "May 24, 2024"])),
    })
    assert len(corpus.papers) == 2
    assert by_title[title].authors in (7, 8)
    conflicts = [str(p) for p in corpus.problems if "author" in p.message]
    assert len(conflicts) == 1, corpus.problems
    assert "001_s.txt:13" in conflicts[0] and "002_s.txt:17" in conflicts[0]
    assert re.search(r"\b7\b", conflicts[0]) and re.search(r"\b8\b", conflicts[0])


def test_conflicts_are_counted_in_the_check_report(tmp_path):
    from generator.report import check_report

    title = "Key-value memory in the brain"
    corpus, _ = load(tmp_path, {
        "000_c.txt": compact((title, "One abstract.")),
        "001_c.txt": compact((title, "Another abstract.")),
    })
    report = check_report(corpus)
    assert "conflicts between listings: 1" in report
    assert "000_c.txt:3" in report


# --- accounting ------------------------------------------------------------------------------

def test_accounting_adds_up(tmp_path):
    corpus, _ = load(tmp_path, {
        "000_c.txt": compact(("A", "a."), ("B", "b."), ("C", "c.")),  # 3 records
        "001_c.txt": compact(("a", "a."), ("D", "d.")),  # 2 records, 1 duplicate
        "002_c.txt": compact(("B", "b."), ("c", "c."), ("E", "e.")),  # 3 records, 2 duplicates
    })
    assert corpus.records_read == 8
    assert len(corpus.papers) == 5
    assert corpus.duplicates == 3
    assert corpus.accounting() == "records read 8 = papers 5 + duplicates merged 3 + rejected 0"
