"""Per-theme work grows linearly with the number of themes (issue 15: 400 themes took 86 s and 2 GB).

The overlap chart was the quadratic part: one text label per pair of themes. Past
LABELLED_THEMES_MAX themes the cells carry no label (they would not fit), so the SVG's text grows with
the number of themes, not with its square.
"""

from __future__ import annotations

from generator.model import Theme
from generator.render import charts


def _overlap_texts(count: int) -> int:
    themes = tuple(Theme(f"t{i}", f"Theme {i}", "d", ("x",)) for i in range(count))
    members = {t.slug: {f"p{i}", f"p{i + 1}"} for i, t in enumerate(themes)}
    svg, _ = charts.overlap_matrix(themes, members)
    return svg.count("<text") + svg.count("<g id=\"text_")


def test_few_themes_keep_their_cell_labels():
    count = charts.LABELLED_THEMES_MAX
    assert _overlap_texts(count) >= count * count  # one label a cell


def test_text_in_the_overlap_chart_grows_linearly_with_themes():
    small, large = _overlap_texts(40), _overlap_texts(160)
    assert large <= 4 * small * 1.1  # 4x the themes: at most 4x the text (quadratic would be 16x)
