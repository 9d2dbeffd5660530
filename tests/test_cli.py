"""`python -m generator check|export`: exit codes, messages, the JSON export.

Commands run in-process through `generator.cli.main([...])` with pytest's capsys, as
sqlite-utils tests its CLI; a few run `python -m generator` in a new interpreter to
pin the real entry point and its exit codes.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from generator.cli import main
from helpers import make_corpus, run_cli_process

COMPACT = (
    "Get trending papers in your email inbox once a day!\n"
    "Get trending papers in your email inbox!\n"
    "SubscribeBriLLM: Brain-inspired Large Language Model\n"  # 3
    "This paper reports the first brain-inspired large language model (BriLLM).\n"
    "Key-value memory in the brain\n"  # 5
    "Classical models of memory rely on similarity-based retrieval. Code: https://github.com/x/kv.\n"
)
SPACED = "\n".join([
    "new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "Daily Papers", "",
    "byAK and the research community", "",
    "Oct 28",  # 11
    "",
    "Key-value memory in the brain",  # 13
    "",
    "Classical models of memory rely on similarity-based retrieval. Code: https://github.com/x/kv.",
    "",
    "  • 3 authors", "·", "Jul 19, 2023 5",
    "",
    "Pretraining with hierarchical memories",  # 21
    "",
    "The impressive performance gains of modern language models.",
    "",
    "apple Apple", "·", "Sep 29 2",
    "",
]) + "\n"

EXPORT_FIELDS = {"slug", "title", "abstract", "date", "date_inferred", "upvotes", "authors", "organization",
                 "links", "sources", "themes", "url"}


@pytest.fixture
def cli(capsys):
    """cli("check", ...) -> (returncode, stdout, stderr) of `main([...])` in this process."""
    def run(*args: str) -> SimpleNamespace:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse usage errors
            code = stop.code
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)
    return run


def good_corpus(tmp_path):
    return make_corpus(tmp_path / "corpus", {"000_compact.txt": COMPACT, "001_spaced.txt": SPACED})


# --- check -----------------------------------------------------------------------------------

def test_check_ok_exits_0_and_reports_each_dump_and_the_corpus(cli, tmp_path):
    result = cli("check", "--corpus", str(good_corpus(tmp_path)))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    compact_line = next(line for line in out.splitlines() if "000_compact.txt" in line)
    spaced_line = next(line for line in out.splitlines() if "001_spaced.txt" in line)
    assert "compact" in compact_line and re.search(r"\b2 records\b", compact_line)
    assert "spaced" in spaced_line and re.search(r"\b2 records\b", spaced_line)
    assert "2024-10-28" in spaced_line  # listing year inferred from 2023
    assert re.search(r"papers after merging: 3\b", out)
    assert re.search(r"duplicates merged: 1\b", out)
    assert "Problems: none" in out
    assert result.stderr == ""


def test_check_strict_without_problems_exits_0(cli, tmp_path):
    result = cli("check", "--strict", "--corpus", str(good_corpus(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_problem_is_listed_with_file_and_line_and_strict_turns_it_into_exit_1(cli, tmp_path):
    conflicting = COMPACT.replace("This paper reports the first", "This paper reports a second")
    corpus = make_corpus(tmp_path / "corpus", {"000_compact.txt": COMPACT, "001_compact.txt": conflicting})
    lenient = cli("check", "--corpus", str(corpus))
    assert lenient.returncode == 0, lenient.stderr
    assert "000_compact.txt:3" in lenient.stdout and "001_compact.txt:3" in lenient.stdout
    assert "Problems: none" not in lenient.stdout
    strict = cli("check", "--strict", "--corpus", str(corpus))
    assert strict.returncode == 1
    assert "000_compact.txt:3" in strict.stdout + strict.stderr


def test_unreadable_dump_is_reported_but_the_rest_still_checks(cli, tmp_path):
    latin1 = COMPACT.replace("Key-value memory in the brain", "Mémoire clé-valeur").encode("latin-1")
    corpus = make_corpus(tmp_path / "corpus", {"000_good.txt": SPACED, "001_latin1.txt": latin1})
    result = cli("check", "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    # the bad byte is on line 5
    assert "001_latin1.txt:5" in result.stdout
    assert cli("check", "--strict", "--corpus", str(corpus)).returncode == 1


def test_invalid_themes_yml_exits_1_with_file_and_line(cli, tmp_path):
    themes = "themes:\n  - name: A\n    description: d\n    terms: [x\n  - name: B\n"
    corpus = make_corpus(tmp_path / "corpus", {"000_compact.txt": COMPACT}, themes=themes)
    result = cli("check", "--corpus", str(corpus))
    assert result.returncode == 1
    assert re.search(r"themes\.yml:\d+", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_key_in_themes_yml_names_its_line(cli, tmp_path):
    themes = "themes:\n  - name: A\n    description: d\n    terms: [x]\n    colour: red\n"
    corpus = make_corpus(tmp_path / "corpus", {"000_compact.txt": COMPACT}, themes=themes)
    result = cli("export", "--json", str(tmp_path / "out.json"), "--corpus", str(corpus))
    assert result.returncode == 1
    assert "themes.yml:5" in result.stderr
    assert "colour" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_missing_corpus_folder_exits_1_and_says_the_folder_is_missing(cli, tmp_path):
    missing = tmp_path / "no-such-corpus"
    result = cli("check", "--corpus", str(missing))
    assert result.returncode == 1
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr
    # the message must be about the folder, not advise creating a file inside a folder that is not there
    message = result.stderr.lower()
    assert any(words in message for words in ("no such folder", "does not exist", "not a folder", "not found")), \
        result.stderr


def test_corpus_without_any_paper_exits_1(cli, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"000_empty.txt": "new\n\nSubscribe\n\nOct 28\n"})
    result = cli("check", "--corpus", str(corpus))
    assert result.returncode == 1
    assert "error" in result.stderr.lower()


def test_usage_errors_exit_2(cli):
    assert cli().returncode == 2
    assert cli("check", "--no-such-option").returncode == 2
    missing_json = cli("export")
    assert missing_json.returncode == 2
    assert "--json" in missing_json.stderr


# --- the real entry point, in a new interpreter -------------------------------------------------

def test_entry_point_help_exits_0_and_lists_the_commands():
    result = run_cli_process("--help")
    assert result.returncode == 0, result.stderr
    for command in ("check", "export", "markdown", "build"):
        assert command in result.stdout


def test_entry_point_exit_codes(tmp_path):
    corpus = good_corpus(tmp_path)
    assert run_cli_process("check", "--strict", "--corpus", str(corpus)).returncode == 0
    missing = run_cli_process("check", "--corpus", str(tmp_path / "no-such-corpus"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert run_cli_process("check", "--no-such-option").returncode == 2


# --- export ----------------------------------------------------------------------------------

def test_export_writes_json_with_every_field(cli, tmp_path):
    out = tmp_path / "out" / "papers.json"
    result = cli("export", "--json", str(out), "--corpus", str(good_corpus(tmp_path)))
    assert result.returncode == 0, result.stderr
    records = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(records, list) and len(records) == 3
    assert all(EXPORT_FIELDS <= set(r) for r in records), [sorted(EXPORT_FIELDS - set(r)) for r in records]
    assert [r["slug"] for r in records] == sorted(r["slug"] for r in records)
    by_title = {r["title"]: r for r in records}

    brillm = by_title["BriLLM: Brain-inspired Large Language Model"]
    assert brillm["abstract"] == "This paper reports the first brain-inspired large language model (BriLLM)."
    assert (brillm["date"], brillm["date_inferred"], brillm["upvotes"], brillm["authors"],
            brillm["organization"]) == (None, False, None, None, None)
    assert brillm["sources"] == [{"dump": "000_compact.txt", "line": 3}]
    assert brillm["links"] == []

    kv = by_title["Key-value memory in the brain"]
    assert (kv["date"], kv["date_inferred"], kv["upvotes"], kv["authors"], kv["organization"]) == (
        "2023-07-19", False, 5, 3, None)
    assert kv["sources"] == [{"dump": "000_compact.txt", "line": 5}, {"dump": "001_spaced.txt", "line": 13}]
    assert kv["links"] == ["https://github.com/x/kv"]
    assert kv["slug"] == "key-value-memory-in-the-brain"
    assert kv["slug"] in kv["url"]
    assert kv["themes"] and all(isinstance(t, str) for t in kv["themes"])

    pretraining = by_title["Pretraining with hierarchical memories"]
    assert (pretraining["date"], pretraining["date_inferred"], pretraining["upvotes"], pretraining["authors"],
            pretraining["organization"]) == ("2024-09-29", True, 2, None, "Apple")
    assert pretraining["sources"] == [{"dump": "001_spaced.txt", "line": 21}]


def test_export_to_stdout(cli, tmp_path):
    result = cli("export", "--json", "-", "--corpus", str(good_corpus(tmp_path)))
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert sorted(r["title"] for r in records) == [
        "BriLLM: Brain-inspired Large Language Model", "Key-value memory in the brain",
        "Pretraining with hierarchical memories"]
