"""Nothing half-written, nothing outside the output folder, hand-written pages left alone.

Every check hashes whole trees before and after (helpers.tree_hash), so "unchanged"
means byte for byte. Builds that need a hand-written docs/ page use a temporary copy of
mkdocs.yml + docs/ whose `hooks:` entry points at the real generator/hooks.py.
Builds run in-process on a two-paper corpus; the one test that kills a build runs it in a
subprocess whose MkDocs step is faked (it writes a page, then waits to be killed), since
the property under test is the swap, not MkDocs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import write
from generator.errors import OutputError
from helpers import ROOT, SPACED_HEADER, error_lines, make_corpus, paper_pages, run_cli, temp_config, tree_hash

SMALL = "\n".join(SPACED_HEADER + [
    "Atomic Paper One", "", "An abstract about spiking neural networks.", "", "  • 2 authors", "·", "Jul 19, 2023 5",
    "",
    "Atomic Paper Two", "", "An abstract about memory consolidation.", "", "  • 3 authors", "·", "Jul 20, 2023 1",
    "",
])
SMALL_CHANGED = SMALL.replace("Atomic Paper Two", "Atomic Paper Three")
BAD_THEMES = "themes:\n  - name: A\n    description: d\n    terms: [x\n"  # unclosed [ : the error is on line 5


def leftovers(folder: Path) -> list[str]:
    parent = folder.parent
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((f".{folder.name}.new-",
                                                                        f".{folder.name}.old-")))


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("small") / "corpus", {"small.txt": SMALL})


@pytest.fixture(scope="module")
def built_site(small_corpus, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("build", "--corpus", str(small_corpus), "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture
def old_site(built_site, tmp_path) -> Path:
    """A private copy of a finished site, the 'previous site/' of each test."""
    site = tmp_path / "out" / "site"
    shutil.copytree(built_site, site, symlinks=True)
    return site


# --- a failing build leaves the previous site/ as it was ------------------------------------------------

def test_invalid_themes_yml_leaves_the_site_and_names_the_cause(old_site, tmp_path):
    corpus = make_corpus(tmp_path / "c", {"small.txt": SMALL_CHANGED}, themes=BAD_THEMES)
    before = tree_hash(old_site)
    result = run_cli("build", "--corpus", str(corpus), "--site", str(old_site))
    assert result.returncode == 1
    assert tree_hash(old_site) == before
    assert "Traceback" not in result.stderr
    [message] = error_lines(result.stderr)
    assert f"{corpus / 'themes.yml'}:5: invalid YAML" in message
    assert leftovers(old_site) == []


def _broken_link_config(tmp_path) -> Path:
    config = temp_config(tmp_path / "cfg")
    about = config.parent / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nSee [the missing page](missing-page.md).\n",
                     encoding="utf-8")
    return config


def test_strict_mkdocs_warning_leaves_the_site_and_names_the_cause(old_site, small_corpus, tmp_path):
    """The site stays as it was, and the user learns *which* warning stopped the build."""
    config = _broken_link_config(tmp_path)
    before = tree_hash(old_site)
    result = run_cli("build", "--corpus", str(small_corpus), "--site", str(old_site), "--config", str(config))
    assert result.returncode == 1, result.stdout + result.stderr
    assert tree_hash(old_site) == before
    assert "Traceback" not in result.stderr
    [message] = error_lines(result.stderr)
    assert "not built" in message and "unchanged" in message
    assert "missing-page.md" in result.stderr and "about.md" in result.stderr, result.stderr
    assert leftovers(old_site) == []


# A MkDocs that writes one page into the staging folder, then waits to be killed.
FAKE_MKDOCS_BUILD = """
import sys, time
from pathlib import Path
import mkdocs.commands.build

def build(config, **options):
    page = Path(config.site_dir) / "papers" / "half-written" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>half")
    time.sleep(300)

mkdocs.commands.build.build = build
from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_build_killed_midway_leaves_the_old_site_and_the_next_build_cleans_up(old_site, tmp_path):
    """SIGKILL while MkDocs writes pages into the staging folder. A changed corpus, so that neither
    build finds the site up to date (an up-to-date site is not rebuilt at all)."""
    changed = make_corpus(tmp_path / "c", {"small.txt": SMALL_CHANGED})
    before = tree_hash(old_site)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.Popen([sys.executable, "-c", FAKE_MKDOCS_BUILD, "build", "--corpus", str(changed),
                             "--site", str(old_site)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    writing = False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            staging = [p for p in old_site.parent.glob(f".{old_site.name}.new-*") if p.is_dir()]
            if any(next(p.glob("papers/*/index.html"), None) for p in staging):
                writing = True  # "MkDocs" is writing pages
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the build and anything it started
        proc.wait(timeout=30)
    assert writing and proc.returncode == -signal.SIGKILL, "the build was not caught while writing"
    staged = list(old_site.parent.glob(f".{old_site.name}.new-*"))
    assert staged and not any((p / write.MARKER).exists() for p in staged)  # really killed half-way
    assert tree_hash(old_site) == before

    result = run_cli("build", "--corpus", str(changed), "--site", str(old_site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert leftovers(old_site) == []
    assert sorted(p.parent.name for p in paper_pages(old_site)) == ["atomic-paper-one", "atomic-paper-three"]


def test_a_successful_build_leaves_no_staging_folders(old_site, tmp_path):
    corpus = make_corpus(tmp_path / "c", {"small.txt": SMALL_CHANGED})
    result = run_cli("build", "--corpus", str(corpus), "--site", str(old_site))
    assert result.returncode == 0, result.stderr
    assert leftovers(old_site) == []
    assert sorted(p.parent.name for p in paper_pages(old_site)) == ["atomic-paper-one", "atomic-paper-three"]


def test_recover_puts_a_parked_old_tree_back(tmp_path, built_site):
    """A run killed between the two renames of the fallback swap leaves only .site.old-*/site."""
    site = tmp_path / "site"
    parked = tmp_path / ".site.old-x1y2"
    shutil.copytree(built_site, parked / "site")
    (tmp_path / ".site.new-a1b2").mkdir()
    (tmp_path / ".site.new-a1b2" / "half.html").write_text("<p>half")
    write.recover(site)
    assert tree_hash(site) == tree_hash(built_site)
    assert leftovers(site) == []


# --- markdown --out -------------------------------------------------------------------------------------

def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_markdown_second_run_rewrites_nothing(small_corpus, tmp_path):
    out = tmp_path / "md"
    first = run_cli("markdown", "--corpus", str(small_corpus), "--out", str(out))
    assert first.returncode == 0, first.stderr
    written = int(first.stdout.split("wrote ", 1)[1].split()[0])
    files = [p for p in out.rglob("*") if p.is_file() and p.name != write.MARKER]
    assert written == len(files) > 0
    assert (out / "index.md").is_file() and (out / "papers" / "atomic-paper-one.md").is_file()
    stats, before = _stats(out), tree_hash(out)
    time.sleep(0.05)
    second = run_cli("markdown", "--corpus", str(small_corpus), "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"wrote 0 changed files to {out}"
    assert _stats(out) == stats
    assert tree_hash(out) == before
    assert leftovers(out) == []


def test_markdown_rewrites_only_what_changed(small_corpus, tmp_path):
    out = tmp_path / "md"
    assert run_cli("markdown", "--corpus", str(small_corpus), "--out", str(out)).returncode == 0
    old_stats, old_hash = _stats(out), tree_hash(out)
    changed_corpus = make_corpus(tmp_path / "c2", {"small.txt": SMALL_CHANGED})
    time.sleep(0.05)
    result = run_cli("markdown", "--corpus", str(changed_corpus), "--out", str(out))
    assert result.returncode == 0, result.stderr
    new_stats, new_hash = _stats(out), tree_hash(out)
    differing = {rel for rel in old_hash.keys() | new_hash.keys() if old_hash.get(rel) != new_hash.get(rel)}
    assert "papers/atomic-paper-two.md" in differing and "papers/atomic-paper-three.md" in differing
    assert int(result.stdout.split("wrote ", 1)[1].split()[0]) == len(differing)
    unchanged = [rel for rel in old_hash.keys() & new_hash.keys() if rel not in differing and rel in old_stats]
    assert unchanged, "some generated files should not depend on the renamed paper"
    for rel in unchanged:
        if rel != write.MARKER:
            assert new_stats[rel] == old_stats[rel], rel  # same inode, same mtime: not rewritten


def test_markdown_failing_run_leaves_the_previous_output(small_corpus, tmp_path):
    out = tmp_path / "md"
    assert run_cli("markdown", "--corpus", str(small_corpus), "--out", str(out)).returncode == 0
    before = tree_hash(out)
    bad = make_corpus(tmp_path / "bad", {"small.txt": SMALL_CHANGED}, themes=BAD_THEMES)
    result = run_cli("markdown", "--corpus", str(bad), "--out", str(out))
    assert result.returncode == 1
    assert len(error_lines(result.stderr)) == 1 and "themes.yml:5" in result.stderr
    assert tree_hash(out) == before
    assert leftovers(out) == []


# --- folders the generator does not own ------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, small_corpus) -> Path:
    """A project folder (cwd for the CLI) with docs/ and corpus/ copies."""
    root = tmp_path / "project"
    temp_config(root)
    shutil.copytree(small_corpus, root / "corpus")
    return root


@pytest.mark.parametrize("out", ["docs", "corpus", "docs/papers", "docs/generated", ".", "./docs/../corpus"])
def test_markdown_refuses_docs_and_corpus(project, out):
    before = tree_hash(project)
    result = run_cli("markdown", "--corpus", "corpus", "--out", out, cwd=project)
    assert result.returncode == 1, result.stdout
    [message] = error_lines(result.stderr)
    assert "refusing to write here" in message
    assert tree_hash(project) == before


def test_markdown_refuses_a_foreign_folder(tmp_path, small_corpus):
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine\n")
    before = tree_hash(foreign)
    result = run_cli("markdown", "--corpus", str(small_corpus), "--out", str(foreign))
    assert result.returncode == 1
    [message] = error_lines(result.stderr)
    assert str(foreign) in message and "not written by Paper Atlas" in message
    assert tree_hash(foreign) == before
    assert leftovers(foreign) == []


def test_build_refuses_a_foreign_folder(tmp_path, small_corpus):
    foreign = tmp_path / "www"
    foreign.mkdir()
    (foreign / "index.html").write_text("<p>someone else's site</p>\n")
    before = tree_hash(foreign)
    result = run_cli("build", "--corpus", str(small_corpus), "--site", str(foreign))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [message] = error_lines(result.stderr)
    assert "not written by Paper Atlas" in message
    assert tree_hash(foreign) == before
    assert leftovers(foreign) == []


def test_an_empty_folder_may_be_used(tmp_path, small_corpus):
    out = tmp_path / "empty"
    out.mkdir()
    result = run_cli("markdown", "--corpus", str(small_corpus), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / write.MARKER).exists()


@pytest.mark.parametrize("rel", ["../x.md", "ABSOLUTE/x.md", "a/../../x.md", "papers/../../x.md"])
def test_write_tree_refuses_paths_outside_the_folder(tmp_path, rel):
    out = tmp_path / "out"
    rel = rel.replace("ABSOLUTE", str(tmp_path))  # an absolute path: /tmp/.../x.md
    with pytest.raises(OutputError):
        write.write_tree(out, {"index.md": "ok", rel: "escaped"})
    assert not (tmp_path / "x.md").exists()
    assert not out.exists() or not any(p for p in out.rglob("*") if p.name != write.MARKER)


def test_write_tree_refuses_a_path_through_a_symlink_out(tmp_path):
    out = tmp_path / "out"
    write.write_tree(out, {"index.md": "ok"})
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "link").symlink_to(outside)
    with pytest.raises(OutputError):
        write.write_tree(out, {"index.md": "ok", "link/x.md": "escaped"})
    assert list(outside.iterdir()) == []


# --- hand-written pages in docs/ ---------------------------------------------------------------------------

def test_a_build_never_changes_docs(small_corpus, tmp_path):
    """Also the control for the failing builds above: the temporary config itself builds."""
    config = temp_config(tmp_path / "cfg")
    docs = config.parent / "docs"
    before = tree_hash(docs)
    site = tmp_path / "site"
    result = run_cli("build", "--corpus", str(small_corpus), "--site", str(site), "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_hash(docs) == before
    assert len(paper_pages(site)) == 2
    # and once more over the existing site
    result = run_cli("build", "--corpus", str(small_corpus), "--site", str(site), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert tree_hash(docs) == before


def test_a_hand_written_page_at_a_generated_address_fails_the_build_and_is_named(old_site, small_corpus,
                                                                                   tmp_path):
    config = temp_config(tmp_path / "cfg")
    page = config.parent / "docs" / "papers" / "atomic-paper-one.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("# My own page\n", encoding="utf-8")
    docs_before, site_before = tree_hash(config.parent / "docs"), tree_hash(old_site)
    result = run_cli("build", "--corpus", str(small_corpus), "--site", str(old_site), "--config", str(config))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert len(error_lines(result.stderr)) == 1
    assert "papers/atomic-paper-one.md" in result.stderr and "hand-written" in result.stderr, result.stderr
    assert tree_hash(config.parent / "docs") == docs_before
    assert tree_hash(old_site) == site_before
    assert leftovers(old_site) == []


def test_a_background_swap_serves_the_new_tree_at_once_and_removes_the_old_one(tmp_path):
    """`mkdocs serve` swaps a rebuilt site in and lets a thread remove the old tree meanwhile."""
    final = tmp_path / "site"
    final.mkdir()
    write.mark_owned(final)
    (final / "page.html").write_text("old", encoding="utf-8")
    built = write.new_build_dir(final)
    (built / "page.html").write_text("new", encoding="utf-8")
    write.replace_dir(built, final, background=True)
    assert (final / "page.html").read_text(encoding="utf-8") == "new"
    deadline = time.monotonic() + 10
    while built.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not built.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "no-exchange"])
@pytest.mark.parametrize("background", [False, True], ids=["now", "background"])
@pytest.mark.parametrize("keep_old", [None, ".kept"], ids=["remove-old", "keep-old"])
def test_swap_in_with_or_without_an_atomic_exchange(tmp_path, monkeypatch, exchange, background, keep_old):
    """swap_in gives the same result where the system has no atomic exchange (renameat2): the new tree in
    place, the old one kept inside it (`keep_old`) or removed, nothing else left beside it."""
    if not exchange:
        monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    final, built = tmp_path / "site", tmp_path / "built"
    for folder, text in ((final, "old"), (built, "new")):
        folder.mkdir()
        (folder / "page.html").write_text(text, encoding="utf-8")
    write.swap_in(built, final, background=background, keep_old=keep_old)
    assert (final / "page.html").read_text(encoding="utf-8") == "new"
    if keep_old is not None:
        assert (final / keep_old / "page.html").read_text(encoding="utf-8") == "old"
    deadline = time.monotonic() + 10
    while len(list(tmp_path.iterdir())) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert sorted(p.name for p in final.iterdir()) == sorted(["page.html", *([keep_old] if keep_old else [])])


def test_a_folder_moved_from_another_file_system_is_copied_into_place(tmp_path, monkeypatch):
    """Pagefind's scratch folder lives in the temp folder, on tmpfs on many systems, and the site on disk:
    a rename between them fails (EXDEV) and the build died. The folder is copied into place instead."""
    import errno

    source = tmp_path / "scratch" / "pagefind"
    (source / "fragment").mkdir(parents=True)
    (source / "fragment" / "a.pf_fragment").write_bytes(b"fragment")
    (source / "pagefind.js").write_bytes(b"js")
    rename = os.replace

    def across_devices(a, b):
        if Path(a).is_relative_to(tmp_path / "scratch"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        rename(a, b)

    monkeypatch.setattr(write.os, "replace", across_devices)
    target = tmp_path / "site" / "pagefind"
    write.move(source, target)
    assert (target / "fragment" / "a.pf_fragment").read_bytes() == b"fragment"
    assert (target / "pagefind.js").read_bytes() == b"js"
    assert not source.exists() and sorted(p.name for p in (tmp_path / "site").iterdir()) == ["pagefind"]
