"""Golden-file tests of the Markdown rendered for paper pages.

A small hand-made corpus (two dumps, a themes.yml of its own) goes through
`load_corpus` and `generate`; the Markdown of three paper pages is compared
byte for byte with tests/golden/<name>.md:

* ``hostile``: the title ``Hopfield <Networks> | *All* You [Need]``, an abstract
  holding a URL and ``<script>alert(1)</script>``;
* ``metadata``: authors (from one listing), organization (from the other) and
  upvotes (the higher count of the two listings);
* ``undated``: a compact-layout record, which shows no date.

When a rendering change is intended, regenerate the golden files with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_golden.py

then read the diff (`git diff tests/golden`) before keeping it. Without
UPDATE_GOLDEN the tests never write anything.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

import pytest

from generator.corpus import load_corpus
from generator.render.site import generate
from helpers import make_corpus

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

HOSTILE_TITLE = "Hopfield <Networks> | *All* You [Need]"

THEMES = """\
themes:
  - name: Associative memory
    description: Hopfield networks & memories that complete <patterns>.
    terms: [hopfield, associative memor*, retrieval]
  - name: Spiking networks
    description: Spiking neural networks and neuromorphic chips.
    terms: [spiking, neuromorph*]
"""

# Spaced layout with a listing date and explicit years, so "Mar 3" gets an inferred year (2025).
DUMP_A = f"""\
Daily Papers

byAK and the research community

Oct 28

{HOSTILE_TITLE}

Modern Hopfield layers store patterns for associative memory retrieval; code at https://github.com/example/hopfield-layers. An abstract with <script>alert(1)</script> inline.

  • 3 authors
·
Jul 19, 2023 5

Neuromorphic Spiking Memory on Chip

We build spiking associative memory circuits on a neuromorphic chip with dendritic retrieval and low power.

  • 4 authors
·
Dec 3, 2024 42

Dendritic Retrieval in Spiking Networks

Dendrites let spiking networks perform associative retrieval of stored memory patterns.

  • 2 authors
·
Mar 3

Energy Landscapes of Hopfield Memory

We analyse the energy landscape of Hopfield memory and its retrieval basins.

  • 5 authors
·
Jan 12, 2024 7
"""

# Compact layout (no blank lines, no metadata): every paper is undated. The
# neuromorphic paper is seen again, here with its organization.
DUMP_B = """\
Get trending papers in your email inbox!
SubscribeAn Undated Note on Spiking Retrieval
A short note on spiking networks and associative retrieval without any date shown.
Patterns Stored in Associative Memory Networks
Associative memory networks store patterns; retrieval is pattern completion in a Hopfield energy landscape.
Spiking Chips for Memory Retrieval
Neuromorphic spiking chips perform memory retrieval at low power.
"""

DUMP_C = """\
Daily Papers

Nov 2

Neuromorphic Spiking Memory on Chip

We build spiking associative memory circuits on a neuromorphic chip with dendritic retrieval and low power.

intel-labs Intel Labs
·
Dec 3, 2024 40
"""

CASES = {
    "hostile": "papers/hopfield-networks-all-you-need.md",
    "metadata": "papers/neuromorphic-spiking-memory-on-chip.md",
    "undated": "papers/an-undated-note-on-spiking-retrieval.md",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, str]:
    folder = make_corpus(tmp_path_factory.mktemp("golden") / "corpus",
                         {"001_alpha.txt": DUMP_A, "002_beta.txt": DUMP_B, "003_gamma.txt": DUMP_C},
                         themes=THEMES)
    return dict(generate(load_corpus(folder)))


def test_the_corpus_gives_the_expected_pages(rendered):
    papers = sorted(path for path in rendered if path.startswith("papers/"))
    assert len(papers) == 7, papers
    for path in CASES.values():
        assert path in rendered, f"{path} not generated; generated: {papers}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_paper_markdown_matches_golden(rendered, name):
    actual = rendered[CASES[name]]
    golden = GOLDEN / f"{name}.md"
    if UPDATE:
        golden.write_text(actual, encoding="utf-8", newline="")
    assert golden.exists(), f"{golden} is missing; run with UPDATE_GOLDEN=1 to create it, then review it"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{CASES[name]} differs from {golden.name}; if the change is intended, rerun with "
        "UPDATE_GOLDEN=1 and review `git diff tests/golden`")


# Checks that do not depend on the golden files, so a bad regeneration is caught.

def test_hostile_title_and_abstract_are_escaped(rendered):
    text = rendered[CASES["hostile"]]
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    for raw in "<>|*[]":
        assert raw not in heading, f"{raw!r} unescaped in {heading!r}"
    assert "<script>" not in text
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in text  # shown as text, not dropped
    assert '<a href="https://github.com/example/hopfield-layers" class="pa-external"' in text


def test_metadata_paper_shows_merged_metadata(rendered):
    text = rendered[CASES["metadata"]]
    assert "- **Upvotes:** 42\n" in text
    assert "- **Authors:** 4\n" in text
    organization = next(line for line in text.splitlines() if line.startswith("- **Organization:**"))
    assert "Intel Labs" in organization and "intel-labs" not in organization.split("](")[0]
    assert "Seen in 2 listing records:" in text


def test_undated_paper_says_undated(rendered):
    text = rendered[CASES["undated"]]
    assert "- **Date:** undated" in text
    assert "Previous:" not in text and "Next:" not in text


def test_links_in_the_pages_point_to_generated_pages(rendered):
    """Every relative .md link of the three pages names a generated page (and month anchors a month)."""
    checked = anchors = 0
    for path in CASES.values():
        folder = posixpath.dirname(path)
        for target in re.findall(r"\]\(([^)\s]+\.md(?:#[^)\s]*)?)\)", rendered[path]):
            page, _, anchor = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(folder, page))
            assert resolved in rendered, f"{path}: link {target} -> {resolved} is not generated"
            checked += 1
            if anchor:
                assert re.search(rf"\{{ #{re.escape(anchor)} \}}", rendered[resolved]), (path, target)
                anchors += 1
    assert checked > 20 and anchors >= 4, (checked, anchors)
