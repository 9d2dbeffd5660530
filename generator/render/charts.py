"""Charts as SVG, drawn at build time with matplotlib: no charting JavaScript.

Legible on a phone and in both palettes: narrow figures (4.8 in) with 11 pt
text, so a phone's ~350 px column still shows text of 11 px or more; dark
text on an opaque white background (contrast over 10:1; the stylesheet
inverts charts in the dark palette); legends outside the plot; the
colour-blind-safe tab10 colours for themes. Output is deterministic
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

INK = "#333333"  # 12.6:1 on the white background
PAPER = "#ffffff"
WIDTH = 4.8  # inches: 461 px of SVG, shown at ~350 px on a phone (text x 0.76)
FONT = 11  # pt = 14.7 px of SVG: over 11 px on that phone
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, scalable
    "svg.hashsalt": "paper-atlas",
    "font.size": FONT, "legend.fontsize": FONT, "xtick.labelsize": FONT, "ytick.labelsize": FONT,
    "axes.labelsize": FONT,
    "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK,
    "xtick.color": INK, "ytick.color": INK,
    "axes.spines.top": False, "axes.spines.right": False,
    "figure.facecolor": PAPER, "axes.facecolor": PAPER, "savefig.facecolor": PAPER, "savefig.transparent": False,
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
        shown = [t for t in themes if any(counts[(t.slug, mm)] for mm in axis)]
        legend_rows = len(shown)
        height = 2.6 + 0.22 * legend_rows
        fig, ax = plt.subplots(figsize=(WIDTH, height))
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
        step = max(1, len(ticks) // 5)  # at most ~5 year labels across a phone-wide chart
        ticks = ticks[::step]
        ax.set_xticks(ticks, [str(axis[i][0]) for i in ticks], rotation=0)
        ax.set_ylabel("papers per month")
        # Below the plot, one theme a line: never over the bars, never cut on a phone.
        plot_bottom = (0.22 * legend_rows + 0.55) / height
        legend = fig.legend(frameon=False, loc="lower left", bbox_to_anchor=(0.0, 0.0), ncols=1, handlelength=1.0)
        for text in legend.get_texts():
            text.set_parse_math(False)  # theme names are text: "$x$" is not mathtext
        fig.subplots_adjust(left=0.14, right=0.97, top=1 - 0.15 / height, bottom=plot_bottom)
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
        fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
        ax.bar(axis, [years[y] for y in axis], color=colour)
        ax.set_ylabel("papers")
        step = max(1, (len(axis) + 4) // 5)
        ax.set_xticks(axis[::step], [str(y) for y in axis[::step]])
        fig.subplots_adjust(left=0.14, right=0.97, top=0.95, bottom=0.15)
    alt = f"Bar chart of {theme.name} papers per year: " + ", ".join(f"{y}: {years[y]}" for y in axis if years[y]) + "."
    return _svg(fig, alt), alt
