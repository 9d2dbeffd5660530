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
