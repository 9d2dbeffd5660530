"""Golden files: every file `generate` makes for a small corpus, compared byte for byte.

A small hand-made corpus (three dumps, a themes.yml of its own) goes through
`load_corpus` and `generate`; every generated file (Markdown pages, charts,
feeds, papers.json) is compared with tests/golden/pages/<path>, and the two
trees must hold the same files (Pelican's whole-site comparison). The corpus
holds, among others:

* the title ``Hopfield <Networks> | *All* You [Need]``, an abstract holding a
  URL and ``<script>alert(1)</script>``;
* a paper with authors (from one listing), organization (from the other) and
  upvotes (the higher count of the two listings);
* compact-layout records, which show no date.

When a rendering change is intended, refresh the golden files with

    PAPER_ATLAS_REFRESH_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_site.py

then read the diff (`git diff --stat tests/golden; git diff tests/golden`) before
committing it. Without PAPER_ATLAS_REFRESH_GOLDEN the tests never write anything.
"""

from __future__ import annotations

import difflib
import gzip
import os
import shutil
from pathlib import Path

import pytest

from generator import addresses as at
from generator import finished
from generator.corpus import load_corpus
from generator.render.site import generate
from helpers import Element, make_corpus, parse_html

GOLDEN = Path(__file__).resolve().parent / "golden" / "pages"
REFRESH = os.environ.get("PAPER_ATLAS_REFRESH_GOLDEN") == "1"

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
def rendered(tmp_path_factory) -> dict[str, str | bytes]:
    folder = make_corpus(tmp_path_factory.mktemp("golden") / "corpus",
                         {"001_alpha.txt": DUMP_A, "002_beta.txt": DUMP_B, "003_gamma.txt": DUMP_C},
                         themes=THEMES)
    # A gzip file is kept inflated (`x.gz` as `x.gz.inflated`), so its diff can be read; gzip's
    # own determinism is tested in test_site_pages.
    return {path + ".inflated" if path.endswith(".gz") else path: gzip.decompress(content) if path.endswith(".gz")
            else content for path, content in generate(load_corpus(folder))}


def test_the_corpus_gives_the_expected_pages(rendered):
    papers = sorted(path for path in rendered if path.startswith("papers/"))
    assert len(papers) == 7, papers
    for path in CASES.values():
        assert path in rendered, f"{path} not generated; generated: {papers}"


def _as_bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _golden_files() -> dict[str, bytes]:
    return {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in sorted(GOLDEN.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def golden(rendered) -> dict[str, bytes]:
    if REFRESH:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, content in rendered.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(_as_bytes(content))
    assert GOLDEN.is_dir(), f"{GOLDEN} is missing; run with PAPER_ATLAS_REFRESH_GOLDEN=1 to create it, then review it"
    return _golden_files()


def test_the_same_files_as_the_golden_site(rendered, golden):
    missing, extra = sorted(golden.keys() - rendered.keys()), sorted(rendered.keys() - golden.keys())
    assert not missing and not extra, (
        f"no longer generated: {missing}; newly generated: {extra}. If intended, rerun with "
        "PAPER_ATLAS_REFRESH_GOLDEN=1 and review `git status tests/golden`")


def test_every_file_matches_its_golden_file(rendered, golden):
    differing = [path for path in sorted(rendered.keys() & golden.keys()) if _as_bytes(rendered[path]) != golden[path]]
    if differing:
        first = differing[0]
        diff = difflib.unified_diff(golden[first].decode("utf-8").splitlines(),
                                    _as_bytes(rendered[first]).decode("utf-8").splitlines(),
                                    f"golden/pages/{first}", f"generated {first}", lineterm="", n=2)
        pytest.fail(f"{len(differing)} files differ from tests/golden/pages: {differing}\n"
                    + "\n".join(list(diff)[:60])
                    + "\nIf the change is intended, rerun with PAPER_ATLAS_REFRESH_GOLDEN=1 and review "
                    "`git diff tests/golden`")


# Checks that do not depend on the golden files, so a bad regeneration is caught.

def _body(text: str) -> Element:
    """A paper page's finished-HTML body (after its front matter), parsed."""
    return parse_html(text.split("\n---\n", 1)[1])


def test_hostile_title_and_abstract_are_escaped(rendered):
    text = rendered[CASES["hostile"]]
    body = _body(text)
    assert body.find("h1").text(skip_cls="headerlink") == HOSTILE_TITLE  # shown as written
    assert not [e for e in body.iter() if e.tag in ("script", "networks", "need")]  # nothing became markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown as text, not dropped
    assert '<a href="https://github.com/example/hopfield-layers" class="pa-external"' in text


def test_metadata_paper_shows_merged_metadata(rendered):
    text = rendered[CASES["metadata"]]
    assert '<span class="pa-chip">42 upvotes</span>' in text
    assert "<li><strong>Authors:</strong> 4</li>\n" in text
    organization = next(line for line in text.splitlines() if line.startswith("<li><strong>Organization:"))
    assert ">Intel Labs</a>" in organization and 'href="../../orgs/' in organization
    assert "Seen in 2 listing records" in text


def test_undated_paper_says_undated(rendered):
    text = rendered[CASES["undated"]]
    assert '<a class="pa-chip pa-chip-date" href="../../timeline/undated/">Undated</a>' in text
    assert "Previous:" not in text and "Next:" not in text


def test_links_in_the_pages_point_to_generated_pages(rendered):
    """Every relative link of the three paper pages (finished HTML) leads to a generated page, and
    month anchors to a month heading of it."""
    urls = {at.url(path).rstrip("/"): path for path in rendered}
    checked = anchors = 0
    for path in CASES.values():
        for target in finished.links(finished.body(rendered[path])):
            key, anchor = finished.resolve(target, at.url(path))
            if key == at.url(path).rstrip("/"):
                continue  # a heading's own permalink
            assert key in urls, f"{path}: link {target} -> {key} is not generated"
            checked += 1
            if anchor:
                assert f' id="{anchor}">' in rendered[urls[key]], (path, target)
                anchors += 1
    assert checked > 20 and anchors >= 4, (checked, anchors)
