"""Charts as SVG, drawn at build time with matplotlib: no charting JavaScript.

Legible in both palettes: transparent background, mid-grey text and axes, and
the colour-blind-safe tab10 colours for themes. Output is deterministic
(fixed hash salt, no date) so unchanged data gives unchanged files. Margins
are fixed rather than computed (tight_layout draws every chart twice).
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from generator.model import Paper, Theme  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

INK = "#8a8a8a"  # readable on white and on Material's slate background
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, scalable
    "svg.hashsalt": "paper-atlas",
    "font.size": 9,
    "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK,
    "xtick.color": INK, "ytick.color": INK,
    "axes.spines.top": False, "axes.spines.right": False,
    "figure.facecolor": "none", "axes.facecolor": "none", "savefig.transparent": True,
}


def theme_colours(themes: tuple[Theme, ...]) -> dict[str, str]:
    palette = matplotlib.color_sequences["tab10"]
    return {t.slug: matplotlib.colors.to_hex(palette[i % len(palette)]) for i, t in enumerate(themes)}


def _svg(fig, alt: str) -> str:
    buffer = io.StringIO()
    # svg.fonttype and svg.hashsalt are read when saving: save inside the style.
    with plt.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": alt})
    plt.close(fig)
    return buffer.getvalue()


def months_by_theme(papers: list[Paper], themes: tuple[Theme, ...]) -> tuple[str, str] | None:
    """Papers per month, stacked by each paper's first theme. (svg, text alternative)."""
    dated = [(p, p.date.value) for p in papers if p.date]
    if not dated:
        return None
    months = sorted({(day.year, day.month) for _, day in dated})
    first, last = months[0], months[-1]
    axis = []
    y, m = first
    while (y, m) <= last:
        axis.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    counts = Counter((p.themes[0].theme, (day.year, day.month)) for p, day in dated)
    colours = theme_colours(themes)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 3.2))
        bottom = [0] * len(axis)
        for theme in themes:
            # Only the months this theme has papers in: empty bars would bloat the SVG.
            bars = [(i, counts[(theme.slug, month)]) for i, month in enumerate(axis) if counts[(theme.slug, month)]]
            if bars:
                ax.bar([i for i, _ in bars], [h for _, h in bars], bottom=[bottom[i] for i, _ in bars],
                       width=0.9, color=colours[theme.slug], label=theme.name)
                for i, h in bars:
                    bottom[i] += h
        ticks = [i for i, (_, mth) in enumerate(axis) if mth == 1] or [0]
        ax.set_xticks(ticks, [str(axis[i][0]) for i in ticks], rotation=0)
        ax.set_ylabel("papers per month")
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=2)
        fig.subplots_adjust(left=0.07, right=0.99, top=0.97, bottom=0.1)
    busiest = max(axis, key=lambda mm: sum(counts[(t.slug, mm)] for t in themes))
    alt = (f"Bar chart of dated papers per month from {first[0]}-{first[1]:02d} to {last[0]}-{last[1]:02d}, "
           f"coloured by each paper's first theme; the busiest month is {busiest[0]}-{busiest[1]:02d}.")
    return _svg(fig, alt), alt


def years_of_theme(papers: list[Paper], theme: Theme, colour: str) -> tuple[str, str] | None:
    years = Counter(p.date.value.year for p in papers if p.date is not None)
    if not years:
        return None
    axis = list(range(min(years), max(years) + 1))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6, 2.4))
        ax.bar([str(y) for y in axis], [years[y] for y in axis], color=colour)
        ax.set_ylabel("papers")
        ax.tick_params(axis="x", labelrotation=45)
        fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.25)
    alt = f"Bar chart of {theme.name} papers per year: " + ", ".join(f"{y}: {years[y]}" for y in axis if years[y]) + "."
    return _svg(fig, alt), alt


# Beyond this many themes the counts no longer fit in their cells, and one text object per cell makes the
# chart quadratic in the number of themes (400 themes: 160,000 labels, most of a build's time and memory).
LABELLED_THEMES_MAX = 20


def overlap_matrix(themes: tuple[Theme, ...], members: dict[str, set[str]]) -> tuple[str, str]:
    """Heat map: papers shared by each pair of themes (diagonal: the theme's size)."""
    names = [t.name for t in themes]
    grid = [[len(members[a.slug] & members[b.slug]) for b in themes] for a in themes]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 6.5))
        ax.imshow(grid, cmap="Blues")
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(names)), names, fontsize=7)
        if len(themes) <= LABELLED_THEMES_MAX:
            peak = max(max(row) for row in grid) or 1
            for i, row in enumerate(grid):
                for j, value in enumerate(row):
                    ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                            color="white" if value > peak * 0.6 else "#333333")
        fig.subplots_adjust(left=0.36, right=0.99, top=0.99, bottom=0.36)
    pairs = sorted(((grid[i][j], names[i], names[j]) for i in range(len(themes)) for j in range(i + 1, len(themes))),
                   reverse=True)[:3]
    alt = "Matrix of papers shared between themes; most shared: " + "; ".join(
        f"{a} and {b} ({n})" for n, a, b in pairs) + "."
    return _svg(fig, alt), alt
