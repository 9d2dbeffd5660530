"""Hardening (issue 14): each test is named after a finding of the attack run."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator import cli, write
from generator.children import popen_kwargs
from generator.corpus import load_corpus
from generator.model import PaperDate, count
from helpers import build_site, error_lines, make_corpus, run_cli, tree_hash

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
    assert loaded.records_read == len(loaded.papers) + loaded.duplicates + count(loaded.rejected)


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


# --- tracebacks that became file:line problems or one-line errors --------------------------------------------

THEME = "themes:\n  - name: {name}\n    description: {description}\n    terms: [spiking]\n"


def test_dollars_in_a_theme_name_are_text_not_mathtext(tmp_path):
    """A theme named with `$...$` was read by matplotlib as math: `Unknown symbol`, or dollars dropped."""
    from generator.render import charts

    name = r"Costs $\foo$ and $x_2$"
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP}, themes=THEME.format(name=f"'{name}'", description="d"))
    loaded = load_corpus(corpus, with_related=False)
    dated = [replace(p, date=PaperDate(dt.date(2025, 10, 28))) for p in loaded.papers]
    svg, _ = charts.months_by_theme(dated, loaded.themes)
    assert name.replace("&", "&amp;") in svg


@pytest.mark.parametrize(("description", "advice"), [
    (r'"bad \x01 byte"', "which no page or feed can hold; remove it"),
    (r'"lone \ud800 surrogate"', "invalid Unicode character escape code; fix the syntax there"),  # libyaml refuses it
], ids=["control", "surrogate"])
def test_a_control_character_in_a_theme_description_is_a_file_line_problem(tmp_path, description, advice):
    """A control character in a theme description passed `check --strict`, then killed the feeds in `build`."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP}, themes=THEME.format(name="Spikes", description=description))
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 1 and "themes.yml:3: " in result.stderr and advice in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name, shown", [("{a: 1}", "a mapping"), ("[a, b]", "a list"), ("yes", "True")])
def test_a_theme_name_of_the_wrong_type_is_rejected_not_published_as_a_repr(tmp_path, name, shown):
    """A mapping as a theme name was published as a Python repr ("{'a': 1}")."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP}, themes=THEME.format(name=name, description="d"))
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 1, result.stdout
    assert "themes.yml:2: a theme's 'name' must be text; " + shown in result.stderr, result.stderr


def test_encoding_undefined_in_sources_is_a_file_line_problem(tmp_path):
    """`encoding: undefined` names a registered codec that refuses everything: a traceback in build."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP}, sources="a.txt:\n  encoding: undefined\n")
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 1 and "sources.yml:2: unknown encoding 'undefined'" in result.stderr, result.stderr


def test_a_codec_yielding_lone_surrogates_rejects_the_dump_with_its_line(tmp_path):
    """raw_unicode_escape turns `\\ud800` into a lone surrogate, which no UTF-8 page can hold."""
    bad = (DUMP + "Second Paper Title Here\nIt costs 5 \xe9 and \\ud800 here.\n").encode("latin-1")
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP, "b.txt": bad},
                         sources="b.txt:\n  encoding: raw_unicode_escape\n")
    loaded = load_corpus(corpus, with_related=False)
    reasons = {r.source: r.reason for r in loaded.rejected}
    assert [str(s) for s in reasons] == ["b.txt:8"] and "lone surrogate (U+D800)" in next(iter(reasons.values()))
    assert [p.title for p in loaded.papers] == ["A Real Paper About Spiking"]


@pytest.mark.parametrize("key", ["/etc/passwd", "../outside.txt", "sub/a.txt"])
def test_sources_keys_must_name_a_dump_in_the_corpus(tmp_path, key):
    """sources.yml accepted any existing path as a dump name, such as /etc/passwd or ../x.txt."""
    (tmp_path / "outside.txt").write_text(DUMP)
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP}, sources=f"'{key}':\n  listing_date: 2025-01-01\n")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "a.txt").write_text(DUMP)
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 1, result.stdout
    assert f"sources.yml:1: '{key}' is not a dump in" in result.stderr, result.stderr


def test_an_unreadable_dump_is_rejected_with_a_reason(tmp_path, monkeypatch):
    """An unreadable dump (no read permission; root cannot be refused, so the error is injected) was a traceback."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP, "b.txt": DUMP.replace("Spiking", "Bursting")})
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == "b.txt":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    loaded = load_corpus(corpus, with_related=False)
    assert [r.reason for r in loaded.rejected] == ["dump not read: cannot be read (Permission denied); "
                                                   "check the file's permissions"]
    assert len(loaded.papers) == 1


@pytest.mark.parametrize("site", ["/dev/null", "/sys/paper-atlas-site"], ids=["dev-null", "read-only-parent"])
def test_site_at_dev_null_or_under_a_read_only_parent_is_a_one_line_error(tmp_path, site):
    """`--site /dev/null` and a site under a read-only parent ended in tracebacks. sysfs refuses
    new files even to root (who passes every permission check), so /sys stands for a read-only parent."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    result = run_cli("build", "--corpus", str(corpus), "--site", site)
    assert result.returncode == 1, result.stdout
    assert len(error_lines(result.stderr)) == 1 and "Traceback" not in result.stderr, result.stderr
    assert Path("/dev/null").is_char_device()
    assert not Path("/sys/paper-atlas-site").exists()


def test_a_symlinked_site_is_refused_and_left_as_it_was(tmp_path):
    """--site as a symlink: the swap replaced the link, not its target, then crashed, leaving a dangling link."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    real = tmp_path / "real"
    build_site(corpus, real)
    before = tree_hash(real)
    link = tmp_path / "site"
    link.symlink_to(real)
    result = run_cli("build", "--corpus", str(corpus), "--site", str(link))
    assert result.returncode == 1 and "is a symbolic link; give the real folder" in result.stderr
    assert link.is_symlink() and tree_hash(real) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".real.lock", "c", "real", "site"]


def test_a_dump_name_that_is_not_utf8_does_not_stop_the_build(tmp_path):
    """A dump whose file name is not valid UTF-8 passed `check` and ended `build` in a traceback."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    with open(os.path.join(os.fsencode(corpus), b"bad\xff.txt"), "wb") as bad:
        bad.write(DUMP.encode())
    result = build_site(corpus, tmp_path / "site")
    assert "rejected 1" in result.stdout
    listed = run_cli("check", "--corpus", str(corpus))
    assert "bad\\xff.txt" in listed.stdout and "not valid UTF-8" in listed.stdout


def test_check_does_not_compute_related_papers(tmp_path, monkeypatch):
    """`check` computed related papers (O(n^2)) that it never shows: 246 of 276 s on 100,000 tiny records."""
    from generator import related

    def refuse(papers):
        raise AssertionError("check computed related papers")

    monkeypatch.setattr(related, "related", refuse)
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    result = run_cli("check", "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr


def test_sigterm_removes_the_staging_folder_and_keeps_the_old_site(tmp_path):
    """SIGTERM left a staging folder until the next build; now it unwinds like Ctrl-C."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    site = tmp_path / "site"
    build_site(corpus, site)
    before = tree_hash(site)
    (corpus / "b.txt").write_text(DUMP.replace("Spiking", "Bursting"))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    build = subprocess.Popen([sys.executable, "-m", "generator", "build", "--corpus", str(corpus), "--site", str(site)],
                             cwd=Path(__file__).resolve().parent.parent, env=env, stderr=subprocess.PIPE, text=True)
    for _ in range(2000):
        if list(tmp_path.glob(".site.new-*")) or build.poll() is not None:
            break
        time.sleep(0.005)
    assert build.poll() is None, "the build ended before it could be stopped"
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 143, err
    assert "terminated; nothing was replaced" in err and "Traceback" not in err
    assert not list(tmp_path.glob(".site.new-*")) and not list(tmp_path.glob(".site.old-*"))
    assert tree_hash(site) == before


def test_dump_names_with_escape_sequences_or_newlines_are_printed_escaped(tmp_path):
    """Dump file names with escape sequences or newlines were printed raw by `check` and spoofed the report."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP, "evil\x1b[2J\nProblems: none\n.txt": DUMP})
    result = run_cli("check", "--corpus", str(corpus))
    assert "\x1b" not in result.stdout + result.stderr
    assert "\nProblems: none\n" not in result.stdout
    assert "evil\\x1b[2J\\nProblems: none\\n.txt" in result.stdout
    assert "control characters; not read (rename it)" in result.stdout


def test_a_killed_builds_staging_folder_goes_even_when_the_site_is_up_to_date(tmp_path):
    """SIGKILL leaves a staging folder; the next build said "up to date" before cleaning it up, so it stayed."""
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP})
    site = tmp_path / "site"
    build_site(corpus, site)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".site.new-{int(finished.stdout)}-abc"  # its owner has exited, as a killed build has
    (stale / "papers").mkdir(parents=True)
    result = build_site(corpus, site)
    assert "up to date" in result.stdout
    assert not stale.exists()


def test_a_dump_rejected_for_one_bad_byte_counts_every_record_it_holds(tmp_path):
    """A dump rejected for one bad byte counted as one rejected record, whatever it held."""
    five = DUMP + "".join(f"Paper Number {i} On Memory\nAn abstract about memory number {i}.\n" for i in range(4))
    corpus = make_corpus(tmp_path / "c", {"a.txt": DUMP.replace("Spiking", "Bursting"),
                                          "b.txt": five.encode().replace(b"number 2.", b"number 2\xff.")})
    result = run_cli("check", "--corpus", str(corpus))
    assert result.stdout.splitlines()[-1] == "records read 6 = papers 1 + duplicates merged 0 + rejected 5"
    assert "b.txt: not read; 5 rejected" in result.stdout
    assert "dump not read (all 5 records in it): not UTF-8 (byte 0xff)" in result.stdout


def test_a_conflict_line_lists_a_bounded_number_of_variants():
    """One conflict line listed 10,000 variants (750 kB)."""
    from generator.merge import merge
    from generator.model import Metadata, RawRecord, Source

    records = [RawRecord(Source(f"d{i}.txt", 5), "One Title", f"Abstract variant {i}.",
                         Metadata(None, None, None, None, None, i + 1, None, None)) for i in range(10_000)]
    problems = merge(records).problems
    assert {p.kind for p in problems} == {"conflict"} and len(problems) == 2  # abstract, author count
    for problem in problems:
        assert len(problem.message) < 1_000, len(problem.message)
        assert problem.message.count("; ") <= 6 and "and 9995 more" in problem.message


def test_an_inferred_date_line_lists_a_bounded_number_of_dump_lines():
    """The line saying an inferred date disagrees with the explicit one named every dump line that showed
    it: 10,000 of them made one 180 kB line (the conflict lines were capped, this one was not)."""
    from generator.merge import merge
    from generator.model import RawRecord, Source

    explicit = RawRecord(Source("a.txt", 5), "One Title", "An abstract.", None, PaperDate(dt.date(2024, 5, 1)))
    inferred = [RawRecord(Source(f"d{i}.txt", 5), "One Title", "An abstract.", None,
                          PaperDate(dt.date(2025, 5, 1), inferred=True)) for i in range(10_000)]
    [problem] = merge([explicit, *inferred]).problems
    assert "inferred date 2025-05-01 disagrees with the explicit date 2024-05-01" in problem.message
    assert len(problem.where) < 100 and problem.where == "d0.txt:5, d1.txt:5, d2.txt:5, and 9997 more"


# --- field-length limits (generator/limits.py) ----------------------------------------------------------------

def test_a_huge_abstract_of_punctuation_is_rejected_with_its_line_not_rendered_for_minutes():
    """One 160 kB abstract of punctuation took Python-Markdown three minutes; 1 MB never finished."""
    from generator.parse import parse_dump

    huge = "<>&*_[]|#{} " * 14_000  # 167,999 characters once the line is stripped
    text = "\n".join(["Get trending papers in your email inbox!", "SubscribeA Fine Paper",
                      "A fine abstract. It is short. It reads well.", "A Broken Paper", huge,
                      "Another Fine Paper", "Another fine abstract. Short. Fine."]) + "\n"
    parsed = parse_dump("a.txt", text)
    assert [r.title for r in parsed.records] == ["A Fine Paper", "Another Fine Paper"]
    [rejected] = parsed.rejected
    assert str(rejected.source) == "a.txt:4"
    assert rejected.reason == ("the abstract is 167,999 characters long, over the limit of 20,000 "
                               "(is the dump broken here?)")


def test_an_abstract_at_the_limit_is_one_raw_html_block_markdown_does_not_scan():
    """Escaping to character references made Python-Markdown's inline work grow with the square of the
    text; the abstract is now a raw-HTML paragraph on one line, set aside whole (linear: bench/linear.py)."""
    import markdown

    from generator.render.escape import md_abstract

    text = ("<>&*_[]|`#{} x " * 2_000)[:20_000] + " https://example.org/a"
    block = md_abstract(text)
    assert block.startswith("<p>") and block.endswith("</p>") and "\n" not in block
    html = markdown.markdown(block, extensions=["attr_list", "md_in_html", "tables", "toc"])
    assert html == block  # Python-Markdown kept it as it was: no inline pattern ran over it
    assert '<a href="https://example.org/a" class="pa-external"' in html and "<script" not in html


def test_api_fields_over_their_limits_reject_the_item_or_drop_the_field():
    from generator.api import parse_item

    problems: list = []
    long_title = parse_item({"title": "T" * 2_001, "summary": "s"}, "api/x.json", 0, "search", None, problems)
    assert long_title == "the title is 2,001 characters long, over the limit of 2,000 (is the dump broken here?)"
    item = {"title": "A Paper", "summary": "An abstract.", "ai_summary": "x" * 5_001,
            "authors": [{"name": "N" * 301}], "ai_keywords": ["memory"]}
    record = parse_item(item, "api/x.json", 0, "search", None, problems)
    assert record.ai_summary is None and record.author_names == () and record.keywords == ()
    [problem] = problems
    assert problem.where == "api/x.json item 1" and "over the length limits; left out" in problem.message


PUNCTUATION = "<>&*_[]|`#{} x "
SITE_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc"]  # mkdocs.yml's markdown_extensions


def _hostile_paper_page(tmp_path, length: int) -> str:
    """The Markdown of a paper page whose author names, keywords and AI summary (API fields, bounded
    by generator/limits.py) are punctuation, `length` characters in all for each field."""
    from generator import limits
    from generator.render.site import generate

    corpus = load_corpus(make_corpus(tmp_path / f"c{length}", {"a.txt": DUMP.replace(
        "An abstract about spiking neurons.\n",
        "An abstract about spiking neurons.\n\nsome-lab Some Lab\n·\nOct 27, 2025 3\n")}), with_related=False)
    name = (PUNCTUATION * limits.NAME)[:limits.NAME - 2]
    count = length // limits.NAME
    hostile = replace(corpus.papers[0], author_names=(name,) * count, keywords=(name,) * count,
                      ai_summary=(PUNCTUATION * length)[:min(length, limits.SUMMARY)])
    pages = dict(generate(replace(corpus, papers=(hostile,))))
    return pages[f"papers/{hostile.slug}.md"]


def _inline_matches(monkeypatch, page: str) -> tuple[int, str]:
    """How many inline-pattern matches Python-Markdown makes on `page` (each one rebuilds the
    text of its block: the cost that grew with the square of the text), and the HTML."""
    import markdown
    from markdown import treeprocessors

    calls = []
    apply = treeprocessors.InlineProcessor._InlineProcessor__applyPattern  # type: ignore[attr-defined]

    def counted(self, pattern, data, index, start=0):
        result = apply(self, pattern, data, index, start)
        calls.append(result[1])
        return result

    monkeypatch.setattr(treeprocessors.InlineProcessor, "_InlineProcessor__applyPattern", counted)
    html = markdown.markdown(page.split("\n---\n", 1)[1], extensions=SITE_EXTENSIONS)
    return sum(calls), html


def test_long_author_lists_keywords_and_summaries_of_punctuation_do_not_multiply_inline_work(tmp_path,
                                                                                           monkeypatch):
    """Author names and keywords (up to 500 of 300 characters each from the API) and the AI summary were
    inline Markdown written with a character reference per special character: Python-Markdown rebuilds
    a block's text once per reference, so one 40 kB authors line of punctuation took 4 s, a 150 kB one
    minutes. They are raw-HTML list items and paragraphs now: the inline work is the same at 1x and 8x."""
    import lxml.html

    from generator import limits

    small, large = (_hostile_paper_page(tmp_path, n) for n in (limits.SUMMARY // 8, limits.SUMMARY))
    (work_small, _), (work_large, html) = (_inline_matches(monkeypatch, page) for page in (small, large))
    assert work_large == work_small, (work_small, work_large)
    # ... and every character still reads exactly as written, inert, with the organization linked.
    doc = lxml.html.fromstring(html)
    name = (PUNCTUATION * limits.NAME)[:limits.NAME - 2]
    authors, keywords, org = (" ".join(li.text_content().split()) for li in doc.xpath("//div[@class='pa-facts']//li"))
    assert authors == "Authors: " + ", ".join([" ".join(name.split())] * (limits.SUMMARY // limits.NAME))
    assert keywords == authors.replace("Authors:", "Keywords:")
    assert org == "Organization: Some Lab" and doc.xpath("//div[@class='pa-facts']//li/a/@href") == ["../../orgs/some-lab/"]
    summary = doc.xpath("//div[@class='pa-ai-summary']/p")[0].text_content()
    assert summary.endswith(" ".join((PUNCTUATION * limits.SUMMARY)[:limits.SUMMARY].split()))
    for block in doc.xpath("//div[@class='pa-facts']/ul | //div[@class='pa-ai-summary']"):
        assert [e.tag for e in block.iter() if e.tag not in ("div", "p", "ul", "li", "a")] == ["strong"] * (
            1 if block.tag == "div" else 3)


def test_a_page_that_cannot_be_written_fails_the_build_naming_it(tmp_path):
    """The hook's thread writes the rendered pages (write.PageWriter); what it could not write stops the build
    at on_post_build with a MkDocs error naming the page, not a traceback."""
    from mkdocs.exceptions import PluginError

    from generator import hooks

    (tmp_path / "papers").write_text("a file where a folder should be", encoding="utf-8")
    good, bad = tmp_path / "about" / "index.html", tmp_path / "papers" / "a" / "index.html"
    write.pages.put(str(good), b"<p>about</p>")
    write.pages.put(str(bad), b"<p>a</p>")
    with pytest.raises(PluginError, match=r"papers/a/index\.html: the page could not be written"):
        hooks._pages_written()
    assert good.read_bytes() == b"<p>about</p>"
    hooks._pages_written()  # the failure was reported once: the next build starts clean


def test_a_page_write_error_is_raised_once_every_other_page_is_written(tmp_path, monkeypatch):
    """The build fails on the first page that could not be written only when the thread has written the
    others: the staging folder is then removed with nothing left to write into it."""
    import time

    real = write._page_file

    def slow(path: str, data: bytes) -> None:
        time.sleep(0.05)
        real(path, data)

    monkeypatch.setattr(write, "_page_file", slow)
    (tmp_path / "papers").write_text("a file where a folder should be", encoding="utf-8")
    pages = write.PageWriter()
    pages.put(str(tmp_path / "papers" / "a" / "index.html"), b"x")  # fails first
    later = [tmp_path / f"p{i}" / "index.html" for i in range(5)]
    for path in later:
        pages.put(str(path), b"x")
    with pytest.raises(write.OutputError, match="papers/a/index.html"):
        pages.finish()
    assert all(p.exists() for p in later)


def test_a_failed_build_leaves_no_page_write_pending(tmp_path, monkeypatch):
    """on_build_error drops the pages not written yet and waits for the one being written: nothing is
    written into the site folder after the build gave up on it."""
    import threading

    started, release = threading.Event(), threading.Event()
    real = write._page_file

    def slow(path: str, data: bytes) -> None:
        started.set()
        release.wait(10)
        real(path, data)

    monkeypatch.setattr(write, "_page_file", slow)
    pages = write.PageWriter()
    paths = [tmp_path / f"p{i}" / "index.html" for i in range(5)]
    for path in paths:
        pages.put(str(path), b"x")
    assert started.wait(10)
    threading.Timer(0.2, release.set).start()
    pages.abort()  # returns once the page being written is written
    assert [p.exists() for p in paths] == [True, False, False, False, False]
    pages.finish()  # nothing left to wait for, nothing to report
