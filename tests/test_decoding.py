"""Each broken sample dump (tests/dumps/broken, tests/dumps/more) read on its own.

Expected titles, lines and values are read off the files (see `cat -A` of each):
messages must name `file:line`, readable dumps must come out without mojibake,
byte-order marks or carriage returns, and nothing but a CorpusError may escape.
"""

from __future__ import annotations

import codecs
import json
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from generator.corpus import load_corpus
from generator.errors import CorpusError, DumpError
from generator.sources import SourceSettings, decode
from helpers import BROKEN, MORE, SPACED_HEADER, h1_text, make_corpus, page_tree, paper_pages, run_cli

CLEAN = "\n".join(SPACED_HEADER + [
    "Clean Paper", "", "Clean abstract.", "", "  • 2 authors", "·", "Jul 19, 2023 5", ""])


def load(tmp_path, *names: str, sources: str | None = None, folder=BROKEN):
    corpus = make_corpus(tmp_path / "c", {n: (folder / n).read_bytes() for n in names}, sources=sources)
    return load_corpus(corpus, with_related=False)


def problems_of(corpus, dump: str) -> list[str]:
    return [str(p) for p in corpus.problems if p.where.split(":")[0] == dump]


def only_paper(corpus):
    assert len(corpus.papers) == 1, [p.title for p in corpus.papers]
    return corpus.papers[0]


# --- Latin-1 ----------------------------------------------------------------------------------------

def test_latin1_is_rejected_with_file_line_and_the_encoding_fix(tmp_path):
    corpus = load(tmp_path, "latin1.txt")
    assert corpus.papers == ()
    [rejected] = corpus.rejected
    assert (rejected.source.dump, rejected.source.line) == ("latin1.txt", 3)  # "SubscribeCafé Paper"
    [message] = problems_of(corpus, "latin1.txt")
    assert message.startswith("latin1.txt:3: ")
    assert "not UTF-8" in message and "0xe9" in message
    assert "sources.yml" in message and "latin1.txt: {encoding: latin-1}" in message


def test_latin1_rejection_in_the_check_report_does_not_stop_other_dumps(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": CLEAN, "latin1.txt": (BROKEN / "latin1.txt").read_bytes()})
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^  latin1\.txt:3: dump not read: not UTF-8 .*encoding: latin-1", result.stdout, re.M), \
        result.stdout


@pytest.mark.parametrize("stated", ["latin-1", "latin1", "iso-8859-1", "cp1252"])
def test_latin1_is_read_right_when_sources_yml_states_it(tmp_path, stated):
    corpus = load(tmp_path, "latin1.txt", sources=f"latin1.txt: {{encoding: {stated}}}\n")
    assert corpus.rejected == ()
    assert corpus.dumps[0].encoding == codecs.lookup(stated).name
    paper = only_paper(corpus)
    assert paper.title == "Caf\u00e9 Paper"
    assert paper.abstract == "An abstract in Latin-1 with caf\u00e9."
    assert (paper.sources[0].dump, paper.sources[0].line) == ("latin1.txt", 3)


def test_latin1_stated_builds_a_page_without_mojibake(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"latin1.txt": (BROKEN / "latin1.txt").read_bytes()},
                         sources="latin1.txt: {encoding: latin-1}\n")
    site = tmp_path / "site"
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    pages = paper_pages(site)
    assert len(pages) == 1, pages
    page = pages[0]
    tree = page_tree(page)
    assert h1_text(tree) == "Caf\u00e9 Paper"
    text = tree.text()
    assert "An abstract in Latin-1 with caf\u00e9." in text
    assert "\u00c3" not in text and "\ufffd" not in text  # Ã (UTF-8 read as Latin-1) or the replacement char
    records = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    assert [r["title"] for r in records] == ["Caf\u00e9 Paper"]


def test_a_stated_encoding_that_fails_is_rejected(tmp_path):
    corpus = load(tmp_path, "latin1.txt", sources="latin1.txt: {encoding: ascii}\n")
    assert corpus.papers == ()
    [message] = problems_of(corpus, "latin1.txt")
    assert "ascii" in message and "sources.yml" in message


def test_a_stated_encoding_that_fails_names_the_bad_line(tmp_path):
    """The decoding rule promises 'the first bad line'; é is on line 3."""
    corpus = load(tmp_path, "latin1.txt", sources="latin1.txt: {encoding: ascii}\n")
    [rejected] = corpus.rejected
    assert rejected.source.line == 3
    [message] = problems_of(corpus, "latin1.txt")
    assert message.startswith("latin1.txt:3: "), message


def test_valid_utf8_wins_over_a_stated_encoding():
    """Decoding rule, step 1 before step 3: bytes that are valid UTF-8 are UTF-8.

    A dump re-saved as UTF-8 (as the rejection message advises) while sources.yml
    still says latin-1 must not turn into mojibake.
    """
    text = decode("a.txt", "Caf\u00e9 Paper\n".encode("utf-8"), SourceSettings(encoding="iso8859-1"))
    assert text.text == "Caf\u00e9 Paper\n"


# --- UTF-16, BOM, line ends ------------------------------------------------------------------------

def test_utf16_le_with_bom_is_read(tmp_path):
    corpus = load(tmp_path, "utf16.txt")
    assert corpus.dumps[0].encoding == "utf-16"
    paper = only_paper(corpus)
    assert paper.title == "UTF-16 Paper"
    assert paper.abstract == "An abstract in UTF-16 with \u00e9."
    assert paper.sources[0].line == 3


def test_utf16_be_with_bom_is_read(tmp_path):
    corpus = load(tmp_path, "utf16_be.txt", folder=MORE)
    paper = only_paper(corpus)
    assert paper.title == "Big Endian Paper"
    assert paper.abstract == "An abstract in UTF-16 BE with \u00fc."
    assert paper.sources[0].line == 2


def test_invalid_utf16_is_rejected_not_raised(tmp_path):
    corpus = load(tmp_path, "utf16_odd.txt", folder=MORE)
    assert corpus.papers == ()
    assert len(corpus.rejected) == 1
    [message] = problems_of(corpus, "utf16_odd.txt")
    assert "UTF-16" in message and "UTF-8" in message  # says what it is and what to do


def test_invalid_utf16_message_names_file_and_line(tmp_path):
    corpus = load(tmp_path, "utf16_odd.txt", folder=MORE)
    [message] = problems_of(corpus, "utf16_odd.txt")
    assert re.match(r"utf16_odd\.txt:\d+: ", message), message


def test_utf8_bom_and_crlf(tmp_path):
    corpus = load(tmp_path, "bom_crlf.txt")
    dump = corpus.dumps[0]
    assert (dump.encoding, dump.layout) == ("utf-8-sig", "spaced")
    paper = only_paper(corpus)
    assert paper.title == "BOM CRLF Paper"
    assert paper.abstract == "Abstract read from a BOM and CRLF file."
    assert paper.sources[0].line == 13  # CRLF folded without losing line numbers
    assert (paper.date.value.isoformat(), paper.upvotes, paper.authors) == ("2022-09-09", 4, 1)
    assert problems_of(corpus, "bom_crlf.txt") == []


def test_cr_only_line_ends(tmp_path):
    corpus = load(tmp_path, "cr_only.txt", folder=MORE)
    paper = only_paper(corpus)
    assert paper.title == "CR Only Paper"
    assert paper.abstract == "Abstract of a file with old Mac line ends."
    assert paper.sources[0].line == 13
    assert (paper.date.value.isoformat(), paper.upvotes, paper.authors) == ("2022-06-03", 8, 2)


def test_utf8_bom_then_invalid_bytes_is_rejected_with_file_line(tmp_path):
    """A UTF-8 BOM followed by Latin-1 bytes: rejected like any non-UTF-8 dump, not a crash."""
    with pytest.raises(DumpError, match=r"^bom_not_utf8\.txt:2: "):
        decode("bom_not_utf8.txt", (MORE / "bom_not_utf8.txt").read_bytes())


def test_utf8_bom_then_invalid_bytes_does_not_stop_the_corpus(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": CLEAN,
                                          "bom_not_utf8.txt": (MORE / "bom_not_utf8.txt").read_bytes()})
    result = run_cli("check", "--corpus", str(corpus))
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert result.returncode == 0, result.stderr
    assert re.search(r"^  bom_not_utf8\.txt:2: dump not read", result.stdout, re.M), result.stdout


# --- binary, empty, header only ---------------------------------------------------------------------

def test_binary_is_rejected_with_file_line(tmp_path):
    corpus = load(tmp_path, "binary.txt")
    assert corpus.papers == ()
    [rejected] = corpus.rejected
    # the first NUL is on line 1, the first byte that is not UTF-8 on line 2: either is the "bad line"
    assert rejected.source.line in (1, 2)
    [message] = problems_of(corpus, "binary.txt")
    assert re.match(rf"binary\.txt:{rejected.source.line}: binary data", message), message
    assert "remove it" in message


def test_nul_bytes_in_valid_utf8_are_binary():
    with pytest.raises(DumpError, match=r"^x\.txt:3: binary data"):
        decode("x.txt", b"Title\nAbstract\n\x00\x00\x00\n")


@pytest.mark.parametrize("name", ["empty.txt", "header_only.txt"])
def test_dump_without_records_is_reported_not_fatal(tmp_path, name):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": CLEAN, name: (BROKEN / name).read_bytes()})
    loaded = load_corpus(corpus, with_related=False)
    dump = next(d for d in loaded.dumps if d.name == name)
    assert (dump.records, dump.rejected, dump.layout) == ((), (), "empty")
    assert any(m.startswith(f"{name}") and "no paper records found" in m for m in problems_of(loaded, name))
    assert [p.title for p in loaded.papers] == ["Clean Paper"]
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 0
    assert f"  {name}: no paper records found" in result.stdout


def test_only_empty_dumps_is_an_error_naming_the_cause(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"empty.txt": b"", "header_only.txt": (BROKEN / "header_only.txt").read_bytes()})
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 1
    assert "no usable paper" in result.stderr


# --- cut-off records, mixed layouts, bad dates --------------------------------------------------------

def test_cut_title_rejects_only_the_last_record(tmp_path):
    corpus = load(tmp_path, "cut_title.txt")
    assert [(p.title, p.sources[0].line) for p in corpus.papers] == [("Complete Paper", 13)]
    [rejected] = corpus.rejected
    assert (rejected.source.line, rejected.text) == (21, "A Title Without Abstract")
    assert "cut off" in rejected.reason
    assert any(m.startswith("cut_title.txt:21: record rejected") for m in problems_of(corpus, "cut_title.txt"))


def test_cut_metadata_keeps_the_paper_undated(tmp_path):
    corpus = load(tmp_path, "cut_meta.txt")
    paper = only_paper(corpus)
    assert (paper.title, paper.date, paper.authors) == ("Paper With Cut Metadata", None, 2)
    assert any(m.startswith("cut_meta.txt:18: metadata block without date")
               for m in problems_of(corpus, "cut_meta.txt"))


def test_mixed_layouts_in_one_dump(tmp_path):
    corpus = load(tmp_path, "mixed.txt")
    assert corpus.dumps[0].layout == "mixed"
    found = {p.title: (p.sources[0].line, p.abstract) for p in corpus.papers}
    assert found == {
        "Spaced Paper One": (13, "Spaced abstract one."),
        "Compact Paper Two": (21, "Compact abstract two."),
        "Compact Paper Three": (23, "Compact abstract three."),
    }
    spaced = next(p for p in corpus.papers if p.title == "Spaced Paper One")
    assert (spaced.date.value.isoformat(), spaced.authors) == ("2024-01-02", 2)


def test_impossible_date_and_non_number_upvotes(tmp_path):
    corpus = load(tmp_path, "bad_dates.txt")
    messages = problems_of(corpus, "bad_dates.txt")
    feb30 = [m for m in messages if m.startswith("bad_dates.txt:19: ")]
    lots = [m for m in messages if m.startswith("bad_dates.txt:27: ")]
    assert len(feb30) == 1 and "Feb 30, 2024" in feb30[0] and "not a real date" in feb30[0], messages
    assert len(lots) == 1 and '"lots"' in lots[0] and "not a number" in lots[0], messages
    papers = {p.title: p for p in corpus.papers}
    assert set(papers) == {"Impossible Date Paper", "Bad Upvotes Paper"}  # both kept
    assert papers["Impossible Date Paper"].date is None
    assert papers["Impossible Date Paper"].authors == 2
    bad = papers["Bad Upvotes Paper"]
    assert (bad.date.value.isoformat(), bad.upvotes) == ("2023-07-19", None)


def test_all_broken_dumps_together(tmp_path):
    """binary, latin1 and the cut title are the three rejected records; 9 papers from the rest."""
    corpus = load(tmp_path, *(p.name for p in sorted(BROKEN.glob("*.txt"))))
    assert corpus.accounting() == "records read 12 = papers 9 + duplicates merged 0 + rejected 3"
    assert sorted((r.source.dump, r.source.line) for r in corpus.rejected)[1:] == [
        ("cut_title.txt", 21), ("latin1.txt", 3)]


# --- properties of the decoding rule -----------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@given(_TEXT, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_utf8_text_decodes_to_itself_with_line_ends_folded(text, newline, bom):
    assume(bom or not text.startswith("\ufeff"))  # a leading U+FEFF is a byte-order mark
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    data = (codecs.BOM_UTF8 if bom else b"") + newline.join(lines).encode("utf-8")
    decoded = decode("x.txt", data)
    assert decoded.text == "\n".join(lines)
    assert decoded.encoding == ("utf-8-sig" if bom else "utf-8")


@given(_TEXT, st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_with_bom_decodes_to_itself(text, codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    decoded = decode("x.txt", bom + text.encode(codec))
    assert decoded.text == text.replace("\r\n", "\n").replace("\r", "\n")


@given(st.binary(min_size=1).filter(lambda b: not b.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))))
def test_non_utf8_bytes_are_rejected_naming_the_line_of_the_first_bad_byte(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
    else:
        return  # valid UTF-8: covered above
    if data.startswith(codecs.BOM_UTF8):
        return  # see test_utf8_bom_then_invalid_bytes_is_rejected_with_file_line
    with pytest.raises(DumpError) as caught:
        decode("x.txt", data)
    assert str(caught.value).startswith(f"x.txt:{bad_line}: ")
    assert isinstance(caught.value, CorpusError)
