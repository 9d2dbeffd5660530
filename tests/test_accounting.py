"""Every record read is a paper page or a rejected record with file:line and reason.

The mix below is written out line by line so each expected count and line number
can be read off the dumps themselves:

    good_spaced.txt   Alpha (13), Beta (21), a title without abstract (29, rejected), Gamma (35)
    good_compact.txt  Delta (3), Alpha again (5, a duplicate of good_spaced.txt:13)
    cut.txt           Epsilon (1), a title the dump ends on (5, rejected)
    binary.txt        NUL bytes: the whole dump is one rejected record (line 1)
    latin.txt         Latin-1 without sources.yml: one rejected record (the bad byte is on line 2)
    empty.txt         nothing

    records read 10 = papers 5 (Alpha..Epsilon) + duplicates merged 1 + rejected 4
"""

from __future__ import annotations

import json
import re

import pytest

from helpers import (
    ACCOUNTING,
    BROKEN,
    COMPACT_HEADER,
    HOSTILE,
    SPACED_HEADER,
    copy_dumps,
    error_lines,
    h1_text,
    last_line,
    make_corpus,
    page_tree,
    paper_pages,
    run_cli,
)

GOOD_SPACED = "\n".join(SPACED_HEADER + [
    "Alpha Paper On Memory",  # 13
    "",
    "Alpha abstract about memory.",
    "",
    "  • 3 authors", "·", "Jul 19, 2023 5",
    "",
    "Beta Paper",  # 21
    "",
    "Beta abstract.",
    "",
    "  • 2 authors", "·", "Aug 5, 2023 2",
    "",
    "Orphan Title Before Metadata",  # 29: no abstract, its metadata follows
    "",
    "  • 4 authors", "·", "Aug 6, 2023 1",
    "",
    "Gamma Paper",  # 35
    "",
    "Gamma abstract.",
    "",
    "  • 1 author", "·", "Aug 7, 2023 9",
    "",
])
GOOD_COMPACT = "\n".join(COMPACT_HEADER + [
    "SubscribeDelta Paper",  # 3
    "Delta abstract.",
    "Alpha Paper On Memory",  # 5: same paper as good_spaced.txt:13
    "Alpha abstract about memory.",
    "",
])
CUT = "\n".join([
    "Epsilon Paper",  # 1
    "",
    "Epsilon abstract.",
    "",
    "A Cut Off Title",  # 5: the dump ends here
])
BINARY = b"PK\x03\x04\x00\x00\xff\xfe\x00binary\x00\n\x01\x02"
LATIN = "Zeta Paper\nZeta abstract, caf\u00e9.\n".encode("latin-1")

MIX = {"good_spaced.txt": GOOD_SPACED, "good_compact.txt": GOOD_COMPACT, "cut.txt": CUT,
       "binary.txt": BINARY, "latin.txt": LATIN, "empty.txt": ""}
TITLES = {"Alpha Paper On Memory", "Beta Paper", "Gamma Paper", "Delta Paper", "Epsilon Paper"}
GOOD_RECORDS = {("good_spaced.txt", 13), ("good_spaced.txt", 21), ("good_spaced.txt", 35),
                ("good_compact.txt", 3), ("good_compact.txt", 5), ("cut.txt", 1)}
REJECTED = {("good_spaced.txt", 29): "title without abstract",
            ("cut.txt", 5): "title without abstract",
            ("binary.txt", 1): "binary",
            ("latin.txt", 2): "not UTF-8"}
EXPECTED = "records read 10 = papers 5 + duplicates merged 1 + rejected 4"


@pytest.fixture(scope="module")
def mix(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("mix") / "corpus", MIX)


@pytest.fixture(scope="module")
def mix_build(mix, tmp_path_factory):
    site = tmp_path_factory.mktemp("mixsite") / "site"
    result = run_cli("build", "--corpus", str(mix), "--site", str(site))
    return result, site


@pytest.fixture(scope="module")
def mix_check(mix):
    return run_cli("check", "--corpus", str(mix))


def rejected_section(report: str) -> list[str]:
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Rejected records"))
    section = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        section.append(line.strip())
    return section


def test_check_report_counts_every_record(mix_check):
    result = mix_check
    assert result.returncode == 0, result.stdout + result.stderr  # bad dumps do not stop the good ones
    assert last_line(result.stdout) == EXPECTED
    r, p, d, x = map(int, ACCOUNTING.match(last_line(result.stdout)).groups())
    assert r == p + d + x
    assert "  papers after merging: 5" in result.stdout
    assert "  duplicates merged: 1" in result.stdout
    assert "Rejected records (4)" in result.stdout


def test_check_report_lists_each_rejected_record_with_file_line_and_reason(mix_check):
    report = mix_check.stdout
    section = rejected_section(report)
    assert len(section) == len(REJECTED), section
    for (dump, line), reason in REJECTED.items():
        hits = [s for s in section if s.startswith(f"{dump}:{line}: ")]
        assert len(hits) == 1, (dump, line, section)
        assert reason in hits[0], hits[0]


def test_build_summary_ends_with_the_accounting_line(mix_build):
    result, site = mix_build
    assert result.returncode == 0, result.stdout + result.stderr
    assert last_line(result.stdout) == EXPECTED


def test_built_site_has_exactly_one_page_per_paper(mix_build):
    result, site = mix_build
    assert result.returncode == 0, result.stderr
    pages = paper_pages(site)
    assert len(pages) == 5, [p.parent.name for p in pages]
    assert sorted(h1_text(page_tree(p)) for p in pages) == sorted(TITLES)


def test_every_record_is_on_a_paper_page_or_rejected(mix_build, mix_check):
    """Sources of the papers on the site + the rejected list = every record, each exactly once."""
    result, site = mix_build
    assert result.returncode == 0, result.stderr
    papers = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    on_pages = [(s["dump"], s["line"]) for p in papers for s in p["sources"]]
    assert len(on_pages) == len(set(on_pages))
    assert set(on_pages) == GOOD_RECORDS
    section = rejected_section(mix_check.stdout)
    rejected = {(m[1], int(m[2])) for m in (re.match(r"(\S+):(\d+): ", s) for s in section)}
    assert rejected == set(REJECTED)
    assert not rejected & set(on_pages)
    # each paper's page exists and lists where it was read
    for paper in papers:
        page = site / paper["url"] / "index.html"
        assert page.is_file(), paper["url"]
        text = page_tree(page).text()
        for source in paper["sources"]:
            assert f"line {source['line']}" in text, (paper["title"], source)


def test_duplicate_is_one_page_listing_both_records(mix_build):
    result, site = mix_build
    papers = {p["title"]: p for p in json.loads((site / "papers.json").read_text(encoding="utf-8"))}
    alpha = papers["Alpha Paper On Memory"]
    assert {(s["dump"], s["line"]) for s in alpha["sources"]} == {("good_spaced.txt", 13), ("good_compact.txt", 5)}


def test_sample_dumps_accounting(tmp_path):
    """All hostile and broken sample dumps together, counted by reading each file:

    hostile_spaced.txt 9 records (Same Title Twice twice: 8 papers, 1 duplicate), hostile_compact.txt 2;
    broken: bad_dates 2, bom_crlf 1, cut_meta 1, cut_title 1 + 1 rejected, mixed 3, utf16 1,
    binary 1 rejected, latin1 1 rejected, empty 0, header_only 0.
    """
    corpus = copy_dumps(tmp_path / "corpus", *HOSTILE.glob("*.txt"), *BROKEN.glob("*.txt"))
    expected = "records read 23 = papers 19 + duplicates merged 1 + rejected 3"
    check = run_cli("check", "--corpus", str(corpus))
    assert check.returncode == 0, check.stderr
    assert last_line(check.stdout) == expected
    assert sorted(rejected_section(check.stdout))[0].startswith("binary.txt:")
    assert {s.split(": ", 1)[0].rsplit(":", 1)[0] for s in rejected_section(check.stdout)} == {
        "binary.txt", "cut_title.txt", "latin1.txt"}
    site = tmp_path / "site"
    build = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert build.returncode == 0, build.stdout + build.stderr
    assert last_line(build.stdout) == expected
    assert len(paper_pages(site)) == 19


# --- one bad record or dump never stops the others; --strict makes any problem fatal --------------

CLEAN = "\n".join(SPACED_HEADER + [
    "Clean Paper One", "", "First clean abstract.", "", "  • 2 authors", "·", "Jul 19, 2023 5", "",
    "Clean Paper Two", "", "Second clean abstract.", "", "  • 3 authors", "·", "Jul 20, 2023 1", "",
])


def test_a_bad_record_in_the_middle_does_not_stop_the_rest_of_its_dump(tmp_path):
    from generator.corpus import load_corpus

    corpus = load_corpus(make_corpus(tmp_path / "c", {"good_spaced.txt": GOOD_SPACED}), with_related=False)
    assert sorted(p.title for p in corpus.papers) == ["Alpha Paper On Memory", "Beta Paper", "Gamma Paper"]
    gamma = next(p for p in corpus.papers if p.title == "Gamma Paper")
    assert gamma.authors == 1 and gamma.upvotes == 9  # its own metadata, not the rejected record's
    assert [(r.source.dump, r.source.line) for r in corpus.rejected] == [("good_spaced.txt", 29)]


@pytest.mark.parametrize("bad", ["binary.txt", "latin1.txt", "empty.txt", "header_only.txt", "cut_title.txt"])
def test_a_bad_dump_does_not_stop_the_others(tmp_path, bad):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": CLEAN, bad: (BROKEN / bad).read_bytes()})
    check = run_cli("check", "--corpus", str(corpus))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "  clean.txt: spaced layout" in check.stdout
    assert "2 records read" in check.stdout.split("  clean.txt:", 1)[1].splitlines()[0]
    strict = run_cli("check", "--strict", "--corpus", str(corpus))
    assert strict.returncode == 1, strict.stdout
    assert f"  {bad}:" in strict.stdout.split("Problems (", 1)[1]


def test_strict_check_passes_a_clean_corpus(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": CLEAN})
    result = run_cli("check", "--strict", "--corpus", str(corpus))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Problems: none" in result.stdout


def test_build_goes_on_past_bad_dumps_but_strict_build_stops(tmp_path, mix):
    site = tmp_path / "site"
    strict = run_cli("build", "--strict", "--corpus", str(mix), "--site", str(site))
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert not site.exists()
    assert len(error_lines(strict.stderr)) == 1 and "strict" in strict.stderr
    assert last_line(strict.stdout) == EXPECTED  # the report says what the problems are
    assert [p.name for p in tmp_path.glob(".site.*")] in ([], [".site.lock"])  # the lock file stays by design


def test_strict_build_passes_a_clean_corpus(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"clean.txt": CLEAN})
    site = tmp_path / "site"
    result = run_cli("build", "--strict", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert last_line(result.stdout) == "records read 2 = papers 2 + duplicates merged 0 + rejected 0"
    assert len(paper_pages(site)) == 2


def test_a_corpus_of_only_bad_dumps_is_an_error_but_still_accounted(tmp_path):
    corpus = make_corpus(tmp_path / "c", {n: (BROKEN / n).read_bytes() for n in
                                          ("binary.txt", "latin1.txt", "empty.txt")})
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 1
    assert last_line(result.stdout) == "records read 2 = papers 0 + duplicates merged 0 + rejected 2"
    assert "no usable paper" in result.stderr
