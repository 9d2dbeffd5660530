"""`fetch` and `enrich` against a local fake of the Hugging Face API (tests/fake_hf.py), reached through
HF_ENDPOINT. Retries wait through an injected sleep, so nothing here really waits."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from fake_hf import FakeHF, daily_item, flat_item
from generator import cli, hf, update
from generator.api import load_follow
from generator.corpus import load_corpus
from generator.errors import CorpusError
from generator.report import check_report
from helpers import CORPUS, ROOT, make_corpus

DAY = "2025-10-28"
DUMP = """Daily Papers

Oct 28

Spiking Transformers for Language
A spiking neural network that reads text.

Associative memory in cortex (a study)
We study associative memory in the cortex.
"""


@pytest.fixture
def fake(monkeypatch):
    server = FakeHF()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.close()


@pytest.fixture
def slept(monkeypatch):
    """The waits the commands asked for; the CLI's client sleeps into this list."""
    waits: list[float] = []
    made = cli.make_client

    def make_client() -> hf.Client:
        client = made()
        client.sleep = waits.append
        return client

    monkeypatch.setattr(cli, "make_client", make_client)
    return waits


def client(waits: list | None = None) -> hf.Client:
    return hf.Client(sleep=(waits if waits is not None else []).append)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stored(corpus: Path, rel: str) -> dict:
    return json.loads((corpus / rel).read_text(encoding="utf-8"))


def test_client_reads_hf_endpoint_when_made(fake, monkeypatch):
    assert hf.Client().base == fake.url
    monkeypatch.delenv("HF_ENDPOINT")
    assert hf.Client().base == "https://huggingface.co"


def test_fetch_date_reads_every_page_until_an_empty_one(fake, tmp_path, slept, capsys):
    fake.daily[DAY] = [daily_item(f"2510.{i:05d}", f"Spiking network number {i}") for i in range(230)]
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    assert cli.main(["fetch", "--corpus", str(corpus), "--date", DAY]) == 0
    pages = [int(re.search(r"[?&]p=(\d+)", r)[1]) for r in fake.requests]
    assert pages == [0, 1, 2, 3]
    assert all("date=2025-10-28" in r and "limit=100" in r for r in fake.requests)
    data = stored(corpus, f"api/daily/{DAY}.json")
    assert data["kind"] == "daily" and data["listing_date"] == DAY
    assert data["items"] == fake.daily[DAY]  # stored as answered
    out, err = capsys.readouterr()
    assert "page 2: 30 papers" in err and "page 3: 0 papers" in err
    assert "added 230, updated 0, unmatched 0" in out
    assert f"stored corpus/api/daily/{DAY}.json" in out
    assert slept == []


def test_fetch_again_reports_updates_and_unchanged_files(fake, tmp_path, slept, capsys):
    fake.daily["2025-W44"] = [daily_item("2510.00001", "Spiking A"), daily_item("2510.00002", "Spiking B")]
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    assert cli.main(["fetch", "--corpus", str(corpus), "--week", "2025-W44"]) == 0
    capsys.readouterr()
    assert cli.main(["fetch", "--corpus", str(corpus), "--week", "2025-W44"]) == 0
    assert "added 0, updated 0, unmatched 0; no stored file changed" in capsys.readouterr().out
    fake.daily["2025-W44"][0]["paper"]["upvotes"] = 99
    fake.daily["2025-W44"].append(daily_item("2510.00003", "Spiking C"))
    assert cli.main(["fetch", "--corpus", str(corpus), "--week", "2025-W44"]) == 0
    assert "added 1, updated 1, unmatched 0; stored corpus/api/daily/2025-W44.json" in capsys.readouterr().out


def test_503_is_retried_with_backoff_and_429_waits_for_retry_after(fake, tmp_path):
    fake.daily["2025-10"] = [daily_item("2510.00001", "Spiking A")]
    fake.fail("/api/daily_papers?month=2025-10", (503, {}, b"busy"), (503, {}, b"busy"),
              (429, {"Retry-After": "7"}, b""))
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    waits: list[float] = []
    summary = update.fetch_daily(corpus, "month", "2025-10", client(waits))
    assert waits == [1.0, 2.0, 7.0]
    assert summary.added == 1
    assert stored(corpus, "api/daily/2025-10.json")["items"] == fake.daily["2025-10"]


def test_retry_after_as_an_http_date():
    assert hf.retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1.0) == 0.0  # in the past: no wait
    assert hf.retry_after("120", 1.0) == 120.0
    assert hf.retry_after("soon", 3.0) == 3.0


def _existing_corpus(tmp_path: Path) -> Path:
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    (corpus / "api" / "daily").mkdir(parents=True)
    (corpus / "api" / "daily" / f"{DAY}.json").write_text('{"kind": "daily", "items": []}\n')
    return corpus


@pytest.mark.parametrize("answers, expected", [
    ([(200, {}, b"{not json")], "the answer is not JSON"),
    ([(200, {}, b'{"papers": []}')], "expected a JSON list of papers, got dict"),
    ([(200, {}, b'[1, 2]')], "item 1 is int, not a paper object"),
    ([(500, {}, b"")] * 5, "HTTP 500 after 5 attempts"),
    ([(404, {}, b'{"error": "Not Found"}')], "404"),
    ([(429, {"Retry-After": "3600"}, b"")], "rate limited (HTTP 429) for 3600 s"),
])
def test_a_failed_fetch_names_the_request_and_changes_no_stored_byte(fake, tmp_path, slept, capsys,
                                                                      answers, expected):
    corpus = _existing_corpus(tmp_path)
    before = snapshot(corpus)
    fake.daily[DAY] = [daily_item("2510.00001", "Spiking A")] * 150  # the failure comes on page 1
    fake.fail(f"/api/daily_papers?date={DAY}", (200, {}, json.dumps(fake.daily[DAY][:100]).encode()), *answers)
    assert cli.main(["fetch", "--corpus", str(corpus), "--date", DAY]) == 1
    err = capsys.readouterr().err
    message = err.strip().splitlines()[-1]
    assert message.startswith(f"error: GET {fake.url}/api/daily_papers?date={DAY}&limit=100&p=1: "), message
    assert expected in message and "nothing was stored" in message
    assert "Traceback" not in err
    assert snapshot(corpus) == before


def test_a_closed_port_fails_after_retries_with_one_message(tmp_path, monkeypatch, slept, capsys):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    corpus = _existing_corpus(tmp_path)
    before = snapshot(corpus)
    assert cli.main(["fetch", "--corpus", str(corpus), "--search", "spiking"]) == 1
    err = capsys.readouterr().err
    assert "error: GET http://127.0.0.1:9/api/papers/search?q=spiking: no answer after 5 attempts" in err
    assert slept == [1.0, 2.0, 4.0, 8.0]
    assert snapshot(corpus) == before


def test_followed_searches_are_stored_all_or_none(fake, tmp_path, slept, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    (corpus / "follow.yml").write_text("searches:\n  - brain-inspired\n  - spiking neural network\n")
    fake.searches["brain-inspired"] = [flat_item("2401.00001", "A brain-inspired model")]
    fake.fail("/api/papers/search?q=spiking neural network", (200, {}, b"<html>oops</html>"))
    before = snapshot(corpus)
    assert cli.main(["fetch", "--corpus", str(corpus), "--followed"]) == 1
    assert snapshot(corpus) == before  # the first search's answer was not stored either
    fake.searches["spiking neural network"] = [daily_item("2402.00002", "Spiking nets")]
    capsys.readouterr()
    assert cli.main(["fetch", "--corpus", str(corpus), "--followed"]) == 0
    assert stored(corpus, "api/search/brain-inspired.json")["query"] == "brain-inspired"
    assert stored(corpus, "api/search/spiking-neural-network.json")["items"] == fake.searches["spiking neural network"]
    assert "added 2, updated 0" in capsys.readouterr().out


def test_bad_period_arguments_say_how_to_write_them(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    for flag, value in (("--date", "2025-13-01"), ("--week", "2025-44"), ("--month", "2025-1")):
        assert cli.main(["fetch", "--corpus", str(corpus), flag, value]) == 1
        assert "write it like" in capsys.readouterr().err


# enrich

ENRICH_DUMP = """Daily Papers

Oct 28

Spiking Transformers for Language
A spiking neural network that reads text.

Associative memory in cortex (a study)
We study associative memory in the cortex.

A Paper Nobody Indexed
About spiking neurons.

Two Papers One Title
About spiking neurons again.
"""


def test_enrich_keeps_exact_normalized_titles_only(fake, tmp_path, slept, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ENRICH_DUMP})
    fake.searches["Spiking Transformers for Language"] = [
        flat_item("2501.00002", "Spiking Transformers for Language Modelling at Scale"),  # longer: not it
        daily_item("2501.00001", "spiking transformers -- for LANGUAGE!"),  # same normalized title
    ]
    fake.searches["Associative memory in cortex (a study)"] = [flat_item("2501.00003", "Associative memory in cortex")]
    fake.searches["Two Papers One Title"] = [flat_item("2501.00004", "Two papers, one title"),
                                             flat_item("2501.00005", "Two Papers: One Title")]
    assert cli.main(["enrich", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "added 1, updated 0, unmatched 3" in out
    for title in ("Associative memory in cortex (a study)", "A Paper Nobody Indexed", "Two Papers One Title"):
        assert f"unmatched: {title}" in out
    lookups = {lk["title"]: lk for lk in stored(corpus, "api/enrich.json")["lookups"]}
    assert lookups["Spiking Transformers for Language"]["result"]["paper"]["id"] == "2501.00001"
    assert all(lookups[t]["result"] is None for t in lookups if t != "Spiking Transformers for Language")

    loaded = load_corpus(corpus, with_related=False)
    enriched = next(p for p in loaded.papers if p.arxiv_id)
    assert (enriched.title, enriched.slug, enriched.arxiv_id) == (
        "Spiking Transformers for Language", "spiking-transformers-for-language", "2501.00001")
    assert enriched.origin == "both" and enriched.author_names == ("Ada Lovelace", "Alan Turing")
    assert len(loaded.papers) == 4  # no paper added, none doubled
    report = check_report(loaded)
    assert "by origin: dump only 3, API only 0, both 1" in report
    assert "Unmatched enrich lookups (3)" in report and "  A Paper Nobody Indexed" in report

    # Again: only the unmatched are looked up; a paper found since is added.
    fake.requests.clear()
    fake.searches["A Paper Nobody Indexed"] = [flat_item("2501.00009", "A paper nobody indexed")]
    assert cli.main(["enrich", "--corpus", str(corpus)]) == 0
    assert len(fake.requests) == 3
    assert "added 1, updated 0, unmatched 2" in capsys.readouterr().out
    assert stored(corpus, "api/enrich.json")["lookups"][0]["key"] == "a paper nobody indexed"


def test_enrich_failure_changes_no_stored_byte(fake, tmp_path, slept, capsys):
    corpus = make_corpus(tmp_path / "c", {"a.txt": ENRICH_DUMP})
    fake.fail("/api/papers/search?q=Two Papers One Title", *[(503, {}, b"")] * 5)
    before = snapshot(corpus)
    assert cli.main(["enrich", "--corpus", str(corpus)]) == 1
    assert "q=Two+Papers+One+Title: HTTP 503 after 5 attempts" in capsys.readouterr().err
    assert snapshot(corpus) == before


# The shipped follow.yml and the scheduled workflow

def test_shipped_follow_file_follows_nothing_and_its_example_reads(tmp_path):
    assert load_follow(CORPUS) == ()
    text = (CORPUS / "follow.yml").read_text(encoding="utf-8")
    example = "\n".join(line[2:] for line in text.splitlines() if line.startswith("# ") and
                        (line.startswith("# searches:") or line.startswith("#   - ")))
    (tmp_path / "follow.yml").write_text(example)
    assert load_follow(tmp_path) == ("brain-inspired", "spiking neural network")


def test_follow_file_errors_name_the_line(tmp_path):
    (tmp_path / "follow.yml").write_text("searches:\n  - ok\n  - [not, text]\n")
    with pytest.raises(CorpusError, match=r"follow.yml:3: a search must be text"):
        load_follow(tmp_path)


def _update_workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "update.yml").read_text(encoding="utf-8"))


def test_update_workflow_runs_daily_and_by_hand_and_deploys_through_pages():
    workflow = _update_workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]
    assert "workflow_dispatch" in triggers
    deploy = workflow["jobs"]["deploy"]
    assert deploy["uses"] == "./.github/workflows/pages.yml"
    pages = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    assert "workflow_call" in pages[True]


def test_update_workflow_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Keeping the site current", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)[1].splitlines()
    steps = _update_workflow()["jobs"]["update"]["steps"]
    runs = [line.strip() for s in steps if "run" in s for line in s["run"].splitlines()]
    generator_runs = [line for line in runs if "-m generator" in line]
    assert generator_runs == block
    kinds = [shlex.split(line)[3] for line in generator_runs]
    assert kinds == ["fetch", "fetch", "fetch", "enrich", "check"]
    assert any(line.startswith("git add corpus/api") for line in runs)


def test_an_api_paper_is_added_on_the_day_it_was_first_fetched(fake, tmp_path, monkeypatch):
    """The added date of a paper only the API shows is the day a fetch first stored it;
    fetching the same answer again later keeps that day, and a new item gets the new day."""
    import datetime as dt

    fake.searches["spiking"] = [flat_item("2510.00009", "Spiking Cortex Model")]
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})

    class Day(dt.date):
        value = dt.date(2026, 1, 5)

        @classmethod
        def today(cls):
            return cls.value

    monkeypatch.setattr(update.dt, "date", Day)
    update.fetch_searches(corpus, ["spiking"], client())
    Day.value = dt.date(2026, 2, 9)
    fake.searches["spiking"].append(flat_item("2510.00010", "Spiking Hippocampus Model"))
    update.fetch_searches(corpus, ["spiking"], client())
    assert stored(corpus, "api/search/spiking.json")["added"] == {"2510.00009": "2026-01-05",
                                                                  "2510.00010": "2026-02-09"}
    added = {p.title: p.added for p in load_corpus(corpus, with_related=False).papers}
    assert added["Spiking Cortex Model"] == dt.date(2026, 1, 5)
    assert added["Spiking Hippocampus Model"] == dt.date(2026, 2, 9)
