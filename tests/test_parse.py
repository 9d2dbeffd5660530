"""Reading one dump: both layouts, layout detection, encodings, line ends, file:line provenance.

The small dumps here are written out line by line so the expected line numbers
can be read off the text (the comments number them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.corpus import load_corpus, read_dump
from generator.parse import parse_dump
from helpers import make_corpus

# Compact layout: two header lines, `Subscribe` glued to the first title,
# then title line / abstract line, no blank lines, no metadata.
COMPACT_LINES = [
    "Get trending papers in your email inbox once a day!",  # 1
    "Get trending papers in your email inbox!",  # 2
    "SubscribeBriLLM: Brain-inspired Large Language Model",  # 3
    "This paper reports the first brain-inspired large language model (BriLLM).",  # 4
    "Subscriber Dynamics in Recurrent Networks",  # 5  (a real title that starts with "Subscribe")
    "We study subscribers.",  # 6
    "Key-value memory in the brain",  # 7
    "Classical models of memory rely on similarity-based retrieval.",  # 8
]
COMPACT = "\n".join(COMPACT_LINES) + "\n"

# Spaced layout: header lines, listing date, blank-line separated blocks.
SPACED_LINES = [
    "new",  # 1
    "",
    "Get trending papers in your email inbox!",  # 3
    "",
    "Subscribe",  # 5
    "",
    "Daily Papers",  # 7
    "",
    "byAK and the research community",  # 9
    "",
    "Oct 28",  # 11
    "",
    "Implicit Identity Representation Conditioned Memory Compensation Network",  # 13
    "",
    "Talking head video generation aims to animate a human face.",  # 15
    "",
    "  • 2 authors",  # 17
    "·",  # 18
    "Jul 19, 2023 1",  # 19
    "",
    "Pretraining with hierarchical memories: separating long-tail and common knowledge",  # 21
    "",
    "The impressive performance gains of modern language models rely on scaling.",  # 23
    "",
    "apple Apple",  # 25
    "·",  # 26
    "Sep 29 2",  # 27
    "",
    "Mixing Mechanisms: How Language Models Retrieve Bound Entities In-Context",  # 29
    "",
    "A key component of in-context reasoning is binding entities.",  # 31
    "",
    "Continuous Thought Machines",  # 33
    "",
    "Biological brains demonstrate complex neural activity.",  # 35
    "",
    "SakanaAI Sakana AI",  # 37
    "·",  # 38
    "May 8, 2025",  # 39
    "",
    "Understanding Transformers through the Lens of Pavlovian Conditioning",  # 41
    "",
    "Transformer architectures have revolutionized artificial intelligence.",  # 43
    "",
    "  • 1 authors",  # 45
    "·",  # 46
    "Aug 5",  # 47
    "",
    "Bridging Brains and Machines",  # 49
    "",
    "This position and survey paper identifies the emerging convergence.",  # 51
    "",
    "  • 45 authors",  # 53
    "·",  # 54
    "Jul 14, 2025",  # 55
]
SPACED = "\n".join(SPACED_LINES)


def test_the_numbered_fixtures_are_numbered_right():
    # guards the comments above, which the expected line numbers below rely on
    assert SPACED_LINES[10] == "Oct 28" and SPACED_LINES[12].startswith("Implicit")
    assert SPACED_LINES[48] == "Bridging Brains and Machines"
    assert COMPACT_LINES[2].startswith("Subscribe")


# --- compact layout -------------------------------------------------------------------------

def test_compact_layout_records_titles_abstracts_and_lines():
    parsed = parse_dump("000_compact.txt", COMPACT)
    assert parsed.layout == "compact"
    assert parsed.listing_text is None
    assert [(r.title, r.abstract, r.source.dump, r.source.line) for r in parsed.records] == [
        ("BriLLM: Brain-inspired Large Language Model",
         "This paper reports the first brain-inspired large language model (BriLLM).", "000_compact.txt", 3),
        ("Subscriber Dynamics in Recurrent Networks", "We study subscribers.", "000_compact.txt", 5),
        ("Key-value memory in the brain", "Classical models of memory rely on similarity-based retrieval.",
         "000_compact.txt", 7),
    ]
    assert all(r.meta is None and r.date is None for r in parsed.records)
    assert parsed.rejected == () and parsed.problems == ()


def test_compact_glued_subscribe_with_a_space_is_still_stripped():
    text = COMPACT.replace("SubscribeBriLLM", "Subscribe BriLLM")
    first = parse_dump("x.txt", text).records[0]
    assert first.title == "BriLLM: Brain-inspired Large Language Model"
    assert first.source.line == 3


def test_compact_without_trailing_newline_keeps_last_record():
    parsed = parse_dump("x.txt", COMPACT.rstrip("\n"))
    assert len(parsed.records) == 3
    assert parsed.records[-1].abstract == "Classical models of memory rely on similarity-based retrieval."


# --- spaced layout --------------------------------------------------------------------------

def _by_title(records):
    return {r.title: r for r in records}


def test_spaced_layout_listing_date_and_record_lines():
    parsed = parse_dump("001_spaced.txt", SPACED)
    assert parsed.layout == "spaced"
    assert parsed.listing_text == "Oct 28"
    assert [(r.title.split(":")[0].split(" ")[0], r.source.line) for r in parsed.records] == [
        ("Implicit", 13), ("Pretraining", 21), ("Mixing", 29), ("Continuous", 33),
        ("Understanding", 41), ("Bridging", 49),
    ]
    assert all(r.source.dump == "001_spaced.txt" for r in parsed.records)
    assert parsed.rejected == () and parsed.problems == ()


def test_spaced_authors_line_full_date_and_upvotes():
    r = _by_title(parse_dump("x.txt", SPACED).records)[
        "Implicit Identity Representation Conditioned Memory Compensation Network"]
    assert r.abstract == "Talking head video generation aims to animate a human face."
    assert (r.meta.authors, r.meta.org_handle, r.meta.org_name) == (2, None, None)
    assert (r.meta.year, r.meta.month, r.meta.day, r.meta.upvotes) == (2023, 7, 19, 1)


def test_spaced_org_line_and_date_without_year_with_upvotes():
    r = _by_title(parse_dump("x.txt", SPACED).records)[
        "Pretraining with hierarchical memories: separating long-tail and common knowledge"]
    assert r.meta.authors is None
    assert (r.meta.org_handle, r.meta.org_name) == ("apple", "Apple")
    assert (r.meta.year, r.meta.month, r.meta.day, r.meta.upvotes) == (None, 9, 29, 2)


def test_spaced_org_display_name_with_spaces():
    r = _by_title(parse_dump("x.txt", SPACED).records)["Continuous Thought Machines"]
    assert (r.meta.org_handle, r.meta.org_name) == ("SakanaAI", "Sakana AI")
    # a date line without an upvote count means 0 upvotes
    assert (r.meta.year, r.meta.month, r.meta.day, r.meta.upvotes) == (2025, 5, 8, 0)


def test_spaced_record_without_metadata():
    r = _by_title(parse_dump("x.txt", SPACED).records)[
        "Mixing Mechanisms: How Language Models Retrieve Bound Entities In-Context"]
    assert r.abstract == "A key component of in-context reasoning is binding entities."
    assert r.meta is None


def test_spaced_no_year_no_upvotes_and_big_author_count():
    records = _by_title(parse_dump("x.txt", SPACED).records)
    pavlov = records["Understanding Transformers through the Lens of Pavlovian Conditioning"]
    assert (pavlov.meta.authors, pavlov.meta.year, pavlov.meta.month, pavlov.meta.day, pavlov.meta.upvotes) == (
        1, None, 8, 5, 0)
    bridging = records["Bridging Brains and Machines"]
    assert (bridging.meta.authors, bridging.meta.year, bridging.meta.upvotes) == (45, 2025, 0)


def test_spaced_metadata_block_without_date_keeps_paper_and_reports_line():
    lines = SPACED_LINES[:19] + ["", "Next Paper", "", "Its abstract."]
    # drop the date line of the first record (line 19): "·" is followed by the next title
    lines = lines[:18] + lines[19:]
    parsed = parse_dump("cut.txt", "\n".join(lines))
    titles = [r.title for r in parsed.records]
    assert titles[0] == "Implicit Identity Representation Conditioned Memory Compensation Network"
    assert parsed.records[0].meta is not None and parsed.records[0].meta.month is None
    assert parsed.problems, "a metadata block without a date must be reported"
    assert any(p.where.startswith("cut.txt:") for p in parsed.problems)


def test_header_only_dump_has_no_records_and_a_problem():
    parsed = parse_dump("empty.txt", "\n".join(SPACED_LINES[:11]) + "\n")
    assert parsed.records == ()
    assert parsed.problems and parsed.problems[0].where.startswith("empty.txt")


# --- layout detection is by content --------------------------------------------------------

def test_layout_is_detected_from_content_not_file_name(tmp_path):
    corpus = make_corpus(tmp_path / "c", {
        # names say the opposite of what the files hold
        "spaced_listing.txt": COMPACT,
        "compact_listing.txt": SPACED,
    })
    loaded = load_corpus(corpus, with_related=False)
    layouts = {d.name: d.layout for d in loaded.dumps}
    assert layouts == {"spaced_listing.txt": "compact", "compact_listing.txt": "spaced"}
    counts = {d.name: len(d.records) for d in loaded.dumps}
    assert counts == {"spaced_listing.txt": 3, "compact_listing.txt": 6}


# --- encodings and line ends ---------------------------------------------------------------

def _records(path: Path):
    dump = read_dump(path, None)
    return dump, [(r.title, r.abstract, r.meta, r.source.line) for r in dump.records]


@pytest.mark.parametrize("text", [COMPACT, SPACED], ids=["compact", "spaced"])
@pytest.mark.parametrize("bom, newline", [
    (False, "\r\n"), (True, "\n"), (True, "\r\n"),
], ids=["crlf", "bom", "bom+crlf"])
def test_bom_and_crlf_read_the_same_as_plain_lf(tmp_path, text, bom, newline):
    plain = tmp_path / "plain.txt"
    plain.write_bytes(text.encode("utf-8"))
    other = tmp_path / "other.txt"
    other.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8"))
    plain_dump, expected = _records(plain)
    other_dump, got = _records(other)
    assert got == expected
    assert other_dump.layout == plain_dump.layout
    assert other_dump.listing.text == plain_dump.listing.text
    assert all("\r" not in t and "\ufeff" not in t and "\r" not in a for t, a, _, _ in got)
    assert other_dump.problems == plain_dump.problems


def test_bom_before_glued_subscribe_header(tmp_path):
    # the BOM sits in front of the first header line; the glued title must still be found
    corpus = make_corpus(tmp_path / "c", {"a.txt": b"\xef\xbb\xbf" + COMPACT.replace("\n", "\r\n").encode()})
    dump = load_corpus(corpus, with_related=False).dumps[0]
    assert dump.layout == "compact"
    assert [r.title for r in dump.records][0] == "BriLLM: Brain-inspired Large Language Model"
    assert len(dump.records) == 3


def test_non_ascii_text_is_decoded_as_utf8(tmp_path):
    text = COMPACT.replace("Key-value memory in the brain", "Mem-α: Padé Approximants")
    corpus = make_corpus(tmp_path / "c", {"a.txt": text.encode("utf-8")})
    titles = [r.title for r in load_corpus(corpus, with_related=False).dumps[0].records]
    assert "Mem-α: Padé Approximants" in titles


# --- issue 14: records that shifted or lost words in silence ---------------------------------------------

ABSTRACT = ("We study {0} in recurrent networks. Our model stores patterns in fast weights and recalls them "
            "from partial cues. Experiments on three benchmarks show gains over the baselines. Code is public.")


@pytest.mark.parametrize("first_title, expected", [
    ("Subscriber Churn Prediction with Memory", "Subscriber Churn Prediction with Memory"),
    ("Subscribed Users Recall More", "Subscribed Users Recall More"),
    ("SubscribeSubscriber Churn Prediction", "Subscriber Churn Prediction"),
    ("Subscribes1: Simple Test-Time Scaling", "s1: Simple Test-Time Scaling"),
])
def test_glued_subscribe_no_longer_eats_real_titles(first_title, expected):
    """Stripping a glued `Subscribe` turned `Subscriber Churn Prediction` into `r Churn Prediction`."""
    parsed = parse_dump("a.txt", f"{first_title}\n{ABSTRACT.format('churn')}\n")
    assert [r.title for r in parsed.records] == [expected]


def test_a_missing_abstract_in_the_compact_layout_shifts_nothing():
    """A missing abstract in the compact layout made every later title an abstract, in silence."""
    lines = ["Get trending papers in your email inbox!", "SubscribeFirst Paper on Memory",
             ABSTRACT.format("memory"),
             "Second Paper Lost Its Abstract",  # line 4: its abstract line is missing
             "Third Paper on Replay", ABSTRACT.format("replay"),
             "Fourth Paper on Sleep", ABSTRACT.format("sleep")]
    parsed = parse_dump("a.txt", "\n".join(lines) + "\n")
    assert [(r.title, r.abstract[:20]) for r in parsed.records] == [
        ("First Paper on Memory", "We study memory in r"), ("Third Paper on Replay", "We study replay in r"),
        ("Fourth Paper on Sleep", "We study sleep in re")]
    [rejected] = parsed.rejected
    assert (str(rejected.source), rejected.text) == ("a.txt:4", "Second Paper Lost Its Abstract")
    assert "next line reads as the next paper's title" in rejected.reason
    assert any(p.where == "a.txt:4" for p in parsed.problems)


def test_a_missing_title_in_the_compact_layout_rejects_the_orphan_abstract():
    """A missing title made an abstract the title, and the next title its abstract."""
    lines = ["Get trending papers in your email inbox!", "SubscribeFirst Paper on Memory",
             ABSTRACT.format("memory"),
             ABSTRACT.format("orphans"),  # line 4: its title line is missing
             "Third Paper on Replay", ABSTRACT.format("replay")]
    parsed = parse_dump("a.txt", "\n".join(lines) + "\n")
    assert [r.title for r in parsed.records] == ["First Paper on Memory", "Third Paper on Replay"]
    [rejected] = parsed.rejected
    assert str(rejected.source) == "a.txt:4" and "abstract without title" in rejected.reason


def test_a_spaced_abstract_starting_with_a_bullet_is_an_abstract():
    """An abstract starting with `•` was read as an authors line: its record was rejected."""
    text = "\n\n".join(["Daily Papers", "Oct 28", "Bulleted Paper", "• We propose a memory. It works. It scales.",
                        "• 3 authors", "·", "Oct 27, 2025 4"]) + "\n"
    parsed = parse_dump("a.txt", text)
    [record] = parsed.records
    assert record.abstract == "• We propose a memory. It works. It scales."
    assert record.meta is not None and record.meta.authors == 3
    assert parsed.rejected == () and parsed.problems == ()
