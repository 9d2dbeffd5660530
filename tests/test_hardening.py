"""Hardening (issue 14): each test is named after a finding of the attack run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator import cli, write
from generator.children import popen_kwargs
from generator.corpus import load_corpus
from helpers import make_corpus, run_cli

DUMP = "Daily Papers\n\nOct 28\n\nA Real Paper About Spiking\nAn abstract about spiking neurons.\n"
LEAK = "Daily Papers\n\nOct 28\n\nSecret Line One\nSecret line two, from outside the corpus.\n"


def test_concurrent_builds_of_one_site_exclude_each_other(tmp_path):
    """Two builds of one --site at once: the second stops with a message and touches nothing."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    site = tmp_path / "site"
    with write.exclusive(site):  # another build holds the site
        result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 1
    assert "another build is writing it" in result.stderr and "wait for it to finish" in result.stderr
    assert not site.exists()
    assert not list(tmp_path.glob(".site.new-*"))


def test_recover_removes_only_stale_staging_folders(tmp_path):
    """recover() deleted every .SITE.new-* folder, including the staging folder of a build still running."""
    site = tmp_path / "site"
    site.mkdir()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)  # that process has exited
    live = tmp_path / f".site.new-{os.getppid()}-abc"  # our parent is alive
    stale = tmp_path / f".site.new-{dead}-def"
    live.mkdir()
    stale.mkdir()
    write.recover(site)
    assert live.is_dir(), "the staging folder of a running build was removed"
    assert not stale.exists(), "a stale staging folder was left"


def test_a_symlinked_dump_is_rejected_not_published(tmp_path):
    """`ln -s /etc/passwd corpus/leak.txt` put a file from outside the corpus on the public site."""
    outside = tmp_path / "outside.txt"
    outside.write_text(LEAK, encoding="utf-8")
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    (corpus / "leak.txt").symlink_to(outside)
    (corpus / "inside.txt").symlink_to(corpus / "a.txt")  # refused too, as Jekyll's safe mode does
    loaded = load_corpus(corpus, with_related=False)
    assert [p.title for p in loaded.papers] == ["A Real Paper About Spiking"]
    reasons = {r.source.dump: r.reason for r in loaded.rejected}
    assert "symbolic link" in reasons["leak.txt"] and "symbolic link" in reasons["inside.txt"]
    assert any(p.where == "leak.txt" and "symbolic link" in p.message for p in loaded.problems)


def test_odd_entries_named_like_dumps_are_reported_not_skipped(tmp_path):
    """A folder, FIFO or dangling link named *.txt, `x.TXT` and a hidden `.x.txt` were skipped in silence."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP, "upper.TXT": DUMP, ".hidden.txt": DUMP})
    (corpus / "folder.txt").mkdir()
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    loaded = load_corpus(corpus, with_related=False)
    reasons = {r.source.dump: r.reason for r in loaded.rejected}
    assert "a folder" in reasons["folder.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert "symbolic link" in reasons["dangling.txt"]
    assert 'lower-case ".txt"' in reasons["upper.TXT"]
    assert "hidden file" in reasons[".hidden.txt"]
    assert len(loaded.papers) == 1  # a.txt; the accounting still adds up
    assert loaded.records_read == len(loaded.papers) + loaded.duplicates + len(loaded.rejected)


def test_a_child_process_dies_with_the_build(tmp_path):
    """SIGKILL during indexing left a Pagefind process behind: children now die with their parent."""
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import subprocess, sys, time
        from generator.children import popen_kwargs
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], **popen_kwargs())
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(60)
    """)], cwd=Path(__file__).resolve().parent.parent)
    try:
        for _ in range(200):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.05)
        child = int(pid_file.read_text())
        parent.kill()
        parent.wait()
        for _ in range(100):
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":  # exited, not yet reaped
                break
            time.sleep(0.05)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the child outlived its killed parent")
    finally:
        parent.kill()
    assert popen_kwargs()["preexec_fn"] is not None


def test_sigint_prints_a_message_not_a_traceback(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_check", interrupted)
    assert cli.main(["check"]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


def test_a_site_folder_is_owned_only_through_the_marker(tmp_path):
    """A foreign folder holding an empty 404.html and sitemap.xml.gz was wiped as if it were ours."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "404.html").write_text("")
    (site / "sitemap.xml.gz").write_bytes(b"")
    (site / "precious.txt").write_text("keep me")
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
    assert result.returncode == 1 and "was not written by Paper Atlas" in result.stderr
    assert (site / "precious.txt").read_text() == "keep me"


def test_site_pointing_at_a_file_is_a_one_line_error(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    result = run_cli("build", "--corpus", str(corpus), "--site", str(target))
    assert result.returncode == 1 and "is not a folder" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text() == "x"


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))


@pytest.mark.parametrize("text, line, message", [
    ("themes:\n" + BILLION_LAUGHS.replace("\n", "\n  ").rstrip() + "\n", 2, "anchors and aliases"),
    ("themes:\n  - name: !foo X\n    description: d\n    terms: [x]\n", 2, "YAML tag '!foo'"),
    ("themes: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested more than"),
], ids=["billion-laughs", "custom-tag", "5000-deep"])
def test_hostile_yaml_in_themes_is_a_file_line_problem_not_a_hang_or_traceback(tmp_path, text, line, message):
    """680 bytes of aliases took 149 s and 1.1 GB; `!foo` and 5,000-deep nesting ended in tracebacks."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP}, themes=text)
    result = run_cli("check", "--corpus", str(corpus))  # refused from the event stream: nothing expanded
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"themes.yml:{line}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
