"""SVG charts drawn at build time: files, safety, text alternatives, legibility, determinism.

- papers per month, stacked by theme: on the home and timeline pages
- each theme's papers per year: on the theme's page
(the theme overlap matrix is an HTML table since issue 13: tests/test_site_pages.py)

Expected values (which charts exist, the years and counts an alt text must
name) are computed from papers.json.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from generator.corpus import load_corpus
from generator.render.site import generate
from helpers import make_corpus, parse_html, resolve

SVG = "{http://www.w3.org/2000/svg}"
MONTHS_CHART = "charts/papers-per-month.svg"
# Material's default (light) and slate (dark) page backgrounds.
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#1e2129"


@pytest.fixture(scope="module")
def papers(real_site) -> list[dict]:
    return json.loads((real_site / "papers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def theme_slugs(real_site) -> list[str]:
    return sorted(p.name for p in (real_site / "themes").iterdir() if (p / "index.html").is_file())


@pytest.fixture(scope="module")
def expected_charts(papers, theme_slugs) -> dict[str, list[str]]:
    """Chart file -> the pages that must show it (a theme chart only if the theme has a dated paper)."""
    charts = {MONTHS_CHART: ["index.html", "timeline/index.html"], }
    for theme in theme_slugs:
        if any(theme in p["themes"] and p["date"] for p in papers):
            charts[f"charts/theme-{theme}.svg"] = [f"themes/{theme}/index.html"]
    return charts


def svg_files(site: Path) -> list[Path]:
    return sorted((site / "charts").glob("*.svg"))


def images(site: Path, page: str) -> list[tuple[str, str]]:
    """(site-relative file, alt text) of each <img> in the page's article."""
    path = site / page
    root = parse_html(path.read_text(encoding="utf-8"))
    article = root.find("article") or root
    found = []
    for img in article.find_all("img"):
        target, _ = resolve(site, path, img.attrs.get("src", ""))
        found.append((target.relative_to(site).as_posix(), img.attrs.get("alt", "")))
    return found


def alt_of(site: Path, page: str, chart: str) -> str:
    alts = [alt for target, alt in images(site, page) if target == chart]
    assert len(alts) == 1, f"{page} shows {chart} {len(alts)} times: {images(site, page)}"
    return alts[0]


# Files and where they are shown


def test_the_chart_files_exist(real_site, expected_charts):
    assert {p.relative_to(real_site).as_posix() for p in svg_files(real_site)} == set(expected_charts)


def test_each_chart_is_shown_with_alt_text_on_its_pages(real_site, expected_charts):
    for chart, pages in expected_charts.items():
        for page in pages:
            alt = alt_of(real_site, page, chart)
            assert len(alt.strip()) >= 20, (page, chart, alt)


def test_theme_chart_alt_names_each_year_and_count(real_site, papers, theme_slugs):
    for theme in theme_slugs:
        years = Counter(int(p["date"][:4]) for p in papers if theme in p["themes"] and p["date"])
        if not years:
            continue
        alt = alt_of(real_site, f"themes/{theme}/index.html", f"charts/theme-{theme}.svg")
        named = {int(y): int(n) for y, n in re.findall(r"\b(\d{4}): (\d+)\b", alt)}
        assert named == dict(years), (theme, alt)


def test_months_chart_alt_names_the_span_and_busiest_month(real_site, papers):
    months = Counter(p["date"][:7] for p in papers if p["date"])
    busiest = max(months.values())
    alt = alt_of(real_site, "index.html", MONTHS_CHART)
    assert min(months) in alt and max(months) in alt, alt
    named = re.findall(r"busiest month is (\d{4}-\d{2})", alt)
    assert named and months[named[0]] == busiest, (alt, months.most_common(3))
    assert alt_of(real_site, "timeline/index.html", MONTHS_CHART) == alt


def test_no_page_loads_a_charting_script(real_site, expected_charts):
    """Charts are plain images: the pages that show them load only Material's and the site's own scripts."""
    own = re.compile(r"^(\.\./)*(assets/javascripts/bundle\.[0-9a-f]+\.min\.js|javascripts/(browse|paper|search)\.js)$")
    for page in sorted({p for pages in expected_charts.values() for p in pages}):
        root = parse_html((real_site / page).read_text(encoding="utf-8"))
        sources = [s.attrs["src"] for s in root.find_all("script") if "src" in s.attrs]
        assert sources and all(own.match(src) for src in sources), (page, sources)


# The SVG files themselves


def test_charts_are_well_formed_svg(real_site):
    for path in svg_files(real_site):
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg", path.name
        assert root.get("viewBox") or (root.get("width") and root.get("height")), path.name


def test_charts_hold_no_script_and_no_event_handler(real_site):
    for path in svg_files(real_site):
        for element in ET.parse(path).getroot().iter():
            local = element.tag.rsplit("}", 1)[-1].lower()
            assert local not in ("script", "foreignobject"), (path.name, element.tag)
            handlers = [name for name in element.attrib if name.rsplit("}", 1)[-1].lower().startswith("on")]
            assert not handlers, (path.name, element.tag, handlers)
            for name, value in element.attrib.items():
                if name.rsplit("}", 1)[-1] == "href":
                    assert value.startswith(("#", "data:image/")), (path.name, value)


def test_chart_checkers_catch_scripts():
    bad = ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg"><g onload="x()"/><script>x()</script></svg>')
    tags = [e.tag.rsplit("}", 1)[-1] for e in bad.iter()]
    handlers = [n for e in bad.iter() for n in e.attrib if n.startswith("on")]
    assert "script" in tags and handlers == ["onload"]


# Legible in light and dark


def _colour(value: str) -> tuple[float, float, float] | None:
    """An opaque colour as RGB in 0..1, or None for none/transparent/url()."""
    value = value.strip().lower()
    named = {"white": "#ffffff", "black": "#000000"}
    value = named.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return tuple(int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))
    match = re.fullmatch(r"rgba?\(([^)]*)\)", value)
    if match:
        parts = [float(x.strip().rstrip("%")) for x in match.group(1).split(",")]
        if len(parts) == 4 and parts[3] == 0:
            return None
        return tuple(x / 255 for x in parts[:3])
    return None


def _style(element: ET.Element) -> dict[str, str]:
    style = dict(element.attrib)
    for part in element.get("style", "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            style[key.strip()] = value.strip()
    return style


def _fill(element: ET.Element, inherited: str) -> str | None:
    """The element's opaque fill colour, or None if it paints nothing."""
    style = _style(element)
    for key in ("opacity", "fill-opacity"):
        if key in style and float(style[key]) == 0:
            return None
    return style.get("fill", inherited)


def _extent(element: ET.Element) -> tuple[float, float, float, float] | None:
    """Bounding box (x0, y0, x1, y1) of a rect or a path made of absolute M/L commands."""
    local = element.tag.rsplit("}", 1)[-1]
    if local == "rect":
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        w, h = element.get("width", "0"), element.get("height", "0")
        if w.endswith("%") or h.endswith("%"):
            return (0, 0, float("inf"), float("inf")) if w == h == "100%" else None
        return x, y, x + float(w), y + float(h)
    if local == "path" and element.get("d") and not element.get("transform"):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", element.get("d"))]
        if len(numbers) >= 4 and re.fullmatch(r"[\sMLZz0-9.eE-]*", element.get("d")):
            xs, ys = numbers[0::2], numbers[1::2]
            return min(xs), min(ys), max(xs), max(ys)
    return None


def backgrounds(root: ET.Element) -> list[str]:
    """Opaque fills that cover at least half of the figure: a background one palette cannot read on."""
    box = [float(v) for v in root.get("viewBox", "0 0 0 0").split()]
    area = box[2] * box[3]
    found = []

    def walk(element: ET.Element, fill: str, inside_defs: bool):
        local = element.tag.rsplit("}", 1)[-1]
        inside_defs = inside_defs or local in ("defs", "clipPath", "mask", "symbol", "marker", "pattern")
        fill = _fill(element, fill) or "none"
        extent = None if inside_defs else _extent(element)
        if extent and _colour(fill) is not None:
            width = min(extent[2], box[0] + box[2]) - max(extent[0], box[0])
            height = min(extent[3], box[1] + box[3]) - max(extent[1], box[1])
            if width > 0 and height > 0 and width * height >= area / 2:
                found.append(f"<{local}> fill {fill} covers {width * height / area:.0%} of the figure")
        for child in element:
            walk(child, fill, inside_defs)

    walk(root, "black", False)  # SVG's initial fill is black
    return found


def test_charts_have_a_white_background_that_the_dark_palette_inverts(real_site):
    """Issue 13: dark text on white (contrast 4.5:1 and more), inverted by the stylesheet in the dark palette."""
    for path in svg_files(real_site):
        found = backgrounds(ET.parse(path).getroot())
        assert found and all("fill #ffffff" in f for f in found), (path.name, found)
    css = (Path(__file__).resolve().parent.parent / "docs" / "stylesheets" / "extra.css").read_text()
    assert re.search(r'\[data-md-color-scheme="slate"\][^{]*figure img\[src\$="\.svg"\][^{]*\{[^}]*invert\(', css)


@pytest.mark.parametrize("background", ["#ffffff", "#000000", "white", "#fff"])
def test_background_checker_finds_an_opaque_background(background):
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><g>'
           f'<path d="M 0 50 L 100 50 L 100 0 L 0 0 z" style="fill: {background}"/></g></svg>')
    assert backgrounds(ET.fromstring(svg))
    transparent = svg.replace(f"fill: {background}", "fill: none")
    assert not backgrounds(ET.fromstring(transparent))


def _luminance(rgb: tuple[float, float, float]) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(_colour(a)), _luminance(_colour(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def tick_label_colours(root: ET.Element) -> set[str]:
    """Fill colours of the axis tick labels (text, or text drawn as glyph outlines)."""
    colours = set()

    def walk(element: ET.Element, fill: str, in_tick: bool):
        in_tick = in_tick or re.fullmatch(r"[xy]tick_\d+", element.get("id", "")) is not None
        fill = _fill(element, fill) or "none"
        local = element.tag.rsplit("}", 1)[-1]
        if in_tick and local in ("text", "use", "tspan") and _colour(fill):
            colours.add(fill)
        for child in element:
            walk(child, fill, in_tick)

    walk(root, "black", False)
    return colours


INVERT = 0.92  # docs/stylesheets/extra.css: filter: invert(0.92) in the dark palette


def inverted(colour: str) -> str:
    rgb = _colour(colour)
    return "#" + "".join(f"{round((INVERT * (1 - c) + (1 - INVERT) * c) * 255):02x}" for c in rgb)


def test_axis_labels_read_in_light_and_dark(real_site):
    """Tick labels keep 4.5:1 contrast (WCAG, text) on the chart's white, and once inverted in the dark palette."""
    for path in svg_files(real_site):
        colours = tick_label_colours(ET.parse(path).getroot())
        assert colours, f"{path.name}: no tick labels found"
        for colour in colours:
            assert contrast(colour, "#ffffff") >= 4.5, (path.name, colour)
            assert contrast(inverted(colour), inverted("#ffffff")) >= 4.5, (path.name, colour)


def test_chart_text_is_text(real_site):
    """charts.py sets svg.fonttype "none" so labels stay text (selectable, searchable, scalable)."""
    for path in svg_files(real_site):
        root = ET.parse(path).getroot()
        texts = [e for e in root.iter(f"{SVG}text")]
        assert texts, f"{path.name}: labels were drawn as glyph outlines, not <text>"


# Same data, same bytes

CHART_DUMP = """\
Daily Papers

Oct 28

Associative Memory in Hopfield Layers

Associative memory with hopfield layers and spiking neurons.

  • 3 authors
·
Jul 19, 2023 5

An Older Spiking Paper

Spiking neural networks on neuromorphic chips.

  • 2 authors
·
Mar 2, 2021 1

Episodic Memory for Agents

Episodic memory for agents, with fMRI decoding.

  • 4 authors
·
Feb 1, 2024 0
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_corpus(make_corpus(tmp_path_factory.mktemp("charts") / "corpus", {"001_charts.txt": CHART_DUMP}))


def _charts(corpus) -> dict[str, str | bytes]:
    return {path: data for path, data in generate(corpus, "https://example.org/atlas/") if path.startswith("charts/")}


def test_tiny_corpus_gets_the_expected_charts(tiny):
    dated_themes = {m.theme for p in tiny.papers if p.date for m in p.themes}
    expected = {MONTHS_CHART} | {f"charts/theme-{t}.svg" for t in dated_themes}
    assert set(_charts(tiny)) == expected


def test_chart_bytes_are_identical_across_two_runs(tiny):
    first, second = _charts(tiny), _charts(tiny)
    assert first.keys() == second.keys()
    changed = sorted(path for path in first if first[path] != second[path])
    assert not changed, f"charts differ between two generate() runs: {changed}"
