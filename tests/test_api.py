"""Stored API answers as a reading stage: both item shapes, missing fields, untrusted text, and
merging with dump papers (the real dumps included)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fake_hf import daily_item, flat_item
from generator.api import parse_item, read_api_file
from generator.corpus import load_corpus
from generator.render.data import papers_json
from generator.report import check_report
from generator.slugs import identity_key
from helpers import CORPUS, make_corpus, run_cli

DUMP = """Daily Papers

Oct 28

Spiking Transformers for Language

A spiking neural network that reads text.

  • 3 authors
·
Jul 19, 2023 4
"""

NEW_FIELDS = {"arxiv_id", "author_names", "github", "github_stars", "project_page", "keywords", "ai_summary",
              "hf_url", "featured"}


def store(corpus: Path, rel: str, items: list, **extra) -> Path:
    kind = rel.split("/")[1]
    path = corpus / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"kind": kind, "request": "test", **extra, "items": items}), encoding="utf-8")
    return path


def parse(item, listing=None):
    problems = []
    return parse_item(item, "api/daily/x.json", 0, "daily", listing, problems), problems


def test_both_item_shapes_give_the_same_record():
    fields = dict(githubRepo="https://github.com/a/b", githubStars=12, projectPage="https://a.github.io/b",
                  organization={"name": "acme", "fullname": "Acme Lab"})
    nested, _ = parse(daily_item("2510.01234", "A Title", "The abstract.", **fields))
    flat, _ = parse(flat_item("2510.01234", "A Title", "The abstract.", **fields))
    assert nested == flat
    assert (nested.arxiv_id, nested.title, nested.abstract, nested.date, nested.featured, nested.upvotes) == (
        "2510.01234", "A Title", "The abstract.", dt.date(2025, 10, 27), dt.date(2025, 10, 28), 12)
    assert nested.author_names == ("Ada Lovelace", "Alan Turing")
    assert (nested.github, nested.github_stars, nested.project_page) == (
        "https://github.com/a/b", 12, "https://a.github.io/b")
    assert (nested.org_handle, nested.org_name) == ("acme", "Acme Lab")
    assert nested.keywords == ("spiking", "neuromorphic") and nested.ai_summary == "A summary written by a model."


def test_missing_and_null_fields():
    record, problems = parse({"paper": {"title": "Only A Title", "authors": None, "upvotes": None,
                                        "ai_keywords": None, "organization": None}}, listing=dt.date(2024, 1, 2))
    assert (record.arxiv_id, record.abstract, record.upvotes, record.author_names, record.keywords) == (
        None, "", None, (), ())
    assert record.date == dt.date(2024, 1, 2)  # no publishedAt: the listing's day
    assert (record.github, record.project_page, record.ai_summary, record.featured) == (None, None, None, None)
    assert problems == []
    # The title only at the top level of a daily item is read too.
    record, _ = parse({"paper": {"id": "2401.00001"}, "title": "Top Level Title", "summary": "Top abstract."})
    assert (record.title, record.abstract, record.arxiv_id) == ("Top Level Title", "Top abstract.", "2401.00001")


def test_wrong_types_and_hostile_values_are_dropped():
    record, problems = parse(flat_item(
        "../../etc/passwd", "Evil <script>alert(1)</script>\x00\u0007 title", upvotes="many", githubStars=True,
        githubRepo="javascript:alert(1)", projectPage="https://x.io/\" onmouseover=\"alert(1)",
        authors=[{"name": "<img src=x onerror=alert(1)>"}, "Plain Name", 7, {"hidden": True}],
        ai_keywords=["ok", 3, None, "<b>x</b>"], summary=["not", "text"], publishedAt="yesterday"))
    assert record.arxiv_id is None and "is not an arXiv id" in problems[0].message
    assert record.title == "Evil <script>alert(1)</script> title"  # shown as text later, never run
    assert (record.upvotes, record.github_stars, record.github, record.project_page) == (None, None, None, None)
    assert record.author_names == ("<img src=x onerror=alert(1)>", "Plain Name")
    assert record.keywords == ("ok", "<b>x</b>") and record.abstract == "" and record.date is None


def test_a_lone_surrogate_escaped_in_an_answer_is_dropped_and_the_site_builds(tmp_path):
    """JSON may escape a lone surrogate ("\\ud800"), which no page or file can hold: it is dropped as a control
    character is, and the site is built."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    path = store(corpus, "api/daily/2025-10-28.json", [daily_item("2510.00009", "Lone TITLE", "An abstract.")],
                 listing_date="2025-10-28")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Lone TITLE", "Lone \\ud800TITLE").replace("An abstract.", "An \\udfffabstract."),
                    encoding="utf-8")
    [record] = read_api_file(corpus, path).records
    assert (record.title, record.abstract) == ("Lone TITLE", "An abstract.")
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_items_without_title_and_unreadable_files_are_rejected(tmp_path):
    path = store(tmp_path, "api/daily/2025-10-28.json", [daily_item("2510.00001", "Fine"), {"paper": {}}, "x"],
                 listing_date="2025-10-28")
    read = read_api_file(tmp_path, path)
    assert [r.title for r in read.records] == ["Fine"]
    assert [(str(r.source), r.reason) for r in read.rejected] == [
        ("api/daily/2025-10-28.json:2", "item without a title"), ("api/daily/2025-10-28.json:3", "item is not an object")]
    bad = tmp_path / "api" / "search" / "broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"kind": "search", "items": [', encoding="utf-8")
    read = read_api_file(tmp_path, bad)
    assert read.records == () and "not valid UTF-8 JSON" in read.problems[0].message


def test_an_api_paper_and_a_dump_paper_are_one_paper_with_both_provenances(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    store(corpus, "api/daily/2025-10-28.json", [daily_item("2510.00001", "SPIKING transformers for language!",
                                                           "A longer abstract from arXiv.", upvotes=40)],
          listing_date="2025-10-28")
    loaded = load_corpus(corpus, with_related=False)
    assert len(loaded.papers) == 1
    paper = loaded.papers[0]
    assert (paper.slug, paper.title, paper.abstract) == (
        "spiking-transformers-for-language", "Spiking Transformers for Language",
        "A spiking neural network that reads text.")  # the dump's address, title and abstract stay
    assert paper.origin == "both" and paper.api_sources == ("api/daily/2025-10-28.json",)
    assert [str(s) for s in paper.sources] == ["a.txt:5"]
    assert (paper.date.value, paper.upvotes, paper.authors, paper.arxiv_id) == (
        dt.date(2025, 10, 27), 40, 2, "2510.00001")  # the API's date, counts and authors
    conflicts = [p for p in loaded.problems if p.kind == "conflict"]
    assert [c.message.split(": ")[1].split(":")[0] for c in conflicts] == [
        "the API and the dumps disagree on the date", "the API and the dumps disagree on the author count"]
    assert "2025-10-27 here, 2023-07-19 in a.txt:5" in conflicts[0].message
    assert loaded.accounting() == ("records read 2 = papers 1 + duplicates merged 1 + rejected 0 "
                                   "+ left out (Daily Papers matching no theme) 0")


def test_daily_papers_join_only_on_a_theme_and_searched_papers_always(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    store(corpus, "api/daily/2025-10-28.json", [
        daily_item("2510.00001", "Neuromorphic chips with spiking neurons"),
        daily_item("2510.00002", "A recipe for sourdough bread", "Flour and water.", ai_keywords=["bread"]),
    ], listing_date="2025-10-28")
    store(corpus, "api/search/bread.json", [flat_item("2510.00003", "Bread baking at scale", "Ovens.")], query="bread")
    loaded = load_corpus(corpus, with_related=False)
    titles = sorted(p.title for p in loaded.papers)
    assert titles == ["Bread baking at scale", "Neuromorphic chips with spiking neurons",
                      "Spiking Transformers for Language"]
    assert loaded.left_out == 1
    assert "by origin: dump only 1, API only 2, both 0" in check_report(loaded)
    assert loaded.accounting().endswith("papers 3 + duplicates merged 0 + rejected 0 + "
                                        "left out (Daily Papers matching no theme) 1")


def test_the_same_paper_in_several_answers_is_one_paper(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    item = daily_item("2510.00007", "Spiking cortex model", upvotes=3)
    store(corpus, "api/daily/2025-10-28.json", [item], listing_date="2025-10-28")
    store(corpus, "api/daily/2025-W44.json", [daily_item("2510.00007", "Spiking cortex model", upvotes=9)])
    store(corpus, "api/search/cortex.json", [flat_item("2510.00007", "Spiking Cortex Model")], query="cortex")
    loaded = load_corpus(corpus, with_related=False)
    assert len(loaded.papers) == 2 and loaded.duplicates == 2
    paper = next(p for p in loaded.papers if p.arxiv_id)
    assert paper.upvotes == 12 and len(paper.api_sources) == 3  # the highest count seen (flat_item's 12)


def test_papers_json_has_the_api_fields(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    store(corpus, "api/search/s.json", [flat_item("2510.00009", "Spiking retina", githubRepo="https://github.com/r/r",
                                                  githubStars=5, projectPage="javascript:alert(1)")], query="s")
    records = {r["title"]: r for r in json.loads(papers_json(load_corpus(corpus, with_related=False).papers))}
    api = records["Spiking retina"]
    assert NEW_FIELDS <= set(api)
    assert (api["arxiv_id"], api["github"], api["github_stars"], api["project_page"], api["hf_url"],
            api["featured"], api["authors"], api["has_code"]) == (
        "2510.00009", "https://github.com/r/r", 5, None, "https://huggingface.co/papers/2510.00009",
        "2025-10-28", 2, True)
    dump = records["Spiking Transformers for Language"]
    assert {k: dump[k] for k in NEW_FIELDS} == {
        "arxiv_id": None, "author_names": [], "github": None, "github_stars": None, "project_page": None,
        "keywords": [], "ai_summary": None, "hf_url": None, "featured": None}


def test_no_duplicates_after_merging_api_answers_with_the_real_dumps(tmp_path):
    """The API shows some real papers again (titles in another case and punctuation) beside new ones."""
    real = load_corpus(CORPUS, with_related=False)
    corpus = tmp_path / "c"
    corpus.mkdir()
    for dump in CORPUS.iterdir():
        if dump.is_file():
            (corpus / dump.name).write_bytes(dump.read_bytes())
    again = real.papers[::7]
    items = [daily_item(f"2510.{i:05d}", p.title.upper() + " ", p.abstract) for i, p in enumerate(again)]
    items += [flat_item(f"2511.{i:05d}", f"A new spiking network paper {i}") for i in range(5)]
    store(corpus, "api/search/spiking.json", items + items[:3], query="spiking")  # some twice
    merged = load_corpus(corpus, with_related=False)
    keys = [identity_key(p.title) for p in merged.papers]
    assert len(keys) == len(set(keys))
    assert len(merged.papers) == len(real.papers) + 5
    assert {p.slug for p in real.papers} <= {p.slug for p in merged.papers}  # no address moved
    by_slug = {p.slug: p for p in merged.papers}
    assert all(by_slug[p.slug].origin == "both" and by_slug[p.slug].sources == p.sources for p in again)
    assert sum(1 for p in merged.papers if p.origin == "api") == 5


def test_an_enrich_result_whose_dump_paper_is_gone_does_not_join(tmp_path):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    (corpus / "api").mkdir()
    (corpus / "api" / "enrich.json").write_text(json.dumps({"kind": "enrich", "lookups": [
        {"key": "a removed paper", "title": "A removed paper", "result": flat_item("2501.00001", "A Removed Paper")},
        {"key": "another", "title": "Another", "result": None}]}), encoding="utf-8")
    loaded = load_corpus(corpus, with_related=False)
    assert [p.title for p in loaded.papers] == ["Spiking Transformers for Language"]
    assert loaded.left_out == 1 and loaded.unmatched == ("Another",)


# Any JSON value in: no exception; a record's links are http(s) only.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                  max_size=6), max_leaves=20)
FIELDS = st.sampled_from(["id", "title", "summary", "authors", "publishedAt", "submittedOnDailyAt", "upvotes",
                          "githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords", "organization"])


@settings(deadline=None)  # the profile's number of examples (conftest.py): "deep" runs 1000
@given(st.dictionaries(FIELDS, JSON | st.text(), max_size=13), st.booleans())
def test_any_item_parses_or_is_rejected_with_a_reason(fields, nested):
    item = {"paper": fields} if nested else fields
    record, _ = parse(item)
    if isinstance(record, str):
        assert record
        return
    assert record.title and "\n" not in record.title
    for url in (record.github, record.project_page):
        assert url is None or url.lower().startswith(("http://", "https://"))
    assert record.arxiv_id is None or "/" not in record.arxiv_id or record.arxiv_id.count("/") == 1
