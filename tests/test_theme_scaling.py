"""Per-theme work grows linearly with the number of themes (issue 15: 400 themes took 86 s and 2 GB).

The theme-overlap table has one cell per pair of themes. Past lists.OVERLAP_MAX themes it is left
out, so the themes overview grows with the number of themes, not with its square.
"""

from __future__ import annotations

from generator.corpus import load_corpus
from generator.render import lists
from generator.render.index import build_index
from helpers import make_corpus

DUMP = "Daily Papers\n\nOct 28\n\nA Paper About Spiking\nAn abstract about spiking and memory.\n"


def _overview(tmp_path, count: int) -> str:
    themes = "themes:\n" + "".join(f"  - name: Theme {i}\n    description: d\n    terms: [spiking]\n"
                                    for i in range(count))
    corpus = load_corpus(make_corpus(tmp_path / f"c{count}", {"a.txt": DUMP}, themes=themes), with_related=False)
    return dict(lists.themes(build_index(corpus), {}))["themes/index.md"]


def test_few_themes_get_the_overlap_table(tmp_path):
    assert "## How themes overlap" in _overview(tmp_path, lists.OVERLAP_MAX - 1)  # + Other


def test_the_themes_overview_grows_linearly_with_themes(tmp_path):
    small, large = _overview(tmp_path, 40), _overview(tmp_path, 160)
    assert "## How themes overlap" not in large
    assert len(large) <= 4 * len(small) * 1.1  # 4x the themes: at most 4x the text (quadratic would be 16x)
