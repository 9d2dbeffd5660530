"""Incremental builds equal full builds, byte for byte (issue 15).

One site is rebuilt after each change with the cache the earlier builds left
(`generator/incremental.py`); each time, a second site is built from scratch
with an empty cache, and the two folders must hold the same files with the
same bytes. The cache must be used (paper pages come from it) and must never
produce a wrong page: damaged entries are misses, and the links of cached pages
are still checked.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator import incremental
from helpers import ROOT, SPACED_HEADER, Result, make_corpus, run_cli, run_cli_fresh, tree_hash

WORDS = ["spiking neural networks", "memory consolidation", "working memory", "attention heads",
         "continual learning", "neuromorphic hardware", "episodic memory", "sparse autoencoders"]


def dump(first: int, count: int, day: int) -> str:
    lines = list(SPACED_HEADER)
    for i in range(first, first + count):
        lines += [f"Incremental Paper {i}", "",
                  f"We study {WORDS[i % len(WORDS)]} and {WORDS[(i * 3 + 1) % len(WORDS)]} in model {i}.", "",
                  f"  • {i % 5 + 1} authors", "·", f"Jul {day + i % 20}, 2023 {i}", ""]
    return "\n".join(lines)


def build(corpus: Path, site: Path, cache: Path, fresh: bool = False,
          config: Path = ROOT / "mkdocs.yml") -> Result:
    """`generator build --verbose` with its own cache folder. The site under test is rebuilt in this
    process, one build after another, as `mkdocs serve` does; a `fresh` build (the reference it is
    compared with) runs in a process that has built nothing before (run_cli_fresh), so no state kept
    in memory can shape it."""
    settings = {"PAPER_ATLAS_CACHE": str(cache),
                "SOURCE_DATE_EPOCH": "1767225600"}  # the same build date for every build of the test
    args = ["build", "--corpus", str(corpus), "--site", str(site), "--config", str(config), "--verbose"]
    if fresh:
        result = run_cli_fresh(*args, env=dict(os.environ, **settings))
    else:
        saved = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            result = run_cli(*args)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def from_cache(result: Result) -> int:
    m = re.search(r"rendered \d+ of \d+ generated pages \((\d+) pages from the cache\)", result.stderr)
    assert m, result.stderr[-2000:]
    return int(m[1])


def same_tree(a: Path, b: Path) -> None:
    ha, hb = tree_hash(a), tree_hash(b)
    assert sorted(ha) == sorted(hb), (sorted(ha.keys() - hb.keys())[:10], sorted(hb.keys() - ha.keys())[:10])
    differ = [p for p in ha if ha[p] != hb[p]]
    assert differ == []


def change_add_dump(corpus: Path) -> None:
    (corpus / "b.txt").write_text(dump(20, 3, 3), encoding="utf-8")


def change_edit_paper(corpus: Path) -> None:
    """Paper 3's abstract and date: its related papers, its neighbours in time and the pages that link to it
    with its date change too."""
    path = corpus / "a.txt"
    text = path.read_text(encoding="utf-8")
    assert text.count("Jul 4, 2023 3\n") == 1
    path.write_text(text.replace("in model 3.", "in model 3, edited.").replace("Jul 4, 2023 3\n", "Jul 9, 2023 3\n"),
                    encoding="utf-8")


def change_theme(corpus: Path) -> None:
    """A theme renamed and given one more term (papers join it)."""
    path = corpus / "themes.yml"
    text = path.read_text(encoding="utf-8")
    name = "Spiking and neuromorphic computing"
    terms = text.index("terms: [", text.index(name)) + len("terms: [")
    text = text[:terms] + "attention heads, " + text[terms:]
    path.write_text(text.replace(name, "Spikes and neuromorphic chips", 1), encoding="utf-8")


def change_delete_dump_add_weak_term(corpus: Path) -> None:
    """A dump deleted; a theme given one more weak term, and nothing else in the terms (the remaining papers'
    reasons change: the scores kept from the last build must not serve), its description edited."""
    (corpus / "b.txt").unlink()
    path = corpus / "themes.yml"
    text = path.read_text(encoding="utf-8")
    weak = text.index("weak: [", text.index("Spikes and neuromorphic chips")) + len("weak: [")
    text = text[:weak] + "model, " + text[weak:]
    path.write_text(text.replace("spike-based models of computation.", "spike-based models, edited.", 1),
                    encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The incremental site and cache, built once before the changes are applied in order."""
    root = tmp_path_factory.mktemp("incremental")
    corpus = make_corpus(root / "corpus", {"a.txt": dump(0, 12, 1)})
    site, cache = root / "site", root / "cache"
    build(corpus, site, cache)
    return SimpleNamespace(root=root, corpus=corpus, site=site, cache=cache)


CHANGES = [("add a dump", change_add_dump), ("edit a paper", change_edit_paper), ("change a theme", change_theme),
           ("delete a dump, add a weak term", change_delete_dump_add_weak_term)]


def test_incremental_build_equals_a_full_build_after_each_change(history, tmp_path, monkeypatch):
    """The changes apply in order to one corpus (a dump is added, later deleted), so they are one test:
    split across test workers, the later ones would meet a corpus the earlier ones never changed. The
    incremental builds count the shared terms' words ahead, as a one-off build whose related papers are
    computed in a child does (this process computes them itself)."""
    from generator import corpus as reading
    from generator.render import paper

    counted: list[object] = []
    count_words_ahead = paper.count_words_ahead
    monkeypatch.setattr(reading, "computing_related", lambda: True)
    monkeypatch.setattr(paper, "count_words_ahead", lambda papers: counted.append(count_words_ahead(papers)))
    made: list[object] = []

    class Counting(paper.SharedTerms):
        def __init__(self, *args, **kwargs):
            made.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(paper, "SharedTerms", Counting)
    for name, change in CHANGES:
        change(history.corpus)
        counted.clear()
        made.clear()
        incremental_result = build(history.corpus, history.site, history.cache)
        assert len(counted) == len(made) == 1, name  # the words were counted once: ahead, and taken (or the
        # shared terms were in the cache)
        slug = re.sub(r"\W+", "-", name)
        full = tmp_path / slug
        full_result = build(history.corpus, full, tmp_path / f"empty-cache-{slug}", fresh=True)
        assert from_cache(full_result) == 0, name
        assert from_cache(incremental_result) > 0, name  # the cache did serve pages
        same_tree(history.site, full)


def test_a_serve_rebuild_links_the_pages_it_keeps_and_equals_a_full_build(tmp_path, monkeypatch):
    """Under `mkdocs serve` a rebuild hard-links the pages it does not render again from the served folder
    (generator/serve.py, incremental.served), and so does the first good build after broken ones, from the
    last good site kept while their error was served. After an edit, the served folder equals a full build;
    an unchanged paper's page is the same file as before, the edited paper's page a new one."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from generator import pagefind, serve

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 12, 1)})
    for name, value in {"PAPER_ATLAS_CORPUS": str(corpus), "PAPER_ATLAS_CACHE": str(tmp_path / "cache"),
                        "SOURCE_DATE_EPOCH": "1767225600"}.items():
        monkeypatch.setenv(name, value)
    config_file, root = str(ROOT / "mkdocs.yml"), tmp_path / "served"
    monkeypatch.setattr(incremental, "serving", True)  # as the hook's on_startup does (what rebuilds remember)
    incremental.enable(config_file)  # as the hook's on_config does under `mkdocs serve`
    try:
        mkdocs_build(load_config(config_file, site_dir=str(root)), dirty=True)  # mkdocs serve's first build
        server = SimpleNamespace(root=str(root), builder=None)  # what install reads of MkDocs' server
        serve.install(server, load_config(config_file, site_dir=str(root)))
        before = {p.relative_to(root): p.stat().st_ino for p in root.glob("papers/*/index.html")}
        themes = corpus / "themes.yml"
        good = themes.read_text(encoding="utf-8")
        for broken in ("themes: [", "themes: {"):  # two broken edits in a row
            themes.write_text(broken, encoding="utf-8")
            server.builder()
            assert "themes.yml:2: invalid YAML" in (root / "404.html").read_text(encoding="utf-8")
            assert not (root / "papers").exists() and incremental.served_folder() == root / serve.KEPT
            assert (root / serve.KEPT / "pagefind").is_dir()
        themes.write_text(good, encoding="utf-8")
        change_edit_paper(corpus)
        server.builder()
        pagefind.wait_late(60)  # (the index, if the pages were ready before it)
        assert pagefind._late_thread is None or not pagefind._late_thread.is_alive()
    finally:
        incremental.disable()
        incremental.served(None)
    after = {p.relative_to(root): p.stat().st_ino for p in root.glob("papers/*/index.html")}
    assert after.keys() == before.keys()
    kept = [page for page, inode in after.items() if before[page] == inode]
    assert kept, "no page was linked from the served folder"
    edited = next(page for page in after if page.parts[1] == "incremental-paper-3")
    assert edited not in kept
    full = tmp_path / "full"
    build(corpus, full, tmp_path / "empty-cache", fresh=True)
    same_tree(root, full)


def test_pages_are_cached_for_the_site_address_they_were_made_for(tmp_path, monkeypatch, caplog):
    """`mkdocs serve` sets its own site_url, which goes into every page (Material's canonical link): a build
    for another address takes no page from the cache; one for the same address takes them. MkDocs' own
    first build under `mkdocs serve`, which renders every page, places none (incremental.renders_all)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 12, 1)})
    for name, value in {"PAPER_ATLAS_CORPUS": str(corpus), "PAPER_ATLAS_CACHE": str(tmp_path / "cache"),
                        "SOURCE_DATE_EPOCH": "1767225600"}.items():
        monkeypatch.setenv(name, value)
    config_file = str(ROOT / "mkdocs.yml")

    def build_for(url: str, folder: str) -> int:
        incremental.enable(config_file)
        caplog.clear()
        try:
            with caplog.at_level(logging.INFO, logger="mkdocs.plugins.paper_atlas"):
                mkdocs_build(load_config(config_file, site_dir=str(tmp_path / folder), site_url=url), dirty=True)
        finally:
            incremental.disable()
        [line] = [r.getMessage() for r in caplog.records if "generated pages" in r.getMessage()]
        return int(re.search(r"\((\d+) pages from the cache\)", line)[1])

    assert build_for("https://example.org/atlas/", "a") == 0
    assert build_for("http://127.0.0.1:8000/atlas/", "b") == 0
    assert 'href="http://127.0.0.1:8000/atlas/themes/"' in (tmp_path / "b" / "themes" / "index.html").read_text()
    assert build_for("https://example.org/atlas/", "c") > 0
    monkeypatch.setattr(incremental, "renders_all", True)
    assert build_for("https://example.org/atlas/", "d") == 0
    same_tree(tmp_path / "a", tmp_path / "c")


def test_under_serve_the_pages_do_not_wait_for_pagefind_and_its_index_follows(tmp_path, monkeypatch, caplog):
    """Under `mkdocs serve` a rebuild whose pages are ready while Pagefind still indexes is served at once
    with the last index (generator/serve.py, pagefind.finish_late); the new index replaces it when Pagefind is
    done, and the browsers reload. A rebuild that starts meanwhile stops the late run, whose index never
    lands. At the end the served folder equals a full build, index included."""
    import threading

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from generator import pagefind, serve

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 12, 1)})
    for name, value in {"PAPER_ATLAS_CORPUS": str(corpus), "PAPER_ATLAS_CACHE": str(tmp_path / "cache"),
                        "SOURCE_DATE_EPOCH": "1767225600"}.items():
        monkeypatch.setenv(name, value)
    go = tmp_path / "go"  # Pagefind runs once this file exists
    held = tmp_path / "held-pagefind"
    held.write_text(f'#!/bin/sh\nwhile [ ! -e "{go}" ]; do sleep 0.05; done\nexec "{pagefind._binary()}" "$@"\n')
    held.chmod(0o755)
    config_file, root = str(ROOT / "mkdocs.yml"), tmp_path / "served"
    monkeypatch.setattr(incremental, "serving", True)
    incremental.enable(config_file)
    try:
        mkdocs_build(load_config(config_file, site_dir=str(root)), dirty=True)  # mkdocs serve's first build
        server = SimpleNamespace(root=str(root), builder=None, _epoch_cond=threading.Condition(),
                                 _rebuild_cond=threading.Condition(), _want_rebuild=False,
                                 _visible_epoch=1, _wanted_epoch=1)  # what serve reads of MkDocs' server
        serve.install(server, load_config(config_file, site_dir=str(root)))
        first_index = tree_hash(root / "pagefind")
        monkeypatch.setattr(pagefind, "_binary", lambda: str(held))
        change_edit_paper(corpus)
        server.builder()
        page = (root / "papers" / "incremental-paper-3" / "index.html").read_text(encoding="utf-8")
        assert "in model 3, edited." in page  # the pages are served...
        assert tree_hash(root / "pagefind") == first_index  # ...with the last index for now
        late = pagefind._late_thread
        assert late is not None and late.is_alive()
        change_add_dump(corpus)
        server.builder()  # a rebuild meanwhile: the first late run is stopped
        late_two = pagefind._late_thread
        late.join(30)
        assert not late.is_alive() and tree_hash(root / "pagefind") == first_index
        assert (root / "papers" / "incremental-paper-21" / "index.html").is_file()
        go.touch()
        pagefind.wait_late(60)
        assert not pagefind._late_thread.is_alive()
        assert server._visible_epoch > 1  # the browsers reload for the new index
        go.unlink()  # Pagefind held again: only an index found in the cache lets the build end without a late run
        server.builder()  # nothing changed: the late index was kept under its key
        assert pagefind._late is None and pagefind._late_thread is late_two
        # Pagefind started on a kept about page that renders otherwise starts again, and that run's index still
        # follows the pages (a restart is not a newer build).
        [kept] = (tmp_path / "cache" / "bodies").rglob("*.html")
        incremental.BodyCache(tmp_path / "cache").put(kept.stem, b"<h1>Another about page</h1><p>planted</p>")
        (corpus / "c.txt").write_text(dump(30, 2, 5), encoding="utf-8")
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.paper_atlas"):
            server.builder()
            assert "about.md renders otherwise" in caplog.text
            restarted = pagefind._late_thread
            assert restarted is not late_two and restarted.is_alive()
            go.touch()
            pagefind.wait_late(60)
            assert not restarted.is_alive() and "search index updated" in caplog.text
    finally:
        go.touch()
        pagefind.wait_late(60)
        incremental.disable()
        incremental.served(None)
    full = tmp_path / "full"
    build(corpus, full, tmp_path / "empty-cache", fresh=True)
    same_tree(root, full)


def test_a_themes_edit_reads_no_dump_again_and_a_dump_edit_does(tmp_path):
    """The dumps read and merged last stay in memory while no dump file changed (corpus._read_and_merge)."""
    from generator.corpus import load_corpus

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 6, 1)})
    first = load_corpus(corpus, with_related=False)
    themes = corpus / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    second = load_corpus(corpus, with_related=False)
    assert second is not first and second.dumps[0] is first.dumps[0]
    change_edit_paper(corpus)
    third = load_corpus(corpus, with_related=False)
    assert third.dumps[0] is not first.dumps[0]
    assert [p for p in third.papers if "in model 3, edited." in p.abstract]


def test_editing_a_docs_page_renders_no_generated_page_again(tmp_path):
    """A hand-written page the nav titles gives the other pages only its address: editing it renders none of
    them again. Untitled in the nav, its heading is its title in every page's nav: then they all are."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    config = project / "mkdocs.yml"
    shutil.copy2(ROOT / "mkdocs.yml", config)
    (project / "generator").symlink_to(ROOT / "generator")
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 6, 1)})
    site, cache = tmp_path / "site", tmp_path / "cache"
    about = project / "docs" / "about.md"
    assert "  - About: about.md\n" in config.read_text(encoding="utf-8")
    build(corpus, site, cache, config=config)
    for record in (cache / "builds").glob("*.json"):
        record.unlink()  # a build with nothing changed: what every rebuild renders (targets of #anchors)
    always = re.search(r"rendered (\d+) of", build(corpus, site, cache, config=config).stderr)
    assert always, "no count"
    def retitle() -> None:
        """Untitled in the nav (the build after that renders every page anyway: mkdocs.yml changed), then
        retitled by its heading, which becomes its title in the nav."""
        config.write_text(config.read_text(encoding="utf-8").replace("  - About: about.md\n", "  - about.md\n"),
                          encoding="utf-8")
        build(corpus, site, cache, config=config)
        about.write_text(re.sub(r"^# .*$", "# All about it", about.read_text(encoding="utf-8"), count=1, flags=re.M),
                         encoding="utf-8")

    edits = [("edit the page", lambda: about.write_text(about.read_text(encoding="utf-8") + "\nOne more line.\n",
                                                        encoding="utf-8")),
             ("retitle the page", retitle)]
    for name, edit in edits:
        edit()
        result = build(corpus, site, cache, config=config)
        rendered = re.search(r"rendered (\d+) of (\d+) generated pages", result.stderr)
        assert rendered, result.stderr[-2000:]
        full = tmp_path / name.replace(" ", "-")
        build(corpus, full, tmp_path / f"empty-cache-{name.replace(' ', '-')}", fresh=True, config=config)
        same_tree(site, full)
        if name == "edit the page":
            assert rendered[1] == always[1] != rendered[2], name
            assert "One more line." in (site / "about" / "index.html").read_text(encoding="utf-8")
        if name == "retitle the page":
            assert rendered[1] == rendered[2], name
            assert "All about it" in next(site.glob("papers/*/index.html")).read_text(encoding="utf-8")


def test_nothing_changed_rewrites_nothing(history):
    build(history.corpus, history.site, history.cache)  # whatever the earlier tests left
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in history.site.rglob("*")}
    result = build(history.corpus, history.site, history.cache)
    assert "up to date" in result.stdout
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in history.site.rglob("*")} == before


def test_a_touched_site_is_rebuilt(history):
    """The up-to-date check looks at the site too: a file changed by hand is put right by the next build."""
    build(history.corpus, history.site, history.cache)
    page = next(history.site.glob("papers/*/index.html"))
    good = page.read_bytes()
    page.write_bytes(b"damaged")
    result = build(history.corpus, history.site, history.cache)
    assert "up to date" not in result.stdout
    assert page.read_bytes() == good


def test_a_rebuild_links_the_pages_it_keeps_from_the_site_as_the_last_build_left_it(tmp_path):
    """A page whose cache key did not change is hard-linked from the last build's site, not copied from the
    cache (its file keeps its inode). A site touched since the last build is not trusted: each page comes
    from its cache entry, checked (the entry is the site's file of the build that rendered it, so a page
    written in place through the site is a damaged entry, and is rendered again)."""
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 12, 1)})
    site, cache = tmp_path / "site", tmp_path / "cache"
    build(corpus, site, cache)

    def inodes() -> dict[str, int]:
        return {str(p.relative_to(site)): p.stat().st_ino for p in site.rglob("*.html")}

    before = inodes()
    change_edit_paper(corpus)
    result = build(corpus, site, cache)
    kept = [p for p, inode in inodes().items() if before.get(p) == inode]
    assert 0 < len(kept) == from_cache(result), (len(kept), from_cache(result))

    (site / "sitemap.xml").write_bytes((site / "sitemap.xml").read_bytes())  # touched, not changed
    for page in site.glob("papers/*/index.html"):  # each paper page written in place: its entry too
        page.write_bytes(page.read_bytes().replace(b"</article>", b"</article><p>damaged</p>"))
    result = build(corpus, site, cache)  # the corpus as before
    assert "up to date" not in result.stdout and from_cache(result) > 0
    assert not [p for p in site.glob("papers/*/index.html") if b"damaged" in p.read_bytes()]
    full = tmp_path / "full"
    build(corpus, full, tmp_path / "empty-cache", fresh=True)
    same_tree(site, full)


def test_a_damaged_cache_entry_is_never_used(history, tmp_path):
    """Every entry's bytes are checked against its digest: a damaged one is rendered again."""
    build(history.corpus, history.site, history.cache)
    entries = sorted((history.cache / "pages").rglob("*.html"))
    assert entries
    for entry in entries:  # one byte of each page's HTML changed, its digest left as it was
        data = entry.read_bytes()
        entry.write_bytes(data[:-2] + (b"X" if data[-2:-1] != b"X" else b"Y") + data[-1:])
    for record in (history.cache / "builds").glob("*.json"):
        record.unlink()  # force a build
    result = build(history.corpus, history.site, history.cache)
    assert from_cache(result) == 0
    full = tmp_path / "full"
    build(history.corpus, full, tmp_path / "empty-cache", fresh=True)
    same_tree(history.site, full)


# --- the cache itself, in process ----------------------------------------------------------------------

def test_page_cache_round_trip_and_damage(tmp_path):
    cache = incremental.PageCache(tmp_path / "cache")
    page = tmp_path / "index.html"
    page.write_bytes(b"<html>page</html>")
    cache.keep("ab" * 32, incremental._digest(page.read_bytes()), str(page))
    assert cache.get("ab" * 32) == b"<html>page</html>"
    assert cache.get("cd" * 32) is None
    page.unlink()  # (the entry is its own file now)
    path = next((tmp_path / "cache").rglob("*.html"))
    path.write_bytes(path.read_bytes()[:-3])  # truncated
    assert cache.get("ab" * 32) is None
    assert not path.exists()  # a damaged entry is removed


def test_a_kept_page_is_the_sites_file_linked_and_damage_through_the_site_is_caught(tmp_path):
    """A rendered page goes into the cache as a hard link to the site's file, named by its key and the digest
    of its bytes; written in place through the site afterwards, it is a miss; kept again under the same name,
    the damaged entry is replaced."""
    cache = incremental.PageCache(tmp_path / "cache")
    page = tmp_path / "site" / "index.html"
    page.parent.mkdir()
    page.write_bytes(b"<html>page</html>")
    key, digest = "ab" * 32, incremental._digest(b"<html>page</html>")
    cache.keep(key, digest, str(page))
    [entry] = cache.entries([key, "cd" * 32]).values()
    assert entry.name == f"{key}-{digest}.html" and os.path.samefile(entry, page)
    assert cache.get(key) == b"<html>page</html>"
    page.write_bytes(b"<html>edited</html>")  # in place: the entry is the same file
    assert cache.get(key) is None and cache.entries([key]) == {}
    page.unlink()
    page.write_bytes(b"<html>page</html>")
    cache.keep(key, digest, str(page))
    cache.keep(key, digest, str(page))  # the same file again: nothing to do, nothing left behind
    entry.write_bytes(b"<html>damaged</html>")  # in place, through the cache this time
    other = tmp_path / "site" / "other.html"
    other.write_bytes(b"<html>page</html>")
    cache.keep(key, digest, str(other))  # an entry of that name already there, damaged: replaced
    assert os.path.samefile(entry, other) and cache.get(key) == b"<html>page</html>"
    assert page.read_bytes() == b"<html>damaged</html>"  # (the site's file it was)
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary file left
    cache.keep("ef" * 32, digest, str(tmp_path / "site" / "missing.html"))  # a page MkDocs did not write
    assert cache.entries(["ef" * 32]) == {}


def test_a_kept_page_replaces_its_keys_other_entries_and_the_old_layouts(tmp_path):
    cache = incremental.PageCache(tmp_path / "cache")
    key, other_key = "ab" * 32, "ab" + "cd" * 31
    folder = tmp_path / "cache" / "pages" / "ab"
    folder.mkdir(parents=True)
    for name in (f"{key}.html", f"{key}-{'0' * 64}.html", f"{other_key}-{'0' * 64}.html"):
        (folder / name).write_bytes(b"old")
    page = tmp_path / "index.html"
    page.write_bytes(b"<html>page</html>")
    digest = incremental._digest(b"<html>page</html>")
    cache.keep(key, digest, str(page))
    cache.forget_others({key: digest})
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{key}-{digest}.html", f"{other_key}-{'0' * 64}.html"])


def test_a_page_is_never_written_through_a_file_already_there(tmp_path):
    """A page written where a file lies (a page placed from the cache, then rendered all the same: `mkdocs
    serve`'s first build is not dirty) replaces that file; the file it was, hard-linked as a cache entry or
    a page of the last site, keeps its bytes."""
    from generator import write

    entry = tmp_path / "entry.html"
    entry.write_bytes(b"cached")
    placed = tmp_path / "site" / "index.html"
    placed.parent.mkdir()
    os.link(entry, placed)
    write._page_file(str(placed), b"rendered")
    write.new_file(tmp_path / "site" / "other.html", b"x")
    os.link(entry, tmp_path / "site" / "again.html")
    write.new_file(tmp_path / "site" / "again.html", b"new")
    assert placed.read_bytes() == b"rendered" and (tmp_path / "site" / "again.html").read_bytes() == b"new"
    assert entry.read_bytes() == b"cached"


def new_process() -> None:
    """What a new process knows of memo_each's results: its files only. The build before it ended first, and
    a build's end waits for the files it writes (incremental.store_pages, disable)."""
    from concurrent.futures import wait

    if incremental._build is not None:
        wait(incremental._build.writes)
    incremental._each.clear()
    incremental._each_writing.clear()
    incremental._each_by_args.clear()
    incremental._memo_by_args.clear()
    incremental._STABLE.clear()
    from generator import related
    from generator.render import paper

    related._last = None
    paper._last_shared = None


def test_memo_each_computes_only_the_calls_it_has_not_seen(tmp_path):
    """The paper pages of a rebuild: results of the last build's calls are reused, from memory or from the
    file; a damaged file, or other code, reuses nothing."""
    calls = []

    def double(x):
        calls.append(x)
        return x * 2

    incremental._build = incremental.Build(incremental.PageCache(tmp_path), "site", "code")
    try:
        assert incremental.memo_each(double, [(1,), (2,)]) == [2, 4]
        assert incremental.memo_each(double, [(1,), (3,)]) == [2, 6]
        assert calls == [1, 2, 3]
        new_process()  # a new process reads the file
        assert incremental.memo_each(double, [(1,), (3,)]) == [2, 6]
        assert calls == [1, 2, 3]
        path = next((tmp_path / "memo").glob("each-*.pickle"))
        data = path.read_bytes()
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit of a result changed
        assert incremental.memo_each(double, [(1,), (3,)]) == [2, 6]
        assert calls == [1, 2, 3, 1, 3]
        incremental._build = incremental.Build(incremental.PageCache(tmp_path), "site", "other code")
        assert incremental.memo_each(double, [(1,)]) == [2]
        assert calls == [1, 2, 3, 1, 3, 1]
        assert incremental.memo_each(double, [(1,)], context=("terms", 1)) == [2]  # what a method reads changed
        assert incremental.memo_each(double, [(1,)], context=("terms", 1)) == [2]
        assert calls == [1, 2, 3, 1, 3, 1, 1]
    finally:
        new_process()
        incremental._build = None


def test_memo_each_stores_texts_without_a_second_copy_in_memory(tmp_path):
    """Text results (the paper pages) go to memo_each's file as UTF-8 bytes and come back as the same texts: the
    texts of this build stay the size they were (pickling a text beyond ASCII makes Python keep a UTF-8 copy
    of it inside the text, which sys.getsizeof counts), and other results are stored as they are."""
    import sys
    from concurrent.futures import wait

    def page(n):
        return f"<h1>Caf\u00e9 \u00b6 {n}</h1>" + "x" * 1000 + ("\ud800" if n == 2 else "")  # (surrogatepass)

    def pair(n):
        return (n, "\u00e9")

    incremental._build = incremental.Build(incremental.PageCache(tmp_path), "site", "code")
    try:
        texts = incremental.memo_each(page, [(1,), (2,)])
        assert incremental.memo_each(pair, [(1,)]) == [(1, "\u00e9")]
        wait(incremental._build.writes)  # (the files are written by a thread)
        assert [sys.getsizeof(t) for t in texts] == [sys.getsizeof(page(1)), sys.getsizeof(page(2))]
        new_process()  # a new process reads the file
        assert incremental.memo_each(page, [(1,), (2,)]) == [page(1), page(2)]
        assert incremental.memo_each(pair, [(1,)]) == [(1, "\u00e9")]
    finally:
        new_process()
        incremental._build = None


def test_memo_each_keeps_every_functions_entries_in_memory(tmp_path, monkeypatch):
    """Every rebuild under `mkdocs serve` calls memo_each for the theme scores and for the paper pages: the
    entries of both stay in memory, so neither file is read again (1.3 s at 10,000 papers)."""
    reads = []
    read = incremental.EntryCache.get_file
    monkeypatch.setattr(incremental.EntryCache, "get_file", staticmethod(lambda path: reads.append(path) or read(path)))

    def double(x):
        return x * 2

    def triple(x):
        return x * 3

    incremental._build = incremental.Build(incremental.PageCache(tmp_path), "site", "code")
    try:
        for _ in range(3):
            assert incremental.memo_each(double, [(1,)]) == [2]
            assert incremental.memo_each(triple, [(1,)]) == [3]
        assert reads == []
    finally:
        new_process()
        incremental._build = None


class Pickled:
    """An argument that counts how often it is pickled (memo_each's key), equal to another of its value."""

    pickled: list[int] = []

    def __init__(self, value: int):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Pickled) and other.value == self.value

    def __hash__(self):
        return hash(self.value)

    def __reduce__(self):
        Pickled.pickled.append(self.value)
        return (Pickled, (self.value,))


def test_under_serve_memo_each_finds_equal_arguments_without_pickling_them(tmp_path, monkeypatch):
    """Under `mkdocs serve` a rebuild finds the calls of the last one by their equal arguments (new objects
    after the corpus is read again), without pickling them for the key; the others are keyed and computed.
    Arguments that cannot be hashed are keyed as before; outside serve nothing is remembered."""
    calls = []

    def double(x, extra=()):
        calls.append(x.value)
        return x.value * 2

    Pickled.pickled.clear()
    monkeypatch.setattr(incremental, "serving", True)
    incremental._build = incremental.Build(incremental.PageCache(tmp_path), "site", "code")
    try:
        assert incremental.memo_each(double, [(Pickled(1),), (Pickled(2),)]) == [2, 4]
        assert Pickled.pickled == [1, 2] and calls == [1, 2]
        assert incremental.memo_each(double, [(Pickled(1),), (Pickled(3),)]) == [2, 6]
        assert Pickled.pickled == [1, 2, 3] and calls == [1, 2, 3]  # 1 neither pickled nor computed
        assert incremental.memo_each(double, [(Pickled(1), [4])]) == [2]  # a list: unhashable, keyed
        assert Pickled.pickled == [1, 2, 3, 1] and calls == [1, 2, 3, 1]
        monkeypatch.setattr(incremental, "serving", False)
        new_process()
        assert incremental.memo_each(double, [(Pickled(1), [4])]) == [2]  # from the file
        assert incremental.memo_each(double, [(Pickled(1), [4])]) == [2]
        assert Pickled.pickled == [1, 2, 3, 1, 1, 1] and calls == [1, 2, 3, 1]
    finally:
        new_process()
        incremental._build = None


def test_under_serve_memo_finds_the_last_call_by_equal_arguments_without_keying_them(tmp_path, monkeypatch):
    """Under `mkdocs serve` memo's last call of a function is found by equal arguments (new objects after the
    corpus is read again) without making its key; other arguments or other code are keyed and looked up as
    before, and outside serve nothing is remembered."""
    calls, keyed = [], []
    memo_key = incremental._memo_key
    monkeypatch.setattr(incremental, "_memo_key", lambda build, function, args: keyed.append(args) or
                        memo_key(build, function, args))

    def total(numbers):
        calls.append(numbers)
        return sum(numbers)

    build = incremental.Build(incremental.PageCache(tmp_path), "site", "code")
    papers = (("a", "Title", "Abstract"), ("b", "Other", "Text"))
    outside = memo_key(build, total, papers)  # the key bytes kept under serve are the ones made outside it
    monkeypatch.setattr(incremental, "serving", True)
    assert memo_key(build, total, papers) == memo_key(build, total, papers) == outside
    incremental._build = build
    try:
        assert incremental.memo(total, (1, 2)) == 3
        assert incremental.memo(total, tuple([1, 2])) == 3
        assert incremental.memo(total, (1, 3), key=("one", "three")) == 4
        assert incremental.memo(total, (1, 3), key=("one", "three")) == 4
        assert calls == [(1, 2), (1, 3)] and keyed == [((1, 2),), ("one", "three")]
        assert incremental.memo(total, (1, 2)) == 3  # the last call was another: from the cache, keyed
        assert calls == [(1, 2), (1, 3)] and len(keyed) == 3
        incremental._build = incremental.Build(incremental.PageCache(tmp_path), "site", "other code")
        assert incremental.memo(total, (1, 2)) == 3
        assert calls == [(1, 2), (1, 3), (1, 2)] and len(keyed) == 4
        monkeypatch.setattr(incremental, "serving", False)
        assert incremental.memo(total, (1, 2)) == 3 and incremental.memo(total, (1, 2)) == 3
        assert calls == [(1, 2), (1, 3), (1, 2)] and len(keyed) == 6 and incremental._memo_by_args == {}
    finally:
        new_process()
        incremental._build = None


def test_memo_keys_follow_the_code_not_the_docs(tmp_path):
    """A docs/ page or mkdocs.yml edited changes the site key (every page's) but no memo's key: related
    papers, charts and paper pages are not computed again for it."""
    calls = []

    def double(x):
        calls.append(x)
        return x * 2

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "about.md").write_text("# About\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: X\n")
    code, cache = incremental.code_key(), incremental.PageCache(tmp_path / "cache")
    sites = [incremental.site_key(config, code)]
    (tmp_path / "docs" / "about.md").write_text("# About us\n")
    sites.append(incremental.site_key(config, code))
    assert sites[0] != sites[1]
    try:
        for site in sites:
            incremental._build = incremental.Build(cache, site, code)
            assert incremental.memo(double, 2) == 4
            assert incremental.memo_each(double, [(3,)]) == [6]
            new_process()  # each build in a new process
    finally:
        new_process()
        incremental._build = None
    assert calls == [2, 3]


def test_a_folder_is_hashed_as_its_files_names_and_bytes_in_the_order_of_sorted_rglob(tmp_path):
    """incremental._tree (the code key, docs/, Pagefind's stored index): every file, by its path in the
    folder, in the order of sorted(rglob("*")); bytecode and linked folders left out, linked files read."""
    import os

    folder = tmp_path / "tree"
    for name, data in [("b.txt", b"b"), ("a-b/x.js", b"x"), ("a/y.css", b"y"), ("a/z/deep.md", b"deep"),
                       ("A.md", b"upper"), (".hidden", b"h"), ("__pycache__/m.cpython-311.pyc", b"pyc"),
                       ("pkg/__pycache__/n.pyc", b"pyc"), ("pkg/m.pyc", b"pyc"), ("pkg/m.py", b"py")]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "a" / "empty").mkdir()
    os.symlink(folder / "a", folder / "linked-folder")
    os.symlink(folder / "b.txt", folder / "linked-file")
    (folder / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"latin-1 name")  # names need not be UTF-8
    (folder / "caf\u9000.txt").write_bytes(b"after it as text, before it as bytes")
    (folder / ".pyc").write_bytes(b"a hidden file, not bytecode")
    expected = [part for path in sorted(folder.rglob("*"))
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
                for part in (os.fsencode(path.relative_to(folder)), path.read_bytes())]
    assert incremental._tree(folder) == expected
    assert expected[::2] == [b".hidden", b".pyc", b"A.md", b"a/y.css", b"a/z/deep.md", b"a-b/x.js", b"b.txt",
                             "caf\u9000.txt".encode(), b"caf\xe9.txt", b"linked-file", b"pkg/m.py"]
    assert incremental._tree(tmp_path / "missing") == []


def test_a_helper_process_renders_half_the_paper_pages_and_the_site_is_the_same(tmp_path, monkeypatch):
    """In a one-off build of many papers a child process started early renders half of the paper pages
    (memo_each_helped) and another draws the charts; the site is byte for byte the one this process makes
    alone. A helper the build does not need is stopped."""
    from generator import children
    from generator.render import site
    from helpers import make_corpus, run_cli, tree_hash

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 12, 1)})
    calls: list[tuple[str, bool, int]] = []

    class Recorded(children.Call):
        def __init__(self, function, *args, worker=None):
            calls.append((function.__name__, worker is not None,
                          len(args[1]) if function is incremental._each_of_pickled else 0))
            super().__init__(function, *args, worker=worker)
            if worker is not None:  # (a helper; the process's own worker is kept between builds in the tests)
                workers.append(self.worker)

    workers: list[children.Worker] = []
    monkeypatch.setattr(children, "Call", Recorded)
    drawn_here = site.charts_drawn_here
    # (a one-off build's process has not imported matplotlib; this one has)
    monkeypatch.setattr(site, "charts_drawn_here", lambda: False)
    sites = {}
    for helped in (False, True):
        calls.clear()
        monkeypatch.setattr(incremental, "HELPED_AT_LEAST", 1 if helped else 10**9)
        monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / f"cache-{helped}"))
        monkeypatch.setattr(children, "_asked", 0)  # (a one-off build's process: its worker never asked)
        result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / f"site-{helped}"))
        assert result.returncode == 0, result.stdout + result.stderr
        sites[helped] = tree_hash(tmp_path / f"site-{helped}")
        pages = [n for name, worker, n in calls if name == "_each_of_pickled"]
        papers = sum(1 for path in sites[helped] if path.startswith("papers/") and path.endswith("/index.html"))
        assert ("_charts", True, 0) in calls  # drawn by the helper started for them
        assert pages == ([papers // 2] if helped else []), (pages, papers)
        assert not incremental._helpers and not incremental._taken
    assert sites[True] == sites[False]
    # A rebuild (the cache holds paper pages) makes few: no pages' helper. Its charts changed (dated papers
    # were added): a helper draws them from the start, on the corpus read so far (site.begin_charts), and the
    # site is the one a first build makes.
    change_add_dump(corpus)
    calls.clear()
    asked = site.charts
    monkeypatch.setattr(site, "charts", lambda index: calls.append(("charts()", False, 0)) or asked(index))
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site-True"))
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.setattr(site, "charts", asked)
    # (the helper was asked for the charts before the build asked for them)
    assert [(name, worker) for name, worker, _ in calls if name != "related"] == [("_charts", True),
                                                                                ("charts()", False)], calls
    assert not incremental._helpers and not incremental._taken and not incremental._begun
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache-first"))
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site-first"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_hash(tmp_path / "site-True") == tree_hash(tmp_path / "site-first")
    # A rebuild whose charts the cache holds (an abstract edited, nothing else) starts no helper.
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache-True"))
    text = (corpus / "a.txt").read_text(encoding="utf-8")
    (corpus / "a.txt").write_text(text.replace("in model 4.", "in model 4, edited."), encoding="utf-8")
    calls.clear()
    started: list[str] = []
    start_helper = incremental.start_helper
    monkeypatch.setattr(incremental, "start_helper", lambda name, *args, **kw: started.append(name)
                        or start_helper(name, *args, **kw))
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site-True"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(name, worker) for name, worker, _ in calls if name != "related"] == [], calls
    assert "charts" not in started, started  # (the pages' one is asked for, and refused: a rebuild)
    # A process whose own worker drew charts before keeps matplotlib there: no charts' helper.
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache-asked"))
    monkeypatch.setattr(children, "_asked", 1)
    calls.clear()
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site-asked"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("_charts", False, 0) in calls and not any(worker for name, worker, _ in calls if name == "_charts")
    # A process that has imported matplotlib draws them itself, no child at all, and the same bytes.
    monkeypatch.setattr(site, "charts_drawn_here", drawn_here)
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache-here"))
    monkeypatch.setattr(children, "_asked", 0)
    calls.clear()
    started.clear()
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site-here"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert drawn_here() and not [name for name, _, _ in calls if name == "_charts"], calls
    assert started == ["pages"], started  # (no charts' helper)
    assert tree_hash(tmp_path / "site-here") == tree_hash(tmp_path / "site-asked")
    monkeypatch.setattr(site, "charts_drawn_here", lambda: False)
    # A build that fails while a helper is at work (the paper pages asked for, never waited for) stops it.
    from generator.render import lists

    monkeypatch.setattr(lists, "home", lambda *args: 1 / 0)
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache-failed"))
    monkeypatch.setattr(children, "_asked", 0)
    calls.clear()
    workers.clear()
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site-failed"))
    assert result.returncode != 0 and "ZeroDivisionError" in result.stderr
    assert [name for name, _, _ in calls] == ["_charts", "_each_of_pickled"]
    assert len(workers) == 2 and not any(worker.alive() for worker in workers)
    assert not incremental._helpers and not incremental._taken


def test_charts_begun_on_a_corpus_that_changed_since_are_drawn_again(tmp_path, monkeypatch):
    """Charts a rebuild began drawing (site.begin_charts, incremental.begin_later) on a corpus whose dates or
    themes then changed (a dump edited while the build reads): their helper is stopped and the charts are
    those of the corpus rendered. Begun again on a corpus that shows the same, no second helper starts;
    a begun call the build never takes is forgotten at its end, its helper stopped."""
    from generator import children
    from generator.corpus import load_corpus
    from generator.render import site
    from generator.render.index import build_index

    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 6, 1)})
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(site, "charts_drawn_here", lambda: False)  # (as in a one-off build's process)
    monkeypatch.setattr(children, "_asked", 0)
    monkeypatch.setattr(incremental, "made_before", lambda function: True)  # (a rebuild)
    incremental.enable(ROOT / "mkdocs.yml")
    try:
        first = load_corpus(corpus, with_related=False)
        site.begin_charts(first)
        [(_, helper, _)] = incremental._begun.values()
        site.begin_charts(first)  # (again on a corpus that shows the same: the hook begins twice when the
        assert [h for _, h, _ in incremental._begun.values()] == [helper]  # texts changed meanwhile)
        assert incremental._taken == [helper]
        change_add_dump(corpus)
        changed = build_index(load_corpus(corpus, with_related=False))
        drawn = site.charts(changed)()
        assert not incremental._begun and helper.ended()
        site.begin_charts(load_corpus(corpus, with_related=False))  # (charts cached now: nothing begun)
        assert not incremental._begun
        change_edit_paper(corpus)  # (a new date)
        monkeypatch.setattr(children, "_asked", 0)  # (charts() drew here by this process's worker)
        site.begin_charts(load_corpus(corpus, with_related=False))
        [(_, unused, _)] = incremental._begun.values()
    finally:
        incremental.disable()
    assert not incremental._begun and unused.ended()
    assert drawn == site._charts(*site._chart_inputs(changed)[0])


def test_a_call_that_fails_in_the_helper_fails_with_its_own_error(tmp_path, monkeypatch):
    """memo_each_helped: the helper's half of the calls comes back in place; a call that fails there is made
    again here, so the user sees its own error (not a child process's traceback)."""
    monkeypatch.setattr(incremental, "HELPED_AT_LEAST", 1)
    code = incremental.code_key()
    try:
        for calls, expected in (([("7",), ("8",), ("9",), ("10",)], [7, 8, 9, 10]),
                                ([("x",), ("2",), ("3",), ("4",)], ValueError)):
            new_process()
            incremental._build = incremental.Build(incremental.PageCache(tmp_path / f"cache-{expected}"), "s", code)
            incremental.start_helper("pages", ())
            helper = incremental._helpers["pages"]
            results = incremental.memo_each_helped(int, calls)  # int("x") fails in the helper's half
            assert not incremental._helpers and helper.process.args[-1].endswith("children")  # (taken)
            if expected is ValueError:
                with pytest.raises(ValueError, match="invalid literal for int"):
                    results()
            else:
                assert results() == expected
    finally:
        new_process()
        incremental.disable()


def test_page_key_depends_on_markdown_address_and_site():
    assert incremental.page_key("s", "papers/a.md", "x") == incremental.page_key("s", "papers/a.md", "x")
    keys = {incremental.page_key(*args) for args in [("s", "papers/a.md", "x"), ("s", "papers/b.md", "x"),
                                                     ("s", "papers/a.md", "y"), ("t", "papers/a.md", "x")]}
    assert len(keys) == 4


def test_site_key_follows_the_config_docs_and_its_environment(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "about.md").write_text("# About\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text('site_name: X\nsite_url: !ENV [PA_TEST_URL, "https://a.example/"]\n')
    first = incremental.site_key(config)
    monkeypatch.setenv("PA_TEST_URL", "https://b.example/")
    second = incremental.site_key(config)
    (tmp_path / "docs" / "about.md").write_text("# About us\n")
    third = incremental.site_key(config)
    assert len({first, second, third}) == 3


class _Files(list):
    def get_file_from_path(self, path):
        return next((f for f in self if f.src_uri == path), None)


def test_a_broken_link_in_a_cached_page_is_a_warning(caplog):
    """Cached pages are not rendered by MkDocs, so the generator checks their links (strict mode fails)."""
    year = SimpleNamespace(src_uri="timeline/2023.md", page=SimpleNamespace(present_anchor_ids={"2023-07"}))
    files = _Files([SimpleNamespace(src_uri="themes/index.md", page=None), year])  # a Markdown page
    build_ = incremental.Build(incremental.PageCache(Path("unused")), "site", "code")
    build_.files = files
    build_.reused = {"themes/index.md": "[July](../timeline/2023.md#2023-07) [ok](index.md) <https://x.example/a.md> "
                                    "[gone](../themes/missing.md) [bad anchor](../timeline/2023.md#2023-08)"}
    incremental._build = build_
    try:
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.paper_atlas"):
            incremental.check_links()
    finally:
        incremental._build = None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert "themes/missing.md" in warnings[0] and "themes/index.md" in warnings[0]
    assert "#2023-08" in warnings[1]


def test_front_matter_text_is_not_checked_as_a_link():
    """A description quoting `[x](javascript:...)` (hostile API text) is YAML text, not a link: checking
    it as one failed the build of a cached page."""
    from generator import incremental

    markdown = '---\ndescription: "[x](javascript:window.x=1) [y](gone.md)"\n---\n\n# T\n\n[ok](other.md)\n'
    assert incremental._links(markdown) == ["other.md"]


def test_text_in_a_raw_html_block_is_not_checked_as_a_link():
    """An abstract's first sentence quoting `[x](javascript:...)` in the home page's raw-HTML list of papers
    is text (Python-Markdown copies the block): checking it as a link failed the build of a cached home
    page. Markdown inside a `markdown` block is still read."""
    markdown = ('# Home\n\n<ul>\n<li><a href="papers/a/">A</a><br>\nQuotes [x](javascript:window.x=1).</li>\n'
                '</ul>\n\n<figure markdown>\n![chart](charts/a.svg)\n</figure>\n\n[ok](other.md)\n')
    assert incremental._links(markdown) == ["charts/a.svg", "other.md"]



def test_compiled_templates_are_kept_in_memory_and_checked_against_their_source(tmp_path, monkeypatch):
    """A process that builds again with another cache folder compiles none of Material's templates nor the
    generator's; a kept template whose source differs is compiled again (Jinja checks its checksum), and the
    site is the same."""
    import jinja2

    from generator.render.environment import ENV

    monkeypatch.setattr(incremental, "_compiled", {})  # this test's own (the worker has built other sites)
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 3, 1)})
    ENV.cache.clear()  # (loaded by those builds: then not read through the bytecode cache)
    build(corpus, tmp_path / "site-1", tmp_path / "cache-1")
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def compile(env, source, name=None, *args, **kwargs):
        if env.bytecode_cache is not None:  # the theme's and the generator's (Material's search plugin has
            compiled.append(name)          # its own Jinja)
        return original(env, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    ENV.cache.clear()  # the generator's templates as a new process finds them: not loaded yet
    build(corpus, tmp_path / "site-2", tmp_path / "cache-2")
    assert compiled == [], compiled

    kept = incremental._compiled
    assert len(kept) > 20
    wrong = next(iter(kept.values()))  # one template's code (and its checksum) under every template's key
    monkeypatch.setattr(incremental, "_compiled", dict.fromkeys(kept, wrong))
    ENV.cache.clear()
    build(corpus, tmp_path / "site-3", tmp_path / "cache-3")
    assert len(compiled) == len(kept) - 1
    assert [name for name in compiled if name.endswith(".j2")], compiled  # the generator's among them
    same_tree(tmp_path / "site-2", tmp_path / "site-3")


def test_a_call_runs_in_a_child_process_and_reports_its_failure():
    """generator.children.Call (the charts during a build): the result comes back; an error names the
    function and carries the child's message."""
    import datetime as dt

    import pytest

    from generator import addresses
    from generator.children import Call
    from generator.render.environment import long_date

    assert Call(long_date, dt.date(2024, 3, 9)).result() == "9 March 2024"
    with pytest.raises(RuntimeError, match=r"(?s)generator\.addresses\.url failed in a child process: .*AttributeError"):
        Call(addresses.url, 42).result()


def test_one_child_answers_the_calls_of_a_process_and_a_dead_one_is_replaced(monkeypatch):
    """The child of a process's first call ends with it (a one-off build keeps no idle child); from the second
    call on, one child is kept from one build to the next (it imports matplotlib once). A call never collected
    does not hold up the next. Killed between two calls or during one, a new child answers."""
    import copy
    import signal
    import time

    from generator import children
    from generator.children import Call

    monkeypatch.setattr(children, "_asked", 0)  # as in a process that has made no call yet
    monkeypatch.setattr(children, "_kept", None)
    call = Call(os.getpid)
    only = call.result()
    assert children._kept is None and call.worker.process.wait(timeout=30) == 0
    first = Call(os.getpid).result()
    assert first not in (only, os.getpid()) and Call(os.getpid).result() == first

    # A call never collected (its build failed first) whose answer fills the pipe: the child is blocked
    # writing it and would never read the next call, so that goes to a new child (an alarm fails the test
    # rather than let it hang).
    def hung(signum, frame):
        raise AssertionError("the next call waited for the uncollected one")

    big = b"x" * 1_000_000
    later = Call(copy.copy, big)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        assert Call(copy.copy, b"y" * 1_000_000).result() == b"y" * 1_000_000  # (asked while its child writes)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    second = Call(os.getpid).result()
    assert second not in (first, os.getpid())
    assert later.result() == big  # its child was stopped: made again
    assert Call(os.getpid).result() == second

    os.kill(second, signal.SIGKILL)
    time.sleep(0.2)
    third = Call(os.getpid).result()
    assert third not in (first, second, os.getpid())

    slow = Call(time.sleep, 1)
    os.kill(third, signal.SIGKILL)
    assert slow.result() is None  # made again in a new child
    assert Call(os.getpid).result() not in (first, second, third)
    children._close()  # (this test's last child; the process's own comes back with monkeypatch)


def test_only_a_changed_dump_is_read_again_and_the_corpus_is_the_one_read_afresh(tmp_path, monkeypatch):
    """corpus._read_and_merge keeps each dump it read by its file's identity: after an edit of one dump, that
    dump alone is read again (`mkdocs serve`), and the corpus equals the one a new process reads."""
    from generator import corpus as reading

    folder = make_corpus(tmp_path / "corpus", {"a.txt": dump(0, 3, 1), "b.txt": dump(3, 3, 5)})
    reading.load_corpus(folder)
    read: list[str] = []
    real = reading.read_dump
    monkeypatch.setattr(reading, "read_dump", lambda path, settings: read.append(path.name) or real(path, settings))
    (folder / "b.txt").write_text(dump(3, 4, 5), encoding="utf-8")
    again = reading.load_corpus(folder)
    assert read == ["b.txt"]
    monkeypatch.setattr(reading, "_last_read", {})
    monkeypatch.setattr(reading, "_last_dumps", None)
    monkeypatch.setattr(reading, "_last", None)
    afresh = reading.load_corpus(folder)
    assert read == ["b.txt", "a.txt", "b.txt"]
    assert again.papers == afresh.papers and again.dumps == afresh.dumps and len(again.papers) == 7


def test_related_papers_words_give_the_matrix_of_the_stop_word_vectorizer(monkeypatch):
    """related.py finds each text's words once (kept between `mkdocs serve` rebuilds) and weighs them with a
    vectorizer that takes them as given: the TF-IDF matrix must be the one TfidfVectorizer(stop_words="english")
    makes of the texts, bit for bit (the real corpus, and texts of stop words, accents and odd spacing)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from generator import related
    from generator.corpus import load_corpus

    papers = load_corpus(ROOT / "corpus", with_related=False).papers
    texts = [f"{p.title}. {p.title}. {p.abstract}" for p in papers] + [
        "the and of", "Ünïcödé naïve café — résumé", "  tabs\tand\nnewlines  ", "x"]
    expected = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32).fit_transform(texts)
    monkeypatch.setattr(incremental, "serving", True)
    for _ in range(2):  # the second time from memory
        got = TfidfVectorizer(analyzer=related._given, sublinear_tf=True,
                              dtype=np.float32).fit_transform(related._WORDS.each(texts))
        assert got.shape == expected.shape
        assert (got != expected).nnz == 0
    monkeypatch.setattr(incremental, "serving", False)
    related._WORDS.each([])  # (forget them)
