"""Pagefind indexes stand-ins of the indexed pages while MkDocs renders (generator/pagefind.py): the index
must be the one Pagefind makes of the finished site, its compounds spaced as the build spaces them."""

from __future__ import annotations

from generator import pagefind
from helpers import pagefind_index_of_built_site, tree_hash


def test_the_index_is_the_one_pagefind_makes_of_the_built_site(real_site):
    made, expected = tree_hash(real_site / "pagefind"), pagefind_index_of_built_site(real_site)
    assert len(expected) > 300  # every paper page gave a fragment
    assert made == expected


def test_a_dirty_rebuild_indexes_the_pages_it_did_not_render(tmp_path):
    """`mkdocs build --dirty` renders only what changed: the about page, untouched, gets no body in
    that build, and is indexed from the file the first build wrote."""
    import os

    from helpers import SPACED_HEADER, make_corpus, run_cli_fresh

    lines = list(SPACED_HEADER) + ["Spiking Memory Paper", "", "Spiking neural networks store memory.", "",
                                   "  • 2 authors", "·", "Jul 1, 2023 3", ""]
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": "\n".join(lines)})
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PAPER_ATLAS_CORPUS=str(corpus))
    site = tmp_path / "site"
    for extra in (["--strict"], ["--dirty", "--no-strict"]):  # MkDocs warns of every dirty build
        result = run_cli_fresh("build", "-d", str(site), *extra, env=env, program="mkdocs")
        assert result.returncode == 0, result.stdout + result.stderr
        if extra == ["--strict"]:
            first = tree_hash(site / "pagefind")
            assert any(name.startswith("fragment/") for name in first), sorted(first)[:5]
    assert tree_hash(site / "pagefind") == first


def test_pagefind_starts_on_the_last_builds_about_body_and_again_when_it_differs(tmp_path, monkeypatch):
    """A rebuild starts Pagefind before MkDocs renders the about page, on the body the last build rendered;
    a kept body that differs from the one rendered (here: planted in the cache) starts Pagefind again.
    Either way the index is the one Pagefind makes of the built site."""
    from generator import incremental
    from helpers import SPACED_HEADER, make_corpus, run_cli

    lines = list(SPACED_HEADER) + ["Spiking Memory Paper", "", "Spiking neural networks store memory.", "",
                                   "  • 2 authors", "·", "Jul 1, 2023 3", ""]
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": "\n".join(lines)})
    site, cache = tmp_path / "site", tmp_path / "cache"
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(cache))

    def build() -> str:
        for record in (cache / "builds").glob("*.json"):
            record.unlink()  # build again, nothing changed
        result = run_cli("build", "--corpus", str(corpus), "--site", str(site), "--verbose")
        assert result.returncode == 0, result.stdout + result.stderr
        assert tree_hash(site / "pagefind") == pagefind_index_of_built_site(site)
        return result.stderr

    assert "Pagefind started before rendering" not in build()
    assert "on the last build's body of about.md" in build()
    [kept] = (cache / "bodies").rglob("*.html")
    incremental.BodyCache(cache).put(kept.stem, b"<h1>Another about page</h1><p>planted</p>")
    log = build()
    assert "body of about.md" in log and "about.md renders otherwise" in log, log
    assert "Pagefind started before rendering" in build()  # the body rendered was kept again
    # A paper added (a new page, which the about page does not name) keeps the about page's key.
    (corpus / "b.txt").write_text("\n".join(list(SPACED_HEADER) + [
        "Another Memory Paper", "", "Memory consolidation in sleep.", "", "  • 3 authors", "·", "Jul 2, 2023 4", ""]),
        encoding="utf-8")
    assert "on the last build's body of about.md" in build()


def test_an_abstract_edited_while_generator_build_runs_is_indexed_as_its_page_shows_it(tmp_path, monkeypatch):
    """`generator build` starts Pagefind on the corpus it read first (corpus.read_so_far), while the related
    papers are computed; an abstract edited after that reading (before the hook, or as the hook begins the
    index on it) is on its page, and in the index too."""
    from generator import cli
    from helpers import SPACED_HEADER, make_corpus, run_cli

    def dump(abstract: str) -> str:
        return "\n".join(list(SPACED_HEADER) + ["Spiking Memory Paper", "", abstract, "", "  • 2 authors", "·",
                                                "Jul 1, 2023 3", ""])

    def edit(corpus) -> None:
        (corpus / "a.txt").write_text(dump("Dendritic plateau potentials gate hippocampal replay."), encoding="utf-8")

    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache"))
    for when in ("after the CLI read it", "as the hook begins the index"):
        corpus = make_corpus(tmp_path / when, {"a.txt": dump("Spiking neural networks store memory.")})
        site = tmp_path / f"{when} site"
        with monkeypatch.context() as patch:
            if when == "after the CLI read it":
                def read_then_edit(path, read=cli.start_loading, corpus=corpus):
                    early = read(path)
                    edit(corpus)
                    return early
                patch.setattr(cli, "start_loading", read_then_edit)
            else:
                class EditedAsIndexingBegins(pagefind.Indexing):
                    def __init__(self, *args, corpus=corpus, **kwargs):
                        super().__init__(*args, **kwargs)
                        if "Spiking neural" in (corpus / "a.txt").read_text(encoding="utf-8"):
                            edit(corpus)
                patch.setattr(pagefind, "Indexing", EditedAsIndexingBegins)
            result = run_cli("build", "--corpus", str(corpus), "--site", str(site))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Dendritic plateau" in (site / "papers" / "spiking-memory-paper" / "index.html").read_text(), when
        assert tree_hash(site / "pagefind") == pagefind_index_of_built_site(site), when


def test_under_serve_an_edited_about_page_is_rendered_at_once_for_pagefind(tmp_path, monkeypatch):
    """Under `mkdocs serve`, after an edit of the about page, Pagefind starts on its body rendered before the
    other pages are generated (pagefind._render_early), not once MkDocs renders it; the body MkDocs renders
    is the same, and the index is the one Pagefind makes of the built site."""
    from generator import incremental
    from helpers import SPACED_HEADER, make_corpus, run_cli, temp_config

    monkeypatch.setattr(incremental, "serving", True)
    monkeypatch.setattr(pagefind, "_last_files", frozenset())
    lines = list(SPACED_HEADER) + ["Spiking Memory Paper", "", "Spiking neural networks store memory.", "",
                                   "  • 2 authors", "·", "Jul 1, 2023 3", ""]
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": "\n".join(lines)})
    config = temp_config(tmp_path / "project")
    site = tmp_path / "site"
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache"))

    def build() -> str:
        result = run_cli("build", "--corpus", str(corpus), "--site", str(site), "--config", str(config), "--verbose")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stderr

    assert "rendered now" not in build()  # a first build: nothing to resolve links against
    about = config.parent / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nEdited under serve, see [the data](papers.json).\n",
                     encoding="utf-8")
    log = build()
    assert "on the body of about.md rendered now" in log and "renders otherwise" not in log, log
    assert "Edited under serve" in (site / "about" / "index.html").read_text(encoding="utf-8")
    assert tree_hash(site / "pagefind") == pagefind_index_of_built_site(site)


def _child(scratch, pages, *command, **popen):
    """generator.pagefind_child over `pages` ((path, stand-in bytes or a paper's title and abstract), in English),
    running `command` in place of Pagefind. `popen`: more arguments of subprocess.Popen."""
    import pickle
    import subprocess
    import sys

    from generator.pagefind_child import PAGES

    scratch.mkdir()
    (scratch / PAGES).write_bytes(pickle.dumps(("en", pages)))
    return subprocess.Popen([sys.executable, "-m", "generator.pagefind_child", str(scratch), *command], **popen)


def test_the_child_removes_the_stand_ins_once_pagefind_read_them_and_keeps_the_index(tmp_path):
    import sys

    from generator.pagefind_child import stand_in
    from generator.render.paper import indexed_body

    paper = ("Language-based <b>Spiking</b> nets", "A language-based abstract, see https://x.org/a_b.")
    made = stand_in("en", indexed_body(*paper))
    assert b'data-pagefind-body' in made and b"language -based" in made.lower() and b"<b>" not in made
    pages = [("papers/a/index.html", paper), ("about/index.html", b"<h1>about</h1>")]
    # In place of Pagefind: checks the stand-ins are there (a paper's made of its title and abstract as the
    # paper page shows them), writes an index, exits 3.
    reads = ("import pathlib, sys; s = pathlib.Path(sys.argv[1]); "
             f"assert (s / 'papers/a/index.html').read_bytes() == {made!r}; "
             "assert (s / 'about/index.html').read_bytes() == b'<h1>about</h1>'; "
             "(s / 'pagefind').mkdir(); (s / 'pagefind/index.json').write_text('{}'); sys.exit(3)")
    scratch = tmp_path / "scratch"
    assert _child(scratch, pages, sys.executable, "-c", reads, str(scratch)).wait(30) == 3  # Pagefind's status
    assert sorted(p.relative_to(scratch).as_posix() for p in scratch.rglob("*")) == ["pagefind", "pagefind/index.json"]
    # Under `mkdocs serve` the server removes them itself, in a thread, as the page reloads.
    kept = tmp_path / "kept"
    assert _child(kept, pages, "--keep-stand-ins", sys.executable, "-c", reads, str(kept)).wait(30) == 3
    assert (kept / "papers/a/index.html").is_file() and (kept / "pagefind/index.json").is_file()


def test_the_process_that_runs_pagefind_does_not_hold_the_stand_ins_it_wrote(tmp_path):
    """The stand-ins are made and written by a process forked for them (pagefind_child.write_stand_ins_apart),
    ended before Pagefind starts: the child that waits for Pagefind holds no more memory for 3,000 papers'
    stand-ins than for one (made in the child itself, they stayed resident: 57 MB at 10,000 papers). In place of
    Pagefind, a program that reads its parent's resident memory."""
    import sys

    reads = ("import os, pathlib, sys; s = pathlib.Path(sys.argv[1]); "
             "kb = next(int(line.split()[1]) for line in open(f'/proc/{os.getppid()}/status') if line.startswith('VmRSS:')); "
             "(s / 'rss').write_text(str(kb * 1024))")

    def held(count: int) -> int:
        scratch = tmp_path / str(count)
        pages = [(f"papers/p{i}/index.html", ("A title", f"An abstract of paper {i}, " + "with its words " * 60))
                 for i in range(count)]
        assert _child(scratch, pages, sys.executable, "-c", reads, str(scratch)).wait(60) == 0
        assert not (scratch / "papers").exists()  # (removed once Pagefind had read them)
        return int((scratch / "rss").read_text())

    one, many = held(1), held(3000)
    assert many - one < 4 * 2**20, f"the child held {(many - one) / 2**20:.0f} MB more for 3,000 papers"


def test_stand_ins_that_cannot_be_made_fail_the_child_and_pagefind_is_not_run(tmp_path):
    """The process forked to write the stand-ins fails (here: the build's list of them is damaged): the child
    exits with its status, its traceback in the output the build shows, and does not run Pagefind."""
    import subprocess
    import sys

    from generator.pagefind_child import PAGES

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / PAGES).write_bytes(b"not a pickle")
    ran = tmp_path / "ran"
    child = subprocess.run([sys.executable, "-m", "generator.pagefind_child", str(scratch), sys.executable, "-c",
                            f"open({str(ran)!r}, 'w')"], capture_output=True, text=True, timeout=60)
    assert child.returncode == 1 and "UnpicklingError" in child.stderr, child.stderr
    assert not ran.exists()


def test_pagefind_runs_with_one_allocator_arena_unless_the_user_set_its_allocator(tmp_path, monkeypatch):
    """The child gives Pagefind's jemalloc one arena (pagefind_child.ALLOCATOR), and the real binary takes the
    setting: asked to print its settings at exit, it says so. If a Pagefind release stops reading the variable,
    this fails (Pagefind's peak memory, measured in bench/, would go back up by a tenth)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from generator.pagefind_child import ALLOCATOR

    (name, value), = ALLOCATOR.items()
    shows = f"import os; print(os.environ.get({name!r}))"  # in place of Pagefind: what it was given
    page = [("papers/a/index.html", ("A title", "An abstract."))]

    def given(scratch: Path) -> str:
        child = _child(scratch, page, sys.executable, "-c", shows, stdout=subprocess.PIPE, text=True)
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        return out.strip()

    monkeypatch.delenv(name, raising=False)
    assert given(tmp_path / "default") == value
    monkeypatch.setenv(name, "stats_print:true")
    assert given(tmp_path / "user's") == "stats_print:true"  # the user's own setting wins

    site = tmp_path / "site"
    (site / "papers/a").mkdir(parents=True)
    (site / "papers/a/index.html").write_text('<html lang="en"><body><div data-pagefind-body><h1>A</h1>'
                                              "<p>word</p></div></body></html>", encoding="utf-8")
    run = subprocess.run(pagefind.command(site), env=dict(os.environ, **{name: f"{value},stats_print:true"}),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "opt.narenas: 1\n" in run.stderr, run.stderr[:2000]
    assert "<jemalloc>" not in run.stderr  # (a setting it refused)


def test_pagefind_dies_with_the_child_that_runs_it(tmp_path):
    """The build kills the child (abort, or the build's own death: die_with_parent); Pagefind, the child's
    child, must not go on indexing a scratch folder nobody will read."""
    import os
    import signal
    import sys
    import time

    pid_file = tmp_path / "pid"
    waits = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    child = _child(tmp_path / "scratch", [("papers/a/index.html", b"x")], sys.executable, "-c", waits)
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    pagefind = int(pid_file.read_text())
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pagefind, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{pagefind}/stat") as stat:  # a zombie (reaped by init soon) has stopped
            if stat.read().split(") ", 1)[1].startswith("Z"):
                break
        time.sleep(0.05)
    else:
        os.kill(pagefind, signal.SIGKILL)
        raise AssertionError("Pagefind outlived the child that ran it")


def test_a_stored_index_is_found_only_for_the_same_papers_language_and_code(tmp_path, monkeypatch):
    """The index kept in the cache is keyed by what the stand-ins are made of: each paper's title and
    abstract (the child makes its stand-in: pagefind_child.stand_ins), the other pages' bytes, the site's
    language (every stand-in's <html lang>) and the generator's code (indexed_body)."""
    from generator import incremental

    def key(pages, lang="en", code="code"):
        monkeypatch.setattr(incremental, "_build", incremental.Build(incremental.PageCache(tmp_path), "site", code))
        return incremental.stored_pagefind(pagefind.arguments("<site>"), pages, lang)[0]

    pages = [("papers/a/index.html", ("A title", "An abstract.")), ("about/index.html", b"<h1>about</h1>")]
    same = key(list(reversed(pages)))
    assert key(pages) == same and len({same, key(pages, lang="de"), key(pages, code="other code"),
                                       key([pages[0], ("about/index.html", b"<h1>About</h1>")]),
                                       key([("papers/a/index.html", ("A title", "An abstract!")), pages[1]]),
                                       key([("papers/b/index.html", pages[0][1]), pages[1]])}) == 6
