"""Pagefind indexes stand-ins of the indexed pages while MkDocs renders (generator/pagefind.py): the index
must be the one Pagefind makes of the finished site."""

from __future__ import annotations

import subprocess

from generator import pagefind
from helpers import tree_hash


def test_the_index_is_the_one_pagefind_makes_of_the_built_site(real_site, tmp_path):
    out = tmp_path / "pagefind"
    subprocess.run([*pagefind.command(real_site), "--output-path", str(out)], check=True, capture_output=True)
    made, expected = tree_hash(real_site / "pagefind"), tree_hash(out)
    assert len(expected) > 300  # every paper page gave a fragment
    assert made == expected


def test_a_dirty_rebuild_indexes_the_pages_it_did_not_render(tmp_path):
    """`mkdocs build --dirty` renders only what changed: the about page, untouched, gets no body in
    that build, and is indexed from the file the first build wrote."""
    import os
    import sys

    from helpers import ROOT, SPACED_HEADER, make_corpus

    lines = list(SPACED_HEADER) + ["Spiking Memory Paper", "", "Spiking neural networks store memory.", "",
                                   "  • 2 authors", "·", "Jul 1, 2023 3", ""]
    corpus = make_corpus(tmp_path / "corpus", {"a.txt": "\n".join(lines)})
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PAPER_ATLAS_CORPUS=str(corpus))
    site = tmp_path / "site"
    for extra in (["--strict"], ["--dirty", "--no-strict"]):  # MkDocs warns of every dirty build
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(site), *extra],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        if extra == ["--strict"]:
            first = tree_hash(site / "pagefind")
    assert tree_hash(site / "pagefind") == first
