"""The five real dumps in corpus/, checked against what the files hold.

Counts are recomputed here from the files with a reader written for this test
(not the generator's), and a sample of papers picked by reading the dumps is
checked field by field against values copied from the dumps by hand.

What the files hold (read by hand):
  000, 004  compact layout: 2 header lines, `Subscribe` glued to the first title
            on line 3, then title/abstract line pairs, no blank lines, no dates.
  001, 002  spaced layout with a listing date (Oct 28, Apr 23) and, for most
            papers, a metadata block; 001's latest full year is 2024, 002's 2025.
  003       spaced layout, listing date Mar 12, no metadata at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import pytest

from generator.corpus import load_corpus
from helpers import CORPUS, run_cli

D000 = "000_f30abe569db8ffcc.txt"
D001 = "001_61f9ec426f515aef.txt"
D002 = "002_bfe1335b23d0d37c.txt"
D003 = "003_a1deb5b285145645.txt"
D004 = "004_bf433f3239830894.txt"
COMPACT = {D000, D004}
SPACED = {D001, D002, D003}
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
DATE_LINE = re.compile(rf"({MONTHS}) (\d{{1,2}})(?:, (\d{{4}}))?(?: (\d+))?")
LISTING_LINE = re.compile(rf"({MONTHS}) \d{{1,2}}")
AUTHORS = re.compile(r"• (\d+) authors?")


# --- a reader of our own, for counting ------------------------------------------------------

def read_dump_independently(name: str) -> list[dict]:
    """Records of one real dump: title, abstract, title line, metadata head and date line."""
    lines = (CORPUS / name).read_text(encoding="utf-8").split("\n")
    out = []
    if name in COMPACT:
        assert lines[0] == "Get trending papers in your email inbox once a day!"
        assert lines[1] == "Get trending papers in your email inbox!"
        assert lines[2].startswith("Subscribe")
        body = lines[2:]
        if body[-1] == "":
            body.pop()
        assert all(line.strip() for line in body), "the compact layout has no blank lines"
        assert len(body) % 2 == 0, "one title line and one abstract line per paper"
        for i in range(0, len(body), 2):
            title = body[i][len("Subscribe"):] if i == 0 else body[i]
            out.append({"title": title, "abstract": body[i + 1], "line": i + 3, "head": None, "date": None})
        return out
    filled = [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]
    start = next(k for k, (_, text) in enumerate(filled) if LISTING_LINE.fullmatch(text)) + 1
    items, k = filled[start:], 0
    while k < len(items):
        (line, title), (_, abstract) = items[k], items[k + 1]
        k += 2
        head = date = None
        if k + 1 < len(items) and items[k + 1][1] == "·":
            head, date = items[k][1], items[k + 2][1]
            assert DATE_LINE.fullmatch(date), (name, date)
            k += 3
        out.append({"title": title, "abstract": abstract, "line": line, "head": head, "date": date})
    return out


INDEPENDENT = {name: read_dump_independently(name) for name in sorted(COMPACT | SPACED)}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS, with_related=False)


@pytest.fixture(scope="module")
def export_list(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "papers.json"
    result = run_cli("export", "--json", str(path), "--corpus", str(CORPUS))
    assert result.returncode == 0, result.stderr
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exported(export_list):
    return {r["title"]: r for r in export_list}


def test_the_five_dumps_are_there():
    assert sorted(p.name for p in CORPUS.glob("*.txt")) == [D000, D001, D002, D003, D004]


# --- counts per dump -------------------------------------------------------------------------

def test_independent_counts_match_what_the_files_hold_by_line_arithmetic():
    # compact: (lines - 2 header lines) / 2
    for name in COMPACT:
        lines = (CORPUS / name).read_text(encoding="utf-8").rstrip("\n").split("\n")
        assert len(INDEPENDENT[name]) == (len(lines) - 2) // 2
    # spaced: each paper is a title and an abstract, plus 3 lines (head, ·, date) if it has metadata
    for name in SPACED:
        text = (CORPUS / name).read_text(encoding="utf-8")
        filled = [line for line in text.split("\n") if line.strip()]
        header = next(i for i, line in enumerate(filled) if LISTING_LINE.fullmatch(line.strip())) + 1
        dots = sum(1 for line in filled if line.strip() == "·")
        assert len(INDEPENDENT[name]) == (len(filled) - header - 3 * dots) // 2


def test_records_per_dump(corpus):
    expected = {D000: 151, D001: 70, D002: 56, D003: 77, D004: 119}
    assert {name: len(records) for name, records in INDEPENDENT.items()} == expected
    assert {d.name: len(d.records) for d in corpus.dumps} == expected
    assert {d.name: len(d.rejected) for d in corpus.dumps} == dict.fromkeys(expected, 0)


def test_records_with_metadata_per_dump(corpus):
    expected = {D000: 0, D001: 68, D002: 54, D003: 0, D004: 0}
    assert {n: sum(1 for r in recs if r["head"]) for n, recs in INDEPENDENT.items()} == expected
    assert {d.name: d.with_metadata for d in corpus.dumps} == expected


def test_layouts_are_detected(corpus):
    assert {d.name: d.layout for d in corpus.dumps} == {
        D000: "compact", D001: "spaced", D002: "spaced", D003: "spaced", D004: "compact"}


def test_every_record_title_abstract_and_line(corpus):
    for dump in corpus.dumps:
        got = [(r.title, r.abstract, r.source.line) for r in dump.records]
        expected = [(r["title"], r["abstract"], r["line"]) for r in INDEPENDENT[dump.name]]
        assert got == expected, dump.name


def test_every_metadata_block(corpus):
    for dump in corpus.dumps:
        for record, raw in zip(dump.records, INDEPENDENT[dump.name], strict=True):
            if raw["head"] is None:
                assert record.meta is None, record.source
                continue
            m = AUTHORS.fullmatch(raw["head"])
            if m:
                assert (record.meta.authors, record.meta.org_name) == (int(m[1]), None), record.source
            else:
                handle, name = raw["head"].split(" ", 1)
                assert (record.meta.authors, record.meta.org_handle, record.meta.org_name) == (
                    None, handle, name), record.source
            month, day, year, upvotes = DATE_LINE.fullmatch(raw["date"]).groups()
            assert (record.meta.month, record.meta.day) == (MONTHS.split("|").index(month) + 1, int(day))
            assert record.meta.year == (int(year) if year else None), record.source
            assert record.meta.upvotes == (int(upvotes) if upvotes else 0), record.source


# --- listing dates ---------------------------------------------------------------------------

def test_latest_explicit_years_by_reading():
    def latest(name):
        return max(int(m[3]) for r in INDEPENDENT[name] if r["date"]
                   for m in [DATE_LINE.fullmatch(r["date"])] if m[3])
    assert latest(D001) == 2024
    assert latest(D002) == 2025


def test_listing_dates(corpus):
    listing = {d.name: d.listing for d in corpus.dumps}
    assert listing[D001].text == "Oct 28" and listing[D001].value == dt.date(2025, 10, 28)
    assert listing[D002].text == "Apr 23" and listing[D002].value == dt.date(2026, 4, 23)
    assert listing[D003].text == "Mar 12" and listing[D003].value is None
    assert listing[D000].value is None and listing[D004].value is None


def test_real_corpus_has_no_problem_and_003_year_stays_unknown(corpus):
    # Nothing in the real dumps is wrong or disagrees (same abstracts, author counts and
    # dates wherever a paper is listed twice). 003 shows no year anywhere, but none of its
    # papers shows a date either, so no paper waits on its year: not a problem, a fact.
    assert corpus.problems == (), [str(p) for p in corpus.problems]
    listing = {d.name: d.listing for d in corpus.dumps}[D003]
    assert listing.year is None and "unknown" in listing.rule


# --- after merging ---------------------------------------------------------------------------

def _sources_by_title():
    sources = defaultdict(list)
    for name in sorted(INDEPENDENT):
        for r in INDEPENDENT[name]:
            sources[r["title"]].append((name, r["line"]))
    return sources


def test_papers_and_duplicates_after_merging(corpus):
    sources = _sources_by_title()
    records = sum(len(v) for v in sources.values())
    assert (records, len(sources), records - len(sources)) == (473, 374, 99)
    assert len(corpus.papers) == 374
    assert corpus.duplicates == 99
    assert corpus.accounting() == "records read 473 = papers 374 + duplicates merged 99 + rejected 0"


def test_every_paper_lists_every_place_it_was_read(corpus):
    expected = _sources_by_title()
    got = {p.title: [(s.dump, s.line) for s in p.sources] for p in corpus.papers}
    assert got == dict(expected)


def test_papers_in_all_five_dumps(corpus):
    everywhere = sorted(p.title for p in corpus.papers if len(p.dumps) == 5)
    assert everywhere == [
        "A brain basis of dynamical intelligence for AI and computational neuroscience",
        "How do neurons operate on sparse distributed representations? A mathematical theory of sparsity, "
        "neurons and active dendrites",
        "Neural Foundations of Mental Simulation: Future Prediction of Latent Representations on Dynamic Scenes",
        "Neuroformer: Multimodal and Multitask Generative Pretraining for Brain Data",
    ]


def test_dated_and_inferred_counts(corpus):
    # dated: the paper has a date line in some listing; inferred: none of its date lines shows a year
    dates = defaultdict(list)
    for records in INDEPENDENT.values():
        for r in records:
            dates[r["title"]] += [r["date"]] if r["date"] else []
    dated = {t for t, d in dates.items() if d}
    inferred = {t for t in dated if not any("," in d for d in dates[t])}
    assert (len(dated), len(inferred)) == (113, 27)
    assert {p.title for p in corpus.papers if p.date} == dated
    assert {p.title for p in corpus.papers if p.date and p.date.inferred} == inferred
    assert {p.title for p in corpus.papers if p.upvotes is not None} == dated


def test_slugs_are_unique_and_well_formed(corpus):
    slugs = [p.slug for p in corpus.papers]
    assert len(set(slugs)) == 374
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) and len(s) <= 80 for s in slugs)


# --- a sample of papers, field by field ------------------------------------------------------
# (title, abstract start, abstract end, date, inferred, upvotes, authors, organization, sources, links)

SAMPLE = [
    # first compact paper of 000, glued to "Subscribe"; no metadata anywhere
    ("BriLLM: Brain-inspired Large Language Model",
     "This paper reports the first brain-inspired large language model (BriLLM).",
     "More computing power will help us explore the infinite possibilities depicted above.",
     None, False, None, None, None, [(D000, 3)], []),
    # first compact paper of 004, glued to "Subscribe"
    ("Dual Propagation: Accelerating Contrastive Hebbian Learning with Dyadic Neurons",
     "Activity difference based learning algorithms-such as contrastive Hebbian learning",
     "dual propagation performs equivalently to back-propagation both in terms of accuracy and runtime.",
     None, False, None, None, None, [(D004, 3)], []),
    # 2 authors, full date, 1 upvote, URL with a LaTeX {Project} leftover
    ("Implicit Identity Representation Conditioned Memory Compensation Network for Talking Head video Generation",
     "Talking head video generation aims to animate a human face in a still image",
     "Please check our https://github.com/harlanhong/ICCV2023-MCNET{Project}.",
     "2023-07-19", False, 1, 2, None, [(D001, 13)], ["https://github.com/harlanhong/ICCV2023-MCNET"]),
    # "Aug 5": no year, no upvotes; also listed (bare) in 004
    ("Understanding Transformers through the Lens of Pavlovian Conditioning",
     "Transformer architectures have revolutionized artificial intelligence (AI)",
     "from implementing computational principles that biology optimized over millions of years of evolution.",
     "2025-08-05", True, 0, 1, None, [(D001, 29), (D004, 187)], []),
    # "May 21 2" in 001 (inferred 2025), "May 21, 2025 2" in 002: explicit wins, same day
    ("Meta-Learning an In-Context Transformer Model of Human Higher Visual Cortex",
     "Understanding functional representations within higher visual cortex is a fundamental question",
     "enables interpretable mappings from natural language queries to voxel selectivity.",
     "2025-05-21", False, 2, 9, None, [(D001, 37), (D002, 41)], []),
    # organization line "apple Apple", "Sep 29 2"
    ("Pretraining with hierarchical memories: separating long-tail and common knowledge",
     "The impressive performance gains of modern language models currently rely on scaling parameters",
     "work robustly across transformer architectures, whether added during pretraining or post-hoc.",
     "2025-09-29", True, 2, None, "Apple", [(D001, 337)], []),
    # organization line "SakanaAI Sakana AI", date without upvotes; also in 004
    ("Continuous Thought Machines",
     "Biological brains demonstrate complex neural activity",
     "toward developing more biologically plausible and powerful artificial intelligence systems.",
     "2025-05-08", False, 0, None, "Sakana AI", [(D002, 181), (D004, 75)], []),
    # spaced layout, no metadata block
    ("Mixing Mechanisms: How Language Models Retrieve Bound Entities In-Context",
     "A key component of in-context reasoning is the ability of language models (LMs) to bind entities",
     "a more complete picture of how LMs bind and retrieve entities in-context.",
     None, False, None, None, None, [(D001, 333)], []),
    # upvotes 3; also in the compact 000
    ("Titans: Learning to Memorize at Test Time",
     "Over more than a decade there has been an extensive research effort",
     "with higher accuracy in needle-in-haystack tasks compared to baselines.",
     "2024-12-31", False, 3, 3, None, [(D000, 185), (D001, 53)], []),
    # 47 authors, 8 upvotes
    ("Advances and Challenges in Foundation Agents: From Brain-Inspired Intelligence to Evolutionary, "
     "Collaborative, and Safe Systems",
     "The advent of large language models (LLMs) has catalyzed a transformative shift",
     "mitigation strategies necessary for trustworthy real-world deployment.",
     "2025-03-31", False, 8, 47, None, [(D000, 201), (D002, 133)], []),
    # "Feb 5" in 002: listing year 2026; URL at the very end
    ("Accelerating Benchmarking of Functional Connectivity Modeling via Structure-aware Core-set Selection",
     "Benchmarking the hundreds of functional connectivity (FC) modeling methods",
     "Code is publicly available on https://github.com/lzhan94swu/SCLCS",
     "2026-02-05", True, 0, 4, None, [(D002, 81)], ["https://github.com/lzhan94swu/SCLCS"]),
    # "Oct 16" in 001 (inferred 2025) and "Oct 16, 2025" in 002 agree; bare in 004
    ('Joint encoding of "what" and "when" predictions through error-modulated plasticity in reservoir '
     'spiking networks',
     "The brain understands the external world through an internal model",
     "a parsimonious alternative to hierarchical predictive-coding accounts.",
     "2025-10-16", False, 0, 2, None, [(D001, 269), (D002, 213), (D004, 27)], []),
    # in all five dumps
    ("Neural Foundations of Mental Simulation: Future Prediction of Latent Representations on Dynamic Scenes",
     "Humans and animals have a rich and flexible understanding of the physical world",
     "visual representations that are useful for embodied AI more generally.",
     "2023-05-19", False, 0, 4, None, [(D000, 13), (D001, 449), (D002, 205), (D003, 131), (D004, 33)], []),
    # only in 003 and 004: never dated
    ("What needs to go right for an induction head? A mechanistic study of in-context learning circuits and "
     "their formation",
     "In-context learning is a powerful emergent ability in transformer models.",
     'subcircuits that need to "go right" for an induction head.',
     None, False, None, None, None, [(D003, 11), (D004, 131)], []),
    # URL in parentheses followed by a full stop
    ("The Algonauts Project 2023 Challenge: How the Human Brain Makes Sense of Natural Scenes",
     "The sciences of biological and artificial intelligence are ever more intertwined.",
     "intelligent agents through inductive biases from biological systems.",
     "2023-07-10", False, 0, 9, None, [(D002, 197)], ["http://algonauts.csail.mit.edu"]),
    # non-ASCII title, "Sep 30 1"
    ("Mem-α: Learning Memory Construction via Reinforcement Learning",
     "Large language model (LLM) agents are constrained by limited context windows",
     "highlighting the robustness of Mem-alpha.",
     "2025-09-30", True, 1, 7, None, [(D001, 141)], []),
    # MindBridge: three dumps, the link is in all three abstracts
    ("MindBridge: A Cross-Subject Brain Decoding Framework",
     "Brain decoding, a pivotal field in neuroscience",
     "Project page: https://littlepure2333.github.io/MindBridge",
     "2024-04-11", False, 0, 4, None, [(D000, 121), (D001, 277), (D004, 135)],
     ["https://littlepure2333.github.io/MindBridge"]),
]


@pytest.mark.parametrize(
    "title, start, end, date, inferred, upvotes, authors, org, sources, links", SAMPLE,
    ids=[s[0][:40] for s in SAMPLE])
def test_sample_paper(exported, title, start, end, date, inferred, upvotes, authors, org, sources, links):
    assert title in exported, f"no paper titled {title!r}"
    paper = exported[title]
    assert paper["abstract"].startswith(start)
    assert paper["abstract"].endswith(end)
    # the abstract is the whole abstract line of the first listing, unchanged
    first_dump, first_line = sources[0]
    lines = (CORPUS / first_dump).read_text(encoding="utf-8").split("\n")
    abstract_line = first_line + 1 if first_dump in COMPACT else first_line + 2
    assert paper["abstract"] == lines[abstract_line - 1]
    assert paper["date"] == date
    assert paper["date_inferred"] is inferred
    assert paper["upvotes"] == upvotes
    assert paper["authors"] == authors
    assert paper["organization"] == org
    assert [(s["dump"], s["line"]) for s in paper["sources"]] == sources
    assert paper["links"] == links


def test_glued_subscribe_never_leaks_into_a_title(exported):
    assert not [t for t in exported if t.startswith("Subscribe")]
    assert "BriLLM: Brain-inspired Large Language Model" in exported


def test_export_is_sorted_by_slug_and_complete(export_list):
    records = export_list
    assert len(records) == 374
    assert [r["slug"] for r in records] == sorted(r["slug"] for r in records)
    assert len({r["slug"] for r in records}) == 374


def test_check_on_the_real_corpus(tmp_path):
    result = run_cli("check", "--corpus", str(CORPUS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name, count in {D000: 151, D001: 70, D002: 56, D003: 77, D004: 119}.items():
        line = next(line for line in out.splitlines() if line.strip().startswith(name))
        assert re.search(rf"\b{count} records read\b", line), line
    assert re.search(r"papers after merging: 374\b", out)
    assert re.search(r"duplicates merged: 99\b", out)
    line003 = next(line for line in out.splitlines() if line.strip().startswith(D003))
    assert "listing date Mar 12 (year unknown" in line003, line003
    assert "Problems: none" in out
    strict = run_cli("check", "--strict", "--corpus", str(CORPUS))
    assert strict.returncode == 0, strict.stdout  # nothing to fix in the real corpus
